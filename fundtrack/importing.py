"""The import machinery shared by every entity: map headers, read each cell, collect every error, write all or nothing.

An entity describes its columns (accepted headers in Danish and English, a reader for the cell)
and how a row is checked and saved; this module does the rest. Error messages are English msgids
with parameters, translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.spreadsheets import SpreadsheetError, Table, cell_text, normalise_header, parse_date, read_table
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY, ValidationError


@dataclass(frozen=True)
class Column:
    """One importable field: its key, the headers that name it, how to read a cell, and whether it must be there."""

    key: str
    label: str
    headers: tuple[str, ...]
    read: Callable[[object], object]
    required: bool = False


class CellError(ValueError):
    """A cell that was read but cannot be kept, with a message (an English msgid) that says why."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


def read_day(value) -> dt.date | None:
    """A date cell (every form `parse_date` reads), within the years fundtrack keeps."""
    day = parse_date(value)
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise CellError(N_("Give a date between %(first)d and %(last)d."), first=EARLIEST_DAY.year, last=LATEST_DAY.year)
    return day


@dataclass
class RowError:
    row: int
    column: str
    message: str
    params: dict = field(default_factory=dict)


@dataclass
class RowResult:
    row: int
    data: dict
    action: str = "create"  # or "update"
    summary: str = ""


@dataclass
class Preview:
    """What an import would do: the rows it would write, every error, and the columns it ignores."""

    entity: str
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.rows)


@dataclass(frozen=True)
class Importer:
    """An entity that can be imported: its columns, its row check and its save."""

    entity: str
    columns: tuple[Column, ...]
    check: Callable[[dict, dict], RowResult]  # (values, context) -> RowResult; raises ValidationError by column key
    save: Callable[[list[RowResult], object, dt.datetime], int]


class ImportRefused(Exception):
    """The file has errors; nothing was written."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__(f"{len(preview.errors)} errors; nothing was imported")


def preview(importer: Importer, data: bytes, filename: str) -> Preview:
    """Read the file and check every row, writing nothing."""
    result = Preview(entity=importer.entity)
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        result.errors.append(RowError(0, "", N_("The file cannot be read: %(reason)s"), {"reason": str(error)}))
        return result
    mapping = _map_headers(importer, table, result)
    if result.errors:
        return result
    context: dict = {"seen": {}}
    for number, raw in table.rows:
        values, failed = {}, False
        for column in importer.columns:
            header = mapping.get(column.key)
            cell = raw.get(header) if header else None
            try:
                values[column.key] = column.read(cell)
            except CellError as error:
                result.errors.append(RowError(number, header or column.label, error.message, error.params))
                failed = True
                continue
            except ValueError:
                result.errors.append(
                    RowError(number, header or column.label, N_("Cannot read %(value)s."), {"value": repr(str(cell))})
                )
                failed = True
                continue
            if column.required and values[column.key] in (None, "", []):
                result.errors.append(RowError(number, header or column.label, N_("This field is required.")))
                failed = True
        if failed:
            continue
        context["row"] = number
        try:
            checked = importer.check(values, context)
            checked.row = number
            result.rows.append(checked)
        except ValidationError as error:
            labels = {c.key: mapping.get(c.key) or c.label for c in importer.columns}
            for key, (message, params) in error.errors.items():
                result.errors.append(RowError(number, labels.get(key, key), message, params))
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "", N_("The file has a header but no rows.")))
    return result


def _map_headers(importer: Importer, table: Table, result: Preview) -> dict[str, str]:
    """Which header of the file holds which column; missing required columns are file-level errors."""
    by_name = {normalise_header(h): h for h in table.headers if h}
    mapping: dict[str, str] = {}
    used = set()
    for column in importer.columns:
        for accepted in column.headers:
            header = by_name.get(normalise_header(accepted))
            if header and header not in used:
                mapping[column.key] = header
                used.add(header)
                break
        if column.required and column.key not in mapping:
            message = N_("The file has no column for %(column)s (accepted headers: %(headers)s).")
            params = {"column": column.label, "headers": ", ".join(column.headers[:4])}
            result.errors.append(RowError(0, column.label, message, params))
    result.ignored_headers = [h for h in table.headers if h and h not in used]
    return mapping


def run_import(importer: Importer, data: bytes, filename: str, *, actor, now: dt.datetime) -> int:
    """Import the whole file in one transaction, or nothing: ImportRefused carries every error."""
    checked = preview(importer, data, filename)
    if not checked.valid:
        raise ImportRefused(checked)
    with db.atomic():
        return importer.save(checked.rows, actor, now)


def read_text(cell) -> str:
    """A cell as trimmed text (numbers without a needless .0)."""
    return cell_text(cell)
