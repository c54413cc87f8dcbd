"""Reading and writing tables as fundraisers keep them: CSV (comma or semicolon, UTF-8 or Windows-1252) and XLSX.

Also the readers of the values inside such files: Danish and English dates and yes/no.
Amounts are read by `fundtrack.money.parse_dkk`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

MONTHS = {
    # Danish, then English; full names and the usual abbreviations.
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "october": 10,
    "oct": 10,
}


class SpreadsheetError(Exception):
    """The file cannot be read as a table at all (wrong format, empty, no header)."""


@dataclass
class Table:
    """A sheet: its header texts, and its rows as dicts keyed by header, each with its line number."""

    headers: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """`Ansøgt beløb (kr.)` -> `ansøgt beløb kr`: lower case, punctuation and extra spaces gone."""
    text = unicodedata.normalize("NFC", str(text or "")).strip().lower()
    text = re.sub(r"[^\wæøå]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet of an XLSX file or the rows of a CSV file, with the first non-empty row as header."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        rows = _csv_rows(data)
    else:
        raise SpreadsheetError(f"{filename}: only .csv and .xlsx files can be read")
    numbered = [(number, row) for number, row in rows if any(_present(cell) for cell in row)]
    if not numbered:
        raise SpreadsheetError("the file holds no rows")
    header_number, header = numbered[0]
    headers = [str(cell).strip() if cell is not None else "" for cell in header]
    table = Table(headers=headers)
    for number, row in numbered[1:]:
        values = {headers[i]: row[i] if i < len(row) else None for i in range(len(headers)) if headers[i]}
        table.rows.append((number, values))
    return table


def _present(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _csv_rows(data: bytes) -> list[tuple[int, list]]:
    text = decode_text(data)
    sample = text[:20_000]
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = max([";", ",", "\t"], key=lambda d: first_line.count(d))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(number, row) for number, row in enumerate(reader, start=1)]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as Danish Excel saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    # openpyxl takes a good while to import: loaded only when a workbook is read or written.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise SpreadsheetError(f"the file is not a readable XLSX workbook ({error.__class__.__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def parse_date(value) -> dt.date | None:
    """A date from a cell: `01-03-2027`, `1/3/2027`, `01.03.2027`, `2027-03-01`, `1. marts 2027`, `March 1, 2027`.

    Day comes before month in every numeric form except ISO (year first), as in Denmark.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().lower().rstrip(".")
    if not text:
        return None
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?", text):
        year, month, day = (int(g) for g in match.groups())
        return _checked(year, month, day, value)
    if match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        day, month, year = (int(g) for g in match.groups())
        return _checked(year + 2000 if year < 100 else year, month, day, value)
    if match := re.fullmatch(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?,?\s+(\d{4})", text):
        day, month_name, year = match.groups()
        month = MONTHS.get(month_name)
        if month:
            return _checked(int(year), month, int(day), value)
    if match := re.fullmatch(r"([a-zæøå]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text):
        month_name, day, year = match.groups()
        month = MONTHS.get(month_name)
        if month:
            return _checked(int(year), month, int(day), value)
    raise ValueError(f"{value!r} is not a date")


def _checked(year: int, month: int, day: int, original) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{original!r} is not a date") from None


def parse_bool(value) -> bool | None:
    """Yes/no in Danish or English (`ja`, `nej`, `x`, `1`); None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "-", "?", "ved ikke", "unknown"):
        return None
    if text in ("ja", "j", "yes", "y", "x", "1", "true", "sand"):
        return True
    if text in ("nej", "n", "no", "0", "false", "falsk"):
        return False
    raise ValueError(f"{value!r} is not yes or no")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Writing.


def json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_json(records: list[dict]) -> bytes:
    return json.dumps([{k: json_value(v) for k, v in r.items()} for r in records], ensure_ascii=False, indent=2).encode("utf-8")


def flat_value(value) -> object:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


# A text that a spreadsheet program would run as a formula (OWASP's list of first characters) is written with
# a quote before it, so that a title such as =HYPERLINK(...) stays text in the fundraiser's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XLSX (XML 1.0) cannot hold: dropped rather than refused.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def safe_cell(value):
    """A cell's value as a spreadsheet may take it: text neutralised, numbers and dates as they are."""
    if not isinstance(value, str):
        return value
    value = NOT_IN_XML.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(records: list[dict], columns: list[str]) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what Danish Excel opens correctly on a double click."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(c) is None else safe_cell(flat_value(record.get(c))) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: dict[str, tuple[list[str], list[dict]]]) -> bytes:
    """A workbook with one sheet per table: {sheet name: (columns, records)}."""
    # openpyxl takes a good while to import: loaded only when a workbook is read or written.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (columns, records) in sheets.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in records:
            row = []
            for column in columns:
                value = safe_cell(flat_value(record.get(column)))
                if isinstance(value, Decimal):
                    value = float(value)
                if isinstance(value, dt.datetime):
                    value = value.replace(tzinfo=None)
                row.append(value)
            sheet.append(row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def export_bytes(records: list[dict], columns: list[str], fmt: str, sheet: str) -> bytes:
    if fmt == "csv":
        return to_csv(records, columns)
    if fmt == "xlsx":
        return to_xlsx({sheet: (columns, records)})
    if fmt == "json":
        return to_json(records)
    raise ValueError(f"unknown format {fmt!r}")
