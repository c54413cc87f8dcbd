"""Pieces shared by the views of every domain: settings, reading the query string, pagination, forms and downloads.

Every id, number, date, period and choice in a URL is read here, once: a value that cannot be read
answers 400 with a sentence naming the parameter, never a 500 and never a silent guess.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, current_app, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from fundtrack import clock, spreadsheets
from fundtrack.config import Settings
from fundtrack.periods import PeriodError, parse_period
from fundtrack.spreadsheets import parse_date
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY, ValidationError, parse_id

TEXT_ARGUMENT_LIMIT = 200


def current_settings() -> Settings:
    return current_app.extensions["fundtrack.settings"]


class BadArgument(BadRequest):
    """A query-string value that cannot be read; the description names it (shown on the 400 page)."""


def _bad(name: str, value: str):
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise BadArgument(
        description=gettext("The address holds a value that is not understood: %(name)s=%(value)s", name=name, value=shown)
    )


def _raw(name: str) -> str:
    return (request.args.get(name) or "").strip()


def arg_id(name: str) -> int | None:
    """A record id from the query string: None when absent; 400 when it is no id (`²`, 20 digits, `-1`)."""
    value = _raw(name)
    if not value:
        return None
    found = parse_id(value)
    if found is None:
        _bad(name, value)
    return found


def arg_int(name: str, *, low: int, high: int, default: int | None = None) -> int | None:
    """A whole number between `low` and `high` (ASCII digits only), else `default` when absent, else 400."""
    value = _raw(name)
    if not value:
        return default
    if not re.fullmatch(r"-?[0-9]{1,9}", value) or not low <= int(value) <= high:
        _bad(name, value)
    return int(value)


def arg_date(name: str) -> dt.date | None:
    """A date (ISO or typed the Danish way) within the years fundtrack keeps; None when absent, else 400."""
    value = _raw(name)
    if not value:
        return None
    try:
        day = parse_date(value[:40])
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        _bad(name, value)
    return day


def arg_text(name: str, max_length: int = TEXT_ARGUMENT_LIMIT) -> str:
    """Free text from the query string (a search), cut to a length that no database column is wider than."""
    return _raw(name)[:max_length]


def arg_choice(name: str, choices, default: str = "") -> str:
    """One of `choices` (keys of a label table, or a sequence); `default` when absent; 400 for anything else."""
    value = _raw(name)
    if not value:
        return default
    if value not in choices:
        _bad(name, value)
    return value


def arg_period(name: str):
    """A reporting period (`2026-Q3`, `2026-H2`, `2026`) or None when absent; 400 when it is no period."""
    value = _raw(name)
    if not value:
        return None
    try:
        return parse_period(value)
    except PeriodError:
        _bad(name, value)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may be redirected to after login (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields (or at the top when no field matches)."""
    for field_name, (message, params) in error.errors.items():
        text = gettext(message, **params)
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [text]
        else:
            form.form_errors.append(text)


def error_texts(error: ValidationError) -> list[str]:
    """A service's ValidationError as translated sentences (for a flash or a JSON answer)."""
    return [gettext(message, **params) for message, params in error.errors.values()]


@dataclass
class Page:
    """One page of a list: its rows, its number and how many pages there are."""

    rows: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query, size: int = 50) -> Page:
    """The page named by `?page=` of `query` (one COUNT and one SELECT, whatever the size)."""
    number = arg_int("page", low=1, high=10_000_000, default=1)
    total = query.count()
    pages = max(1, math.ceil(total / size))
    number = min(number, pages)
    return Page(rows=list(query.paginate(number, size)), number=number, size=size, total=total)


def form_status(form) -> int:
    """400 for a form sent back with errors, so that the failure is visible to clients and tests."""
    return 400 if form.errors or form.form_errors else 200


def export_response(records: list[dict], columns: list[str], fmt: str, name: str) -> Response:
    """A download of `records` as CSV, XLSX or JSON."""
    body = spreadsheets.export_bytes(records, columns, fmt, name)
    filename = f"{name}-{clock.today().isoformat()}.{fmt}"
    return Response(
        body,
        mimetype=spreadsheets.FORMATS[fmt].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_json() -> bool:
    """True for a request that asked for JSON (the board's moves)."""
    return request.accept_mimetypes.best == "application/json"


# Pages whose menu item is not the first of their own domain's.
MENU_HOMES = {
    "checklists.template": "checklists.templates",
    "checklists.show": "applications.index",
    "checklists.print_view": "applications.index",
    "checklists.outcomes": "deadlines.index",
    "tasks.edit_template": "tasks.templates",
    "auth.new_user": "auth.users",
    "auth.account": "",
    "contacts.edit": "organisations.index",
    "instalments.edit": "applications.index",
}


def current_menu_item(endpoints: list[str]) -> str | None:
    """The one menu item marked current: the page's own, else the first item of the page's domain."""
    here = MENU_HOMES.get(request.endpoint or "", request.endpoint or "")
    if here in endpoints:
        return here
    if not here:
        return None
    domain = here.partition(".")[0] + "."
    return next((endpoint for endpoint in endpoints if endpoint.startswith(domain)), None)


def unless_confirmed(question: str, back: str):
    """For a POST that removes or ends something: None once it is confirmed, else the page that asks.

    The page's dialog (static/js/confirm.js) confirms in place; without JavaScript the same form comes back as
    a confirmation page that posts everything again with `confirmed` set.
    """
    if request.form.get("confirmed"):
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True) if name not in ("csrf_token", "confirmed")]
    return render_template("confirm.html", question=question, action=request.path, fields=fields, back=back)
