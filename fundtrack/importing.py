"""The import machinery shared by every entity: map headers, read each cell, collect every error, write all or nothing.

An entity describes its columns (accepted headers in Danish and English, a reader for the cell)
and how a row is checked and saved; this module does the rest. Error messages are English msgids
with parameters, translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from peewee import fn

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
    label: str = ""  # a msgid shown translated after the summary: the stage or kind


@dataclass(frozen=True)
class Choices:
    """The corrections a user makes in the preview: a header mapped to a column by hand (`""` ignores it), and a
    name the file does not know matched to an existing record instead of a new one (0: create it)."""

    columns: dict[str, str] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)


@dataclass
class NewRecord:
    """A funder or organisation the file names and fundtrack does not know: created with the import."""

    kind: str  # the model's name in lower case: "funder", "organisation"
    name: str
    similar: list[tuple[int, str]] = field(default_factory=list)  # existing records with a near name, best first
    record: object = None  # the created record, once saved

    @property
    def key(self) -> str:
        return name_key(self.kind, self.name)


@dataclass
class Preview:
    """What an import would do: the rows it would write, every error, and the columns it ignores."""

    entity: str
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)  # the headers no column accepts: the user may map them
    new_records: list[NewRecord] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # the header that holds each column, by key

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def new_of(self, kind: str) -> list[NewRecord]:
        return [new for new in self.new_records if new.kind == kind]


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


def preview(importer: Importer, data: bytes, filename: str, choices: Choices | None = None) -> Preview:
    """Read the file and check every row, writing nothing."""
    choices = choices or Choices()
    result = Preview(entity=importer.entity)
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        result.errors.append(RowError(0, "", N_("The file cannot be read: %(reason)s"), {"reason": str(error)}))
        return result
    mapping = _map_headers(importer, table, result, choices.columns)
    result.columns = mapping
    if result.errors:
        return result
    context: dict = {"seen": {}, "choices": choices, "new": {}, "names": {}}
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
    result.new_records = sorted(context["new"].values(), key=lambda new: (new.kind, new.name.lower()))
    return result


def _map_headers(importer: Importer, table: Table, result: Preview, by_hand: dict[str, str]) -> dict[str, str]:
    """Which header of the file holds which column (the user's choices first); missing required columns are
    file-level errors."""
    by_name = {normalise_header(h): h for h in table.headers if h}
    mapping: dict[str, str] = {}
    keys = {column.key for column in importer.columns}
    for header, key in by_hand.items():
        if header in table.headers and key in keys and key not in mapping:
            mapping[key] = header
    used = set(mapping.values()) | {header for header, key in by_hand.items() if key == ""}
    known: set[str] = set()
    for column in importer.columns:
        if column.key in mapping:
            continue
        for accepted in column.headers:
            header = by_name.get(normalise_header(accepted))
            if header and header not in used:
                mapping[column.key] = header
                used.add(header)
                known.add(header)
                break
        if column.required and column.key not in mapping:
            message = N_("The file has no column for %(column)s (accepted headers: %(headers)s).")
            params = {"column": column.label, "headers": ", ".join(column.headers[:4])}
            result.errors.append(RowError(0, column.label, message, params))
    result.ignored_headers = [h for h in table.headers if h and h not in set(mapping.values())]
    result.unknown_headers = [h for h in table.headers if h and h not in known]
    return mapping


def run_import(importer: Importer, data: bytes, filename: str, *, actor, now: dt.datetime, choices: Choices | None = None) -> int:
    """Import the whole file in one transaction, new funders and organisations included, or nothing:
    ImportRefused carries every error."""
    checked = preview(importer, data, filename, choices)
    if not checked.valid:
        raise ImportRefused(checked)
    with db.atomic():
        return importer.save(checked.rows, actor, now)


def create_or_update(by_name: Callable, create: Callable, update: Callable) -> Callable:
    """The save step of an importer whose rows are records known by name: an existing name is updated, a new one created."""

    def save(rows: list[RowResult], actor, now) -> int:
        for row in rows:
            existing = by_name(row.data["name"])
            if existing:
                update(existing, row.data, actor=actor, now=now)
            else:
                create(row.data, actor=actor, now=now)
        return len(rows)

    return save


def read_text(cell) -> str:
    """A cell as trimmed text (numbers without a needless .0)."""
    return cell_text(cell)


def name_key(kind: str, name: str) -> str:
    """How a name the file gives is told apart in the user's choices: `funder:velux fonden`."""
    return f"{kind}:{name.strip().lower()}"


def existing_or_new(context: dict, model, name: str):
    """The record of `model` called `name` (ignoring case), the one the user chose in its place, or a NewRecord
    that the import will create; the same name always gives the same NewRecord."""
    kind = model.__name__.lower()
    key = name_key(kind, name)
    chosen = context["choices"].names.get(key)
    if chosen:
        record = model.get_or_none(model.id == chosen)
        if record is not None:
            return record
    record = model.get_or_none(fn.LOWER(model.name) == name.strip().lower())
    if record is not None:
        return record
    if key not in context["new"]:
        if kind not in context["names"]:
            context["names"][kind] = [(r.id, r.name) for r in model.select(model.id, model.name)]
        context["new"][key] = NewRecord(kind, name.strip(), similar_names(name, context["names"][kind]))
    return context["new"][key]


def created(value):
    """A row's related record: the record a NewRecord became when it was saved, or the value itself."""
    return value.record if isinstance(value, NewRecord) else value


def _squashed(name: str) -> str:
    return re.sub(r"\W+", "", name.lower())


def similar_names(name: str, existing: list[tuple[int, str]], limit: int = 3) -> list[tuple[int, str]]:
    """Existing records whose names are near `name` (`Velux-fonden` and `VELUX FONDEN`, `Naturhaven` and
    `Naturhaven for Veteraner`), best first: offered instead of creating a near duplicate."""
    wanted = _squashed(name)
    scored = []
    for record_id, other in existing:
        squashed = _squashed(other)
        ratio = difflib.SequenceMatcher(None, wanted, squashed).ratio()
        if len(wanted) >= 5 and len(squashed) >= 5 and (wanted in squashed or squashed in wanted):
            ratio = max(ratio, 0.9)
        if ratio >= 0.8:
            scored.append((-ratio, other.lower(), record_id, other))
    return [(record_id, other) for _, _, record_id, other in sorted(scored)[:limit]]
