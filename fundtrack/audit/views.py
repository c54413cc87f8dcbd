"""History on record pages, and the fundraiser's activity page across every record."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, i18n
from fundtrack.access import allow
from fundtrack.audit import services
from fundtrack.web import arg_date, arg_id, arg_text, paginate

bp = Blueprint("audit", __name__)


def show_value(described: services.Field, value, names: dict) -> str:
    """A recorded value the reader's way: amounts in kroner, dates local, labels translated, records by name."""
    if value is None or value == "" or value == []:
        return "–"
    kind = described.kind
    try:
        if kind == "money":
            return i18n.money(int(value))
        if kind == "date":
            return i18n.date(dt.date.fromisoformat(str(value)[:10]))
        if kind == "moment":
            return i18n.moment(dt.datetime.fromisoformat(str(value)))
        if kind == "choice" and described.choices and value in described.choices:
            return i18n.translate_label(described.choices[value])
        if kind == "flag":
            return _("Yes") if value else _("No")
        if kind == "tags" and isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if kind == "number":
            return i18n.number(value)
        if kind == "ref":
            return names.get((described.ref, value), f"#{value}")
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if len(text) <= 300 else text[:300] + " …"


def history(page_table: str, page_id: int, *, own: bool = False) -> dict:
    """What a record page's History section needs (see `_history.html`): the page's entries, or with `own`
    only the record's (a deadline's page, whose changes also show on its application's)."""
    find = services.record_entries if own else services.page_entries
    entries, total = find(current_user, page_table, page_id)
    return {"lines": services.lines(entries, current_user, show_value, i18n.current_language()), "total": total}


@bp.route("/")
@allow("fundraiser")
def activity():
    """Every change to every record, newest first, by record type, person and date."""
    table = arg_text("table")
    table = table if table in services.descriptions() else ""
    start_on, end_on = arg_date("from"), arg_date("to")
    start = clock.local_midnight(start_on) if start_on else None
    end = clock.local_midnight(end_on + dt.timedelta(days=1)) if end_on else None
    page = paginate(services.activity(current_user, table=table, actor_id=arg_id("person"), start=start, end=end))
    page.rows = services.lines(page.rows, current_user, show_value, i18n.current_language())
    kinds = sorted(
        ((key, i18n.translate_label(d.label)) for key, d in services.descriptions().items()), key=lambda pair: pair[1].lower()
    )
    return render_template("audit/activity.html", page=page, kinds=kinds, actors=services.actors(), table=table)
