"""The overview as the reader sees it: labels, links to the applications behind each number, the charts,
and the whole document as HTML, XLSX, CSV or JSON. One module for the page, its downloads and the
`fundtrack reports` command, so that all three show the same."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _

from fundtrack import clock
from fundtrack.applications.models import OPEN_STAGES, STAGES
from fundtrack.checklists.models import INDICATORS
from fundtrack.deadlines.models import DEADLINE_KINDS
from fundtrack.funders.models import FUNDER_KINDS
from fundtrack.i18n import current_language, money, rate, translate_label
from fundtrack.organisations.models import Organisation
from fundtrack.periods import Period
from fundtrack.reports import export, services
from fundtrack.reports.charts import Bar, bar_chart
from fundtrack.reports.pdf import html_to_pdf
from fundtrack.resources import read_static
from fundtrack.tags import UN_GOALS
from fundtrack.web import current_settings

PAGE_ROWS = 25  # rows of a breakdown on the page and in print; the downloads hold every row


def period_label(period: Period) -> str:
    """`Q3 2026` / `3. kvartal 2026`, `H2 2026` / `2. halvår 2026`, `2026`."""
    if period.kind == "Q":
        return _("Q%(number)d %(year)d", number=period.number, year=period.year)
    if period.kind == "H":
        return _("H%(number)d %(year)d", number=period.number, year=period.year)
    return str(period.year)


def short_label(period: Period) -> str:
    """A quarter under a bar of a chart: `Q3 2026` / `K3 2026`."""
    quarter = _("Q%(number)d", number=period.number)
    return f"{quarter} {period.year}"


def build(period: Period, organisation: Organisation | None, *, with_fees: bool) -> services.Overview:
    """The overview of a period (of one organisation, or of all) as of today."""
    return services.overview(
        period, organisation=organisation, today=clock.today(), settings=current_settings().reports, with_fees=with_fees
    )


def money_axis(ore: float) -> str:
    """An axis label: whole kroner, millions shortened (`1,5 mio. kr.` / `DKK 1.5m`)."""
    kroner = ore / 100
    if abs(kroner) >= 1_000_000:
        text = f"{round(kroner / 1_000_000, 2):g}"
        return _("DKK %(amount)sm", amount=text.replace(".", ",") if current_language() == "da" else text)
    return money(int(round(ore / 100) * 100))


def link(overview: services.Overview, endpoint: str, external: bool = False, **args) -> str:
    """A link from the overview that keeps its organisation, when it is narrowed to one."""
    if overview.organisation is not None:
        args.setdefault("organisation", overview.organisation.id)
    return url_for(endpoint, _external=external, **args)


def drill(overview: services.Overview, figure: str, external: bool = False, **filters) -> str:
    """The list of applications behind a number."""
    filters.setdefault("period", overview.period.code)
    return link(overview, "applications.index", external, figure=figure, **filters)


def charts(overview: services.Overview, external: bool = False) -> list:
    """The four charts: money won and success rate per quarter, money won by funder kind, the open pipeline."""
    won = [
        Bar(short_label(q), f.granted_ore, money(f.granted_ore), drill(overview, "granted", external, period=q.code))
        for q, f in overview.series
    ]
    success = [
        Bar(
            short_label(q),
            f.success_rate or 0,
            rate(f.success_rate) if f.success_rate is not None else _("no decisions"),
            drill(overview, "decided", external, period=q.code),
        )
        for q, f in overview.series
    ]
    kinds = {key: figures for key, _name, figures in overview.breakdowns["funder_kind"]}
    by_kind = [
        Bar(
            translate_label(label),
            kinds[kind].granted_ore if kind in kinds else 0,
            money(kinds[kind].granted_ore if kind in kinds else 0),
            drill(overview, "granted", external, funder_kind=kind),
        )
        for kind, label in FUNDER_KINDS.items()
    ]
    pipeline = [
        Bar(
            translate_label(STAGES[stage]),
            amount,
            f"{money(amount)} ({count})",
            link(overview, "applications.index", external, stage=stage),
        )
        for stage, (count, amount) in overview.pipeline_by_stage.items()
    ]
    return [
        bar_chart("won", _("Money won per quarter, the last two years"), won, money_axis),
        bar_chart("success", _("Success rate per quarter (grants among decisions)"), success, rate, top=1.0),
        bar_chart("kinds", _("Money won by funder kind, %(period)s", period=period_label(overview.period)), by_kind, money_axis),
        bar_chart("pipeline", _("Open pipeline by stage: amount applied for (number of applications)"), pipeline, money_axis),
    ]


def context(overview: services.Overview, *, external: bool = False) -> dict:
    return {
        "overview": overview,
        "charts": charts(overview, external),
        "period_label": period_label,
        "drill": lambda figure, **filters: drill(overview, figure, external, **filters),
        "link": lambda endpoint, **args: link(overview, endpoint, external, **args),
        "dimension_labels": services.DIMENSION_LABELS,
        "funder_kinds": FUNDER_KINDS,
        "stages": STAGES,
        "open_stages": OPEN_STAGES,
        "deadline_kinds": DEADLINE_KINDS,
        "indicators": INDICATORS,
        "un_goals": UN_GOALS,
        "external": external,
        "page_rows": PAGE_ROWS,
    }


def render_file(overview: services.Overview, fmt: str) -> bytes:
    """The overview as a file: html (a standalone document with its styles inside), pdf (that document on A4),
    xlsx, csv or json. A pdf raises `PdfUnavailable` when WeasyPrint is not installed."""
    if fmt == "xlsx":
        return export.to_xlsx(overview, translate_label)
    if fmt == "csv":
        return export.to_csv(overview, translate_label)
    if fmt == "json":
        return export.to_json(overview, translate_label)
    styles = read_static("css/report.css")
    html = render_template("reports/document.html", styles=styles, **context(overview, external=True))
    if fmt == "pdf":
        return html_to_pdf(html)
    return html.encode("utf-8")
