"""A project's budget and funding mosaic, against figures worked out by hand.

"Kantinen" of Café Kornet costs 1.000.000 kr.: wages 600.000, kitchen equipment 250.000, rent 150.000.
Its money: Velux granted 300.000 kr. (350.000 asked; it pays for the kitchen), Tryg submitted for 200.000 kr.
(a 40 % chance: 80.000 counted), Nordea being written for 100.000 kr. (25 %: 25.000 counted), own revenue
120.000 kr. and the municipality 80.000 kr. Secured: 500.000 kr.; with the pending weighted 605.000 kr.;
missing 395.000 kr. (500.000 kr. if neither pending application is granted).
"""

import csv
import io
import json

import pytest

from fundtrack.applications.services import move_stage
from fundtrack.importing import ImportRefused, run_import
from fundtrack.projects import services
from fundtrack.projects.models import BudgetLine, Project
from fundtrack.projects.transfer import IMPORTER
from fundtrack.validation import ValidationError
from tests.conftest import NOW, post

KR = 100


@pytest.fixture
def canteen(app, create_organisation, create_funder, create_application):
    kornet = create_organisation("Café Kornet")

    def application(title, funder, kroner, stage="drafting"):
        return create_application(
            organisation=kornet, funder=create_funder(funder), title=title, amount_requested_ore=kroner * KR, stage=stage
        )

    velux = application("Køkkenet", "Velux Fonden", 350_000, stage="submitted")
    move_stage(velux, "granted", actor=None, now=NOW, amount_granted_ore=300_000 * KR)
    tryg = application("Kantinens drift", "Tryg Fonden", 200_000, stage="submitted")
    nordea = application("Nye hænder", "Nordea-fonden", 100_000)
    project = services.create_project({"organisation": kornet, "name": "Kantinen"}, actor=None, now=NOW)

    def line(**data):
        return services.add_line(project, data, actor=None, now=NOW)

    line(side="cost", label="Løn", amount_ore=600_000 * KR)
    kitchen = line(side="cost", label="Køkkenudstyr", amount_ore=250_000 * KR)
    line(side="cost", label="Husleje", amount_ore=150_000 * KR)
    line(side="income", kind="application", application=velux, covers=kitchen)
    line(side="income", kind="application", application=tryg)
    line(side="income", kind="application", application=nordea)
    line(side="income", kind="own_revenue", label="Salg af frokost", amount_ore=120_000 * KR)
    line(side="income", kind="municipality", label="Kommunal medfinansiering", amount_ore=80_000 * KR)
    return {"kornet": kornet, "project": project, "velux": velux, "tryg": tryg, "nordea": nordea, "kitchen": kitchen}


def test_the_mosaic_matches_the_hand_worked_budget(canteen, app):
    m = services.mosaic(canteen["project"], app.extensions["fundtrack.settings"].reports)
    assert m.cost_ore == 1_000_000 * KR
    assert (m.granted_ore, m.planned_ore, m.secured_ore) == (300_000 * KR, 200_000 * KR, 500_000 * KR)
    assert (m.pending_ore, m.pending_weighted_ore) == (300_000 * KR, 105_000 * KR)
    assert (m.missing_ore, m.missing_if_none_granted_ore, m.surplus_ore) == (395_000 * KR, 500_000 * KR, 0)
    [velux] = m.covering[canteen["kitchen"].id]
    assert (velux.line.application_id, velux.status, velux.amount_ore) == (canteen["velux"].id, "granted", 300_000 * KR)


def test_a_rejected_application_counts_nothing_and_a_grant_fills_the_gap(canteen, app, create_user):
    move_stage(canteen["tryg"], "rejected", actor=None, now=NOW, reason_code="budget")
    settings = app.extensions["fundtrack.settings"].reports
    m = services.mosaic(canteen["project"], settings)
    assert (m.pending_weighted_ore, m.lost_ore, m.missing_ore) == (25_000 * KR, 200_000 * KR, 475_000 * KR)
    fundraiser = create_user("fundraiser")
    move_stage(canteen["nordea"], "submitted", actor=fundraiser, now=NOW, override_reason="Tjekket i telefonen")
    move_stage(canteen["nordea"], "granted", actor=None, now=NOW, amount_granted_ore=600_000 * KR)
    m = services.mosaic(canteen["project"], settings)
    assert (m.granted_ore, m.missing_ore, m.surplus_ore) == (900_000 * KR, 0, 100_000 * KR)


def test_the_page_shows_the_mosaic_and_which_money_pays_for_what(canteen, client, login_as):
    login_as("member", organisation=canteen["kornet"])
    page = client.get(f"/projects/{canteen['project'].id}").get_data(as_text=True)
    for text in ("1.000.000 kr.", "300.000 kr.", "395.000 kr.", "105.000 kr.", "Salg af frokost", "Bevilget", "Afventer"):
        assert text in page, text
    kitchen_row = page[page.index("<td>Køkkenudstyr</td>") :].split("</tr>")[0]
    assert "Køkkenet" in kitchen_row
    application_page = client.get(f"/applications/{canteen['velux'].id}").get_data(as_text=True)
    assert "Kantinen" in application_page


def test_an_application_funds_one_project_of_its_own_organisation(canteen, create_application):
    other = services.create_project({"organisation": canteen["kornet"], "name": "Caféen"}, actor=None, now=NOW)
    with pytest.raises(ValidationError) as taken:
        services.add_line(other, {"side": "income", "kind": "application", "application": canteen["velux"]}, actor=None, now=NOW)
    assert "application" in taken.value.errors
    foreign = create_application(title="Andres")
    with pytest.raises(ValidationError) as elsewhere:
        services.add_line(other, {"side": "income", "kind": "application", "application": foreign}, actor=None, now=NOW)
    assert "application" in elsewhere.value.errors


def test_a_rejected_line_keeps_what_was_typed(canteen, client, login_as):
    login_as("fundraiser")
    response = post(
        client, f"/projects/{canteen['project'].id}/lines", {"side": "cost", "label": "Markedsføring", "amount_ore": "1e99"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Markedsføring"' in page and 'value="1e99"' in page
    response = post(client, f"/projects/{canteen['project'].id}/lines", {"side": "cost", "label": "Markedsføring"})
    assert response.status_code == 400 and "Angiv beløbet" in response.get_data(as_text=True)
    assert not BudgetLine.select().where(BudgetLine.label == "Markedsføring").exists()


def test_another_organisations_member_finds_nothing(canteen, client, login_as, create_organisation):
    login_as("member", organisation=create_organisation("Naturhaven"))
    project, line = canteen["project"], canteen["kitchen"]
    for url in (
        f"/projects/{project.id}",
        f"/projects/{project.id}/edit",
        f"/projects/{project.id}/lines/{line.id}",
    ):
        assert client.get(url).status_code == 404, url
    writes = (f"/projects/{project.id}/delete", f"/projects/{project.id}/lines", f"/projects/{project.id}/lines/{line.id}/delete")
    for url in writes:
        assert post(client, url, {"side": "cost", "label": "x", "amount_ore": "1"}).status_code == 404, url
    assert "Kantinen" not in client.get("/projects/").get_data(as_text=True)
    assert json.loads(client.get("/projects/export.json").get_data()) == []
    assert json.loads(client.get("/projects/budget.json").get_data()) == []
    assert Project.get_by_id(project.id) and BudgetLine.get_by_id(line.id)


def test_a_line_in_the_url_must_belong_to_the_project_in_the_url(canteen, client, login_as):
    login_as("fundraiser")
    other = services.create_project({"organisation": canteen["kornet"], "name": "Caféen"}, actor=None, now=NOW)
    assert client.get(f"/projects/{other.id}/lines/{canteen['kitchen'].id}").status_code == 404


def test_the_exports_carry_the_totals_and_every_line(canteen, client, login_as):
    login_as("viewer")
    [row] = json.loads(client.get("/projects/export.json").get_data())
    assert (row["name"], row["costs"], row["granted"], row["pending_weighted"], row["missing"]) == (
        "Kantinen",
        1_000_000,
        300_000,
        105_000,
        395_000,
    )
    lines = json.loads(client.get("/projects/budget.json").get_data())
    assert len(lines) == 8
    velux = next(line for line in lines if line["application"] == "Køkkenet")
    assert (velux["side"], velux["kind"], velux["covers"], velux["amount"]) == ("income", "application", "Køkkenudstyr", None)


SHEET = """Projekt;Organisation;Type;Kilde;Post;Beløb;Ansøgning;Dækker;Projektstart;Projektslut
Værkstedet;Café Kornet;Udgift;;Værktøj;80.000 kr.;;;1. marts 2027;28. februar 2028
Værkstedet;Café Kornet;Indtægt;Ansøgning;;;Værktøjskassen;Værktøj;;
Værkstedet;Café Kornet;Indtægt;Egenindtægt;Reparationer;20.000;;;;
"""


@pytest.fixture
def toolbox(canteen, create_application):
    return create_application(organisation=canteen["kornet"], title="Værktøjskassen", amount_requested_ore=60_000 * KR)


def test_a_budget_sheet_imports_a_project_with_its_lines(canteen, toolbox):
    count = run_import(IMPORTER, SHEET.encode(), "budget.csv", actor=None, now=NOW)
    assert count == 3
    project = Project.get(Project.name == "Værkstedet")
    assert (project.start_on.isoformat(), project.end_on.isoformat()) == ("2027-03-01", "2028-02-28")
    lines = {line.label: line for line in project.lines}
    assert lines["Værktøj"].amount_ore == 80_000 * KR
    assert lines["Værktøjskassen"].application_id == toolbox.id
    assert lines["Værktøjskassen"].covers_id == lines["Værktøj"].id


def test_a_budget_sheet_with_one_bad_row_changes_nothing(canteen, toolbox):
    bad = SHEET + "Værkstedet;Café Kornet;Indtægt;Ansøgning;;;Findes ikke;;;\n"
    with pytest.raises(ImportRefused) as refused:
        run_import(IMPORTER, bad.encode(), "budget.csv", actor=None, now=NOW)
    [error] = refused.value.preview.errors
    assert (error.row, error.column) == (5, "Ansøgning")
    assert not Project.select().where(Project.name == "Værkstedet").exists()


def test_the_budget_export_reads_back_into_the_import(canteen, client, login_as):
    login_as("fundraiser")
    exported = client.get("/projects/budget.csv").get_data()
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert {row["line"] for row in rows} >= {"Løn", "Køkkenudstyr", "Salg af frokost"}
    services.delete_project(canteen["project"], actor=None, now=NOW)
    count = run_import(IMPORTER, exported, "budget.csv", actor=None, now=NOW)
    assert count == 8
    project = Project.get(Project.name == "Kantinen")
    m = services.mosaic(project, client.application.extensions["fundtrack.settings"].reports)
    assert (m.cost_ore, m.granted_ore, m.missing_ore) == (1_000_000 * KR, 300_000 * KR, 395_000 * KR)
