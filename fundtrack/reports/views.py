"""The overview page and its downloads; also the overview's drill-down filters on the application list."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from fundtrack import clock, i18n
from fundtrack.access import allow, scope
from fundtrack.alerts import jobs as alert_jobs
from fundtrack.applications import events as application_events
from fundtrack.audit import services as audit
from fundtrack.audit.views import show_value
from fundtrack.deadlines.models import DEADLINE_KINDS
from fundtrack.events import Filter
from fundtrack.funders.models import FUNDER_KINDS
from fundtrack.i18n import current_language, translate_label
from fundtrack.money import parse_dkk
from fundtrack.organisations.models import Organisation
from fundtrack.periods import PeriodError, last_complete_quarter, parse_period, recent_choices
from fundtrack.reports import figures, schedules, services, versions
from fundtrack.reports.forms import ScheduleForm
from fundtrack.reports.models import OCCASIONS, PERIOD_KINDS, ReportSchedule, ReportVersion, UnitCost
from fundtrack.reports.pdf import INSTALL_HINT, PdfUnavailable
from fundtrack.reports.render import build, context, link, period_label, render_file
from fundtrack.spreadsheets import FORMATS
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, arg_choice, arg_id, arg_period, arg_text, form_status, unless_confirmed

bp = Blueprint("reports", __name__)
scope(bp, "version_id")(versions.visible_versions)
scope(bp, "schedule_id")(lambda user: ReportSchedule.select())


@application_events.list_filters.connect
def drill_down(sender, today, settings, **rest):
    """The applications behind one number of an overview: a figure of a period, in one row of a breakdown,
    the forecast, the outcomes, the coming deadlines. The words above the list say which."""
    conditions, words = [], []
    figure, period = arg_choice("figure", figures.FIGURES), arg_period("period")
    if figure and period is not None:
        conditions.append(figures.condition(figure, period))
        words.append(f"{translate_label(figures.FIGURE_LABELS[figure])} · {period.code}")
    kind = arg_choice("funder_kind", FUNDER_KINDS)
    if kind:
        conditions.append(figures.dimension_condition("funder_kind", kind))
        words.append(translate_label(FUNDER_KINDS[kind]))
    goal = arg_id("un_goal")
    if goal is not None:
        conditions.append(figures.dimension_condition("un_goal", str(goal)))
        words.append(_("UN goal %(goal)s", goal=goal))
    theme = arg_text("theme", 100)
    if theme:
        conditions.append(figures.dimension_condition("theme", theme))
        words.append(_("Theme: %(theme)s", theme=theme))
    expected = arg_text("expected", 20)
    if expected:
        condition = services.expected_condition(expected, today, settings.reports)
        if condition is not None:
            conditions.append(condition)
            words.append(_("Decision expected: %(when)s", when=expected))
    outcomes = arg_period("outcomes")
    if outcomes is not None:
        conditions.append(figures.outcome_condition(outcomes))
        words.append(_("Outcomes reported: %(period)s", period=outcomes.code))
    due, due_kind = arg_period("due"), arg_choice("due_kind", DEADLINE_KINDS)
    if due is not None and due_kind:
        conditions.append(services.due_condition(due, due_kind))
        words.append(f"{translate_label(DEADLINE_KINDS[due_kind])} · {due.code}")
    found = [c for c in conditions if c is not None]
    if not found:
        return None
    combined = found[0]
    for condition in found[1:]:
        combined &= condition
    return Filter(combined, " · ".join(words))


def _organisation() -> Organisation | None:
    """Members see their own organisation; the others may narrow the overview to one organisation."""
    if current_user.is_member:
        return current_user.organisation
    chosen = arg_id("organisation")
    return Organisation.get_or_none(Organisation.id == chosen) if chosen else None


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    """The period picker sends ?period=...; without one, the quarter that ended last."""
    text = request.args.get("period")
    keep = {"organisation": request.args["organisation"]} if request.args.get("organisation") else {}
    if text is None:
        return redirect(url_for("reports.show", period=last_complete_quarter(clock.today()).code, **keep))
    try:
        period = parse_period(text)
    except PeriodError as error:
        return render_template(
            "reports/index.html",
            error=_(str(error)),
            typed=text[:40],
            choices=recent_choices(clock.today()),
            period_label=period_label,
        ), 400
    return redirect(url_for("reports.show", period=period.code, **keep))


def _period_or_404(text: str):
    try:
        return parse_period(text)
    except PeriodError:
        abort(404)


@bp.route("/<period>")
@allow("fundraiser", "member", "viewer", unscoped=("period",))
def show(period):
    return _show(_period_or_404(period))


def _show(chosen, *, cost_typed: str | None = None, cost_error: str | None = None, status: int = 200):
    """The overview page; a refused cost comes back in its field with the reason."""
    overview = build(chosen, _organisation(), with_fees=current_user.is_fundraiser)
    organisations = (
        []
        if current_user.is_member
        else list(Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name))
    )
    kept = versions.versions_of(current_user, overview.period, overview.organisation.id if overview.organisation else None)
    since = versions.difference(kept[0], overview, current_user) if kept else None
    reasons = audit.lines(since.reasons, current_user, show_value, current_language()) if since else []
    return render_template(
        "reports/overview.html",
        choices=recent_choices(clock.today()),
        organisations=organisations,
        versions=kept,
        since=since,
        reasons=reasons,
        occasions=OCCASIONS,
        cost_typed=cost_typed,
        cost_error=cost_error,
        **context(overview),
    ), status


@bp.route("/<period>/committee", methods=["POST"])
@allow("fundraiser", "viewer", unscoped=("period",))
def for_the_committee(period):
    """Keep the overview as it is now, as the version handed to the committee, and offer its PDF."""
    with_fees = current_user.is_fundraiser and bool(request.form.get("with_fees"))
    overview = build(_period_or_404(period), _organisation(), with_fees=with_fees)
    back = link(overview, "reports.show", period=overview.period.code)
    try:
        pdf = render_file(overview, "pdf")
    except PdfUnavailable:
        flash(_("This installation cannot make PDF files yet, so no version can be kept."), "error")
        return redirect(back)
    version = versions.freeze(
        overview,
        pdf=pdf,
        document=render_file(overview, "json"),
        with_fees=with_fees,
        language=current_language(),
        occasion="committee",
        actor=current_user,
        now=clock.now(),
    )
    flash(_("The overview is kept as the committee's version of %(day)s.", day=i18n.date(clock.today())), "success")
    return redirect(f"{back}#version-{version.id}")


@bp.route("/versions/<int:version_id>.<any(pdf, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def version_file(version_id, fmt):
    """A kept version's PDF or figures, byte for byte as they were made."""
    version = ReportVersion.get_by_id(version_id)  # a version the user may not open is refused by the scope
    suffix = f"-{version.organisation_id}" if version.organisation_id else ""
    day = clock.to_local(version.made_at).date().isoformat()
    return Response(
        bytes(version.pdf if fmt == "pdf" else version.document),
        mimetype="application/pdf" if fmt == "pdf" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="overview-{version.period}{suffix}-{day}.{fmt}"'},
    )


@bp.route("/<period>.<any(pdf, xlsx, csv, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("period", "fmt"))
def download(period, fmt):
    overview = build(_period_or_404(period), _organisation(), with_fees=current_user.is_fundraiser)
    try:
        body = render_file(overview, fmt)
    except PdfUnavailable:
        current_app.logger.warning("PDF asked for, but WeasyPrint is not installed: %s", INSTALL_HINT)
        flash(_("This installation cannot make PDF files yet; print the page to PDF from the browser instead."), "error")
        return redirect(link(overview, "reports.show", period=overview.period.code))
    suffix = f"-{overview.organisation.id}" if overview.organisation else ""
    return Response(
        body,
        mimetype="application/pdf" if fmt == "pdf" else FORMATS[fmt].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="overview-{overview.period.code}{suffix}.{fmt}"'},
    )


@bp.route("/schedules/", methods=["GET", "POST"])
@allow("fundraiser")
def schedules_page():
    """The overviews that go out by themselves: each schedule, the period it sends next and when, and a new one."""
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            values = schedules.validated(form.values())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            schedule = ReportSchedule.create(**values, created_at=clock.now())
            audit.record_create(current_user, schedule, clock.now())
            flash(_("The schedule %(name)s is saved.", name=schedule.name), "success")
            return redirect(url_for(".schedules_page"))
    today = clock.today()
    rows = []
    for schedule in ReportSchedule.select().order_by(ReportSchedule.name):
        period = schedules.next_period(schedule, today)
        rows.append((schedule, period, schedules.sending_day(schedule, period), schedules.recipients(schedule)))
    return render_template(
        "reports/schedules.html", form=form, rows=rows, kinds=PERIOD_KINDS, period_label=period_label
    ), form_status(form)


@bp.route("/schedules/<int:schedule_id>/send", methods=["POST"])
@allow("fundraiser")
def send_now(schedule_id):
    """Send the schedule's next overview now, whatever the day: once per recipient, as the scheduler would."""
    schedule = ReportSchedule.get_by_id(schedule_id)
    period = schedules.next_period(schedule, clock.today())
    if period.end >= clock.today():
        flash(
            _(
                "%(period)s has not ended yet; its overview can be sent from %(day)s.",
                period=period_label(period),
                day=i18n.date(period.following().start),
            ),
            "error",
        )
        return redirect(url_for(".schedules_page"))
    try:
        planned = schedules.send(schedule, period, now=clock.now())
    except PdfUnavailable:
        flash(_("This installation cannot make PDF files yet, so no version can be kept."), "error")
        return redirect(url_for(".schedules_page"))
    alert_jobs.run()
    flash(
        ngettext(
            "The overview of %(period)s is on its way to %(num)d recipient.",
            "The overview of %(period)s is on its way to %(num)d recipients.",
            planned,
            period=period_label(period),
        ),
        "success",
    )
    return redirect(url_for(".schedules_page"))


@bp.route("/schedules/<int:schedule_id>/active", methods=["POST"])
@allow("fundraiser")
def toggle_schedule(schedule_id):
    schedule = ReportSchedule.get_by_id(schedule_id)
    if schedule.configured:
        abort(404)  # it follows the configuration
    audit.save_changes(schedule, {"active": not schedule.active}, actor=current_user, now=clock.now())
    return redirect(url_for(".schedules_page"))


@bp.route("/schedules/<int:schedule_id>/delete", methods=["POST"])
@allow("fundraiser")
def delete_schedule(schedule_id):
    schedule = ReportSchedule.get_by_id(schedule_id)
    if schedule.configured:
        abort(404)  # it follows the configuration
    back = url_for(".schedules_page")
    if (
        question := unless_confirmed(_("Remove the schedule %(name)s? What it sent is kept.", name=schedule.name), back)
    ) is not None:
        return question
    audit.record_delete(current_user, schedule, clock.now())
    schedule.delete_instance()
    flash(_("The schedule %(name)s is removed.", name=schedule.name), "success")
    return redirect(back)


LARGEST_UNIT_COST_ORE = 10**9 * 100


@bp.route("/<period>/cost", methods=["POST"])
@allow("fundraiser", unscoped=("period",))
def set_unit_cost(period):
    """The unit's cost in one period, for the business case; empty: back to the configured yearly cost."""
    chosen = _period_or_404(period)
    typed = request.form.get("amount", "")[:40]
    back = url_for(".show", period=chosen.code) + "#business-case"
    try:
        amount = parse_dkk(typed)
    except ValueError:
        amount = -1
    if amount is not None and not 0 <= amount <= LARGEST_UNIT_COST_ORE:
        error = _("Give the cost in kroner, e.g. 450.000 (it was: %(typed)s).", typed=typed)
        return _show(chosen, cost_typed=request.form.get("amount", ""), cost_error=error, status=400)
    existing = UnitCost.get_or_none(UnitCost.period == chosen.code)
    if amount is None:
        if existing is not None:
            audit.record_delete(current_user, existing, clock.now())
            existing.delete_instance()
    elif existing is None:
        audit.record_create(
            current_user, UnitCost.create(period=chosen.code, amount_ore=amount, updated_at=clock.now()), clock.now()
        )
    else:
        audit.save_changes(existing, {"amount_ore": amount, "updated_at": clock.now()}, actor=current_user, now=clock.now())
    flash(_("The unit's cost in %(period)s is saved.", period=period_label(chosen)), "success")
    return redirect(back)
