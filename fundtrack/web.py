"""Pieces shared by the views of every domain: settings, pagination, forms and service errors."""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, current_app, request
from flask_babel import gettext

from fundtrack.config import Settings
from fundtrack.validation import ValidationError


def current_settings() -> Settings:
    return current_app.extensions["fundtrack.settings"]


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
    number = request.args.get("page", "1")
    number = int(number) if number.isdigit() and int(number) > 0 else 1
    total = query.count()
    pages = max(1, math.ceil(total / size))
    number = min(number, pages)
    return Page(rows=list(query.paginate(number, size)), number=number, size=size, total=total)


def form_status(form) -> int:
    """400 for a form sent back with errors, so that the failure is visible to clients and tests."""
    return 400 if form.errors or form.form_errors else 200


def export_response(records: list[dict], columns: list[str], fmt: str, name: str) -> Response:
    """A download of `records` as CSV, XLSX or JSON."""
    from fundtrack import clock, spreadsheets

    body = spreadsheets.export_bytes(records, columns, fmt, name)
    filename = f"{name}-{clock.today().isoformat()}.{fmt}"
    return Response(body, mimetype=spreadsheets.FORMATS[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
