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


def test_unknown_organisations_and_funders_are_created_with_the_import(app, partners):
    from fundtrack.organisations.models import Organisation

    text = (
        "Titel;Organisation;Fond;Partnere\n"
        "Nyt projekt;Ukendt Forening;Ukendt Fond;\n"
        "Andet projekt;ukendt forening;UKENDT FOND;Ny Partner 20 %\n"
        "Tredje;Café Kornet;Kornmod Fonden;\n"
    )
    checked = preview(importers()["applications"], text.encode("utf-8"), "x.csv")
    assert checked.valid, checked.errors
    assert [(new.kind, new.name) for new in checked.new_records] == [
        ("funder", "Ukendt Fond"),
        ("organisation", "Ny Partner"),
        ("organisation", "Ukendt Forening"),
    ]
    before = Organisation.select().count(), Funder.select().count()
    assert run_import(importers()["applications"], text.encode("utf-8"), "x.csv", actor=None, now=NOW) == 3
    assert (Organisation.select().count(), Funder.select().count()) == (before[0] + 2, before[1] + 1)
    both = Application.select().join(Organisation).where(Organisation.name == "Ukendt Forening")
    assert {a.funder.name for a in both} == {"Ukendt Fond"} and both.count() == 2
    joint = Application.get(Application.title == "Andet projekt")
    assert [(p.organisation.name, p.share_bp) for p in joint.partners] == [("Ny Partner", 2000)]


def test_a_near_name_is_offered_and_can_be_chosen_instead(app, partners):
    from fundtrack.importing import Choices

    kornmod = Funder.get(Funder.name == "Kornmod Fonden")
    text = "Titel;Organisation;Fond\nKøkken;Café Kornet;Kornmod-fonden\n".encode()
    checked = preview(importers()["applications"], text, "x.csv")
    (new,) = checked.new_records
    assert new.similar == [(kornmod.id, "Kornmod Fonden")]
    chosen = Choices(names={new.key: kornmod.id})
    assert not preview(importers()["applications"], text, "x.csv", chosen).new_records
    run_import(importers()["applications"], text, "x.csv", actor=None, now=NOW, choices=chosen)
    assert Application.get(Application.title == "Køkken").funder_id == kornmod.id
    assert Funder.select().where(Funder.name == "Kornmod-fonden").count() == 0


def test_a_failed_import_creates_no_new_record(app, partners):
    text = "Titel;Organisation;Fond;Ansøgningsfrist\nA;Ny Forening;Ny Fond;1.1.2027\nB;Ny Forening;Ny Fond;31.13.2027\n"
    with pytest.raises(ImportRefused):
        run_import(importers()["applications"], text.encode(), "x.csv", actor=None, now=NOW)
    assert Funder.select().where(Funder.name == "Ny Fond").count() == 0


def test_an_unknown_column_can_be_mapped_by_hand(app, partners):
    from fundtrack.importing import Choices

    text = "Titel;Organisation;Fond;Søgt om\nKøkken;Café Kornet;Kornmod Fonden;75.000\n".encode()
    checked = preview(importers()["applications"], text, "x.csv")
    assert checked.ignored_headers == ["Søgt om"]
    mapped = Choices(columns={"Søgt om": "amount_requested_ore"})
    assert preview(importers()["applications"], text, "x.csv", mapped).ignored_headers == []
    run_import(importers()["applications"], text, "x.csv", actor=None, now=NOW, choices=mapped)
    assert Application.get(Application.title == "Køkken").amount_requested_ore == 75_000_00


def test_a_missing_required_column_can_be_mapped_by_hand(app, partners):
    from fundtrack.importing import Choices

    text = "Navn på projekt;Organisation;Fond\nKøkken;Café Kornet;Kornmod Fonden\n".encode()
    assert not preview(importers()["applications"], text, "x.csv").valid
    assert preview(importers()["applications"], text, "x.csv", Choices(columns={"Navn på projekt": "title"})).valid


def test_organisations_import_creates_and_updates(app, create_organisation):
    from fundtrack.organisations.models import Organisation

    create_organisation("Café Kornet")
    text = (
        "Navn;Type;CVR;Interesser;Verdensmål\n"
        "Café Kornet;Forening;12345678;mad, beskæftigelse;8\n"
        "Naturhaven;Social virksomhed;;natur;3, 15\n"
    ).encode()
    checked = preview(importers()["organisations"], text, "x.csv")
    assert [row.action for row in checked.rows] == ["update", "create"]
    assert run_import(importers()["organisations"], text, "x.csv", actor=None, now=NOW) == 2
    cafe = Organisation.get(Organisation.name == "Café Kornet")
    assert (cafe.kind, cafe.cvr_number, cafe.interests) == ("association", "12345678", ["mad", "beskæftigelse"])
    assert Organisation.get(Organisation.name == "Naturhaven").un_goals == [3, 15]
    bad = b"Navn;CVR\nEn;123\n"
    assert [e.column for e in preview(importers()["organisations"], bad, "x.csv").errors] == ["CVR"]


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


def upload(client, data: bytes, filename: str):
    """Send a sheet to the applications import's preview, as the upload form does."""
    return post(
        client,
        "/imports/applications",
        {"file": (io.BytesIO(data), filename)},
        token_from="/imports/applications",
        content_type="multipart/form-data",
    )


def test_upload_preview_and_confirm_in_the_ui(client, login_as, partners):
    login_as("fundraiser")
    data = (FIXTURES / "applications_danish_cp1252.csv").read_bytes()
    response = upload(client, data, "ansøgninger.csv")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Intet blev importeret" in body and "Ansøgningsfrist" in body and "31.13.2027" in body
    fixed = (FIXTURES / "applications_danish_fixed.csv").read_bytes()
    response = upload(client, fixed, "ansøgninger.csv")
    assert response.status_code == 200 and Application.select().count() == 0
    import re

    confirm = re.search(r'action="(/imports/applications/\d+/confirm)"', response.get_data(as_text=True)).group(1)
    response = post(client, confirm, token_from="/imports/applications")
    assert response.status_code == 302
    assert Application.select().count() == 5


def test_the_preview_speaks_danish_and_names_the_new_records(client, login_as):
    """The first act of a new fundraiser: the sheet names funders and organisations fundtrack does not know yet."""
    import re

    from fundtrack.organisations.models import Organisation

    Funder.create(name="VELUX FONDEN")
    login_as("fundraiser")
    text = "Titel;Ansøger;Fond;Status\nKøkken;Café Kornet;Velux-fonden;Afslag\nHave;Naturhaven;Nordea-fonden;Idé\n"
    response = upload(client, text.encode(), "ark.csv")
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    assert response.status_code == 400
    assert "Filen har 1 fejl" in body and "Afgjort den En afgjort ansøgning skal have datoen for afgørelsen." in body
    assert "2 nye fonde og 2 nye organisationer oprettes med importen." in body and "Brug VELUX FONDEN" in body
    missing = upload(client, b"Navn;Fond\nx;y\n", "ark.csv").get_data(as_text=True)
    assert "Filen har ingen kolonne for Titel" in missing and "for Title" not in missing
    assert Application.select().count() == 0 and Organisation.select().count() == 0


def test_the_preview_keeps_the_file_and_imports_with_the_choices(client, login_as):
    import re

    velux = Funder.create(name="VELUX FONDEN")
    login_as("fundraiser")
    text = "Titel;Ansøger;Fond;Søgt om\nKøkken;Café Kornet;Velux-fonden;10.000\nHave;Naturhaven;Nordea-fonden;\n"
    response = upload(client, text.encode(), "ark.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 ny fond" not in body and "2 nye fonde" in body
    check = re.search(r'formaction="(/imports/applications/\d+/check)"', body).group(1)
    choices = {"column:Søgt om": "amount_requested_ore", "name:funder:velux-fonden": str(velux.id)}
    body = post(client, check, choices, token_from="/imports/applications").get_data(as_text=True)
    assert "1 ny fond" in body and "2 nye organisationer" in body
    assert 'value="amount_requested_ore" selected' in body  # the choice is shown as made
    confirm = re.search(r'action="(/imports/applications/\d+/confirm)"', body).group(1)
    assert post(client, confirm, choices, token_from="/imports/applications").status_code == 302
    kitchen = Application.get(Application.title == "Køkken")
    assert (kitchen.funder_id, kitchen.amount_requested_ore) == (velux.id, 10_000_00)
    assert Funder.select().count() == 2


def test_organisations_export_and_import_pages(client, login_as, create_organisation):
    create_organisation("Café Kornet", cvr_number="12345678")
    login_as("fundraiser")
    assert "Café Kornet" in client.get("/organisations/export.csv").get_data(as_text=True)
    assert client.get("/imports/organisations").status_code == 200
    assert "/imports/organisations" in client.get("/organisations/").get_data(as_text=True)


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


def test_cli_imports_and_exports_organisations(runner, tmp_path):
    sheet = tmp_path / "organisationer.csv"
    sheet.write_text("Navn;Type;Hjemmeside\nCafé Kornet;Forening;https://kornet.dk\n", encoding="utf-8")
    result = runner.invoke(["import", "organisations", str(sheet)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "organisations.json"
    assert runner.invoke(["export", "organisations", "--format", "json", "-o", str(out)]).exit_code == 0
    (record,) = json.loads(out.read_text(encoding="utf-8"))
    assert (record["name"], record["kind"], record["website"]) == ("Café Kornet", "association", "https://kornet.dk")


def test_cli_names_the_new_records_an_import_creates(runner, tmp_path):
    sheet = tmp_path / "ark.csv"
    sheet.write_text("Titel;Organisation;Fond\nKøkken;Café Kornet;Velux Fonden\n", encoding="utf-8")
    result = runner.invoke(["import", "applications", str(sheet), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "new funder: Velux Fonden" in result.output and "new organisation: Café Kornet" in result.output
    assert Funder.select().count() == 0
