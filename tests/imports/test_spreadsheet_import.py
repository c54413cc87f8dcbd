"""Importing the spreadsheets fundraisers keep today: messy Danish CSV and XLSX, all rows or none."""

import io
import json
from pathlib import Path

import pytest

from fundtrack.applications.models import Application
from fundtrack.funders.models import Funder
from fundtrack.importing import ImportRefused, preview, run_import
from fundtrack.imports.services import importers
from tests.conftest import NOW, post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheets"


@pytest.fixture
def partners(create_organisation, create_funder):
    for name in ("Café Kornet", "Naturhaven for Veteraner", "Genbrugslab", "Reparationscaféen"):
        create_organisation(name)
    for name in ("Kornmod Fonden", "Lindegaard Fonden", "Fælleskøb Dagligvarer Fond", "Nordlys Fonden"):
        create_funder(name=name)


def test_danish_funders_csv_with_semicolons_and_windows_1252(app):
    data = (FIXTURES / "funders_danish_cp1252.csv").read_bytes()
    assert "Grøn".encode("cp1252") in data  # really Windows-1252, not UTF-8
    count = run_import(importers()["funders"], data, "fonde.csv", actor=None, now=NOW)
    assert count == 3
    kornmod = Funder.get(Funder.name == "Kornmod Fonden")
    assert (kornmod.grant_min_ore, kornmod.grant_max_ore) == (50_000_00, 400_000_00)
    assert kornmod.allows_consultant_fees is True and kornmod.cooldown_after_grant_months == 12
    assert kornmod.focus_tags == ["mad", "beskæftigelse"] and kornmod.un_goals == [8]
    csr = Funder.get(Funder.name == "Grøn Ring Affald CSR")
    assert csr.kind == "company_csr" and csr.allows_consultant_fees is False
    assert Funder.get(Funder.name == "Puljen til Frivilligt Socialt Arbejde").un_goals == [10, 17]


def test_importing_the_same_funders_again_updates_them(app):
    data = (FIXTURES / "funders_danish_cp1252.csv").read_bytes()
    run_import(importers()["funders"], data, "fonde.csv", actor=None, now=NOW)
    checked = preview(importers()["funders"], data, "fonde.csv")
    assert [row.action for row in checked.rows] == ["update"] * 3
    run_import(importers()["funders"], data, "fonde.csv", actor=None, now=NOW)
    assert Funder.select().count() == 3


def test_one_bad_row_blocks_the_whole_import_and_names_row_and_column(app, partners):
    data = (FIXTURES / "applications_danish_cp1252.csv").read_bytes()
    with pytest.raises(ImportRefused) as refused:
        run_import(importers()["applications"], data, "ansøgninger.csv", actor=None, now=NOW)
    errors = refused.value.preview.errors
    assert [(e.row, e.column) for e in errors] == [(5, "Ansøgningsfrist")]
    assert "31.13.2027" in errors[0].params["value"]
    assert Application.select().count() == 0


def test_the_corrected_file_imports_every_row_with_danish_numbers_and_dates(app, partners):
    import datetime as dt

    data = (FIXTURES / "applications_danish_fixed.csv").read_bytes()
    assert run_import(importers()["applications"], data, "ansøgninger.csv", actor=None, now=NOW) == 5
    school = Application.get(Application.title == "Køkkenskolen år 1")
    assert (school.stage, school.amount_requested_ore, school.amount_granted_ore) == ("granted", 250_000_00, 200_000_00)
    assert (school.submitted_on, school.project_start_on, school.project_end_on) == (
        dt.date(2025, 2, 28),
        dt.date(2025, 5, 1),
        dt.date(2026, 4, 30),
    )
    soup = Application.get(Application.title == "Suppekøkken")
    assert soup.amount_requested_ore == 1_250_000_50
    assert soup.deadlines.get().due_on == dt.date(2027, 3, 1)
    rejected = Application.get(Application.title == "Sansehaven")
    assert (rejected.stage, rejected.decided_on, school.decided_on) == ("rejected", dt.date(2025, 11, 1), dt.date(2025, 4, 15))


def test_a_decided_row_needs_its_decision_day(app, partners):
    text = "Titel;Organisation;Fond;Status;Bevilget\nKøkken;Café Kornet;Kornmod Fonden;Bevilget;50.000\n"
    checked = preview(importers()["applications"], text.encode("utf-8"), "x.csv")
    assert [(e.row, e.column, e.message) for e in checked.errors] == [
        (2, "Decided on", "A decided application needs the date of the decision.")
    ]


def test_unknown_organisation_and_funder_are_named(app, partners):
    text = "Titel;Organisation;Fond\nNyt projekt;Ukendt Forening;Ukendt Fond\n"
    checked = preview(importers()["applications"], text.encode("utf-8"), "x.csv")
    assert {(e.row, e.column) for e in checked.errors} == {(2, "Organisation"), (2, "Fond")}


def test_missing_required_column_is_a_file_error(app):
    checked = preview(importers()["applications"], b"Titel;Fond\nx;y\n", "x.csv")
    assert checked.errors[0].row == 0 and "Organisation" in checked.errors[0].params["column"]


def test_duplicate_rows_in_one_file_are_refused(app, partners):
    text = "Titel,Organisation,Fond\nA,Café Kornet,Kornmod Fonden\nA,Café Kornet,Kornmod Fonden\n"
    checked = preview(importers()["applications"], text.encode("utf-8"), "x.csv")
    assert [(e.row, e.params) for e in checked.errors] == [(3, {"row": 2})]


def test_xlsx_with_english_headers(app, partners):
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "Applicant", "Funder", "Stage", "Amount requested", "Submission deadline"])
    sheet.append(["Repair days", "Reparationscaféen", "Kornmod Fonden", "submitted", 65000, dt.datetime(2027, 4, 1)])
    sheet.append(["Design school", "Genbrugslab", "Nordlys Fonden", "Idea", "55.000,00", "1/5/2027"])
    out = io.BytesIO()
    workbook.save(out)
    assert run_import(importers()["applications"], out.getvalue(), "book.xlsx", actor=None, now=NOW) == 2
    assert Application.get(Application.title == "Repair days").amount_requested_ore == 65_000_00


def test_a_file_that_is_no_spreadsheet(app):
    checked = preview(importers()["funders"], b"\x00\x01 not a table", "fonde.pdf")
    assert checked.errors and not checked.valid


def test_upload_preview_and_confirm_in_the_ui(client, login_as, partners):
    login_as("fundraiser")
    data = (FIXTURES / "applications_danish_cp1252.csv").read_bytes()
    response = post(
        client,
        "/imports/applications",
        {"file": (io.BytesIO(data), "ansøgninger.csv")},
        token_from="/imports/applications",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Intet blev importeret" in body and "Ansøgningsfrist" in body and "31.13.2027" in body
    fixed = (FIXTURES / "applications_danish_fixed.csv").read_bytes()
    response = post(
        client,
        "/imports/applications",
        {"file": (io.BytesIO(fixed), "ansøgninger.csv")},
        token_from="/imports/applications",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and Application.select().count() == 0
    import re

    confirm = re.search(r'action="(/imports/applications/\d+/confirm)"', response.get_data(as_text=True)).group(1)
    response = post(client, confirm, token_from="/imports/applications")
    assert response.status_code == 302
    assert Application.select().count() == 5


def test_another_users_upload_cannot_be_confirmed(client, login_as, create_user, app):
    from fundtrack.imports.services import stage_upload

    other = create_user(role="fundraiser")
    pending, _ = stage_upload(other, "funders", "x.csv", b"Navn\nFond A\n", now=NOW)
    login_as("fundraiser")
    assert post(client, f"/imports/funders/{pending.id}/confirm", token_from="/").status_code == 404


def test_cli_import_and_export(runner, partners, tmp_path):
    bad = runner.invoke(["import", "applications", str(FIXTURES / "applications_danish_cp1252.csv")])
    assert bad.exit_code != 0
    assert "row 5, column 'Ansøgningsfrist'" in bad.output
    good = runner.invoke(["import", "applications", str(FIXTURES / "applications_danish_fixed.csv")])
    assert good.exit_code == 0, good.output
    assert "Imported 5 applications" in good.output
    out = tmp_path / "applications.json"
    result = runner.invoke(["export", "applications", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    school = next(r for r in records if r["title"] == "Køkkenskolen år 1")
    assert school["organisation"] == "Café Kornet" and isinstance(school["organisation_id"], int)
    assert school["amount_requested"] == 250000 and school["submitted_on"] == "2025-02-28"
