"""The application list, board and page, and the forms that change an application."""

import datetime as dt
import json

import pytest

from fundtrack import clock
from fundtrack.applications.models import Application, StageChange
from fundtrack.applications.services import move_stage
from fundtrack.deadlines.services import add_deadline
from tests.conftest import NOW, post


@pytest.fixture
def pipeline(create_application, create_organisation, create_funder):
    cafe, garden = create_organisation("Café Kornet"), create_organisation("Naturhaven")
    kornmod, linde = create_funder(name="Kornmod Fonden"), create_funder(name="Lindegaard Fonden")
    apps = {
        "school": create_application(
            organisation=cafe, funder=kornmod, title="Køkkenskolen", stage="drafting", amount_requested_ore=300_000_00
        ),
        "soup": create_application(
            organisation=cafe, funder=linde, title="Suppekøkken", stage="submitted", amount_requested_ore=100_000_00
        ),
        "haven": create_application(
            organisation=garden, funder=linde, title="Sansehaven", stage="idea", amount_requested_ore=450_000_00
        ),
    }
    today = clock.today()
    add_deadline(apps["school"], "submission", today + dt.timedelta(days=5), now=NOW)
    add_deadline(apps["haven"], "submission", today + dt.timedelta(days=60), now=NOW)
    add_deadline(apps["soup"], "decision_expected", today - dt.timedelta(days=3), now=NOW)
    return {"cafe": cafe, "garden": garden, "kornmod": kornmod, "linde": linde, **apps}


def _titles(body: str, titles=("Køkkenskolen", "Suppekøkken", "Sansehaven")):
    return [t for t in sorted(titles, key=lambda t: body.find(t)) if t in body]


def test_list_filters(client, login_as, pipeline):
    login_as("fundraiser")
    body = client.get(f"/applications/?organisation={pipeline['cafe'].id}").get_data(as_text=True)
    assert "Sansehaven" not in body and "Køkkenskolen" in body
    body = client.get(f"/applications/?funder={pipeline['linde'].id}&stage=idea").get_data(as_text=True)
    assert _titles(body) == ["Sansehaven"]
    assert _titles(client.get("/applications/?window=7").get_data(as_text=True)) == ["Køkkenskolen"]
    assert _titles(client.get("/applications/?window=overdue").get_data(as_text=True)) == ["Suppekøkken"]
    assert _titles(client.get("/applications/?q=haven").get_data(as_text=True)) == ["Sansehaven"]


def test_list_sorts_by_any_column(client, login_as, pipeline):
    login_as("fundraiser")
    body = client.get("/applications/?sort=requested&dir=desc").get_data(as_text=True)
    assert _titles(body) == ["Sansehaven", "Køkkenskolen", "Suppekøkken"]
    body = client.get("/applications/?sort=deadline&dir=asc").get_data(as_text=True)
    assert _titles(body) == ["Suppekøkken", "Køkkenskolen", "Sansehaven"]
    body = client.get("/applications/?sort=title&dir=asc").get_data(as_text=True)
    assert _titles(body) == ["Køkkenskolen", "Sansehaven", "Suppekøkken"]


def test_list_is_paginated(client, login_as, create_application):
    organisation_apps = [create_application(title=f"Ansøgning {i:03d}") for i in range(55)]
    login_as("viewer")
    first = client.get("/applications/?sort=title&dir=asc").get_data(as_text=True)
    assert "Ansøgning 000" in first and "Ansøgning 050" not in first and "Side 1 af 2" in first
    second = client.get("/applications/?sort=title&dir=asc&page=2").get_data(as_text=True)
    assert "Ansøgning 054" in second and "Ansøgning 000" not in second
    assert len(organisation_apps) == 55


def test_board_shows_columns_with_cards_and_plain_move_forms(client, login_as, pipeline):
    login_as("fundraiser")
    body = client.get("/applications/board").get_data(as_text=True)
    assert body.index("Sansehaven") < body.index("Køkkenskolen") < body.index("Suppekøkken")
    assert 'draggable="true"' in body and 'class="card-move"' in body
    assert "js/board.js" in body


def test_viewer_sees_the_board_without_moves(client, login_as, pipeline):
    login_as("viewer")
    body = client.get("/applications/board").get_data(as_text=True)
    assert "Køkkenskolen" in body and 'draggable="true"' not in body and "board.js" not in body


def test_plain_form_move_without_javascript(client, login_as, pipeline, complete_checklist):
    complete_checklist(pipeline["school"])
    login_as("fundraiser")
    response = post(
        client,
        f"/applications/{pipeline['school'].id}/move",
        {"to": "submitted", "from_board": "1", "next": "/applications/board"},
        token_from="/applications/board",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/applications/board"
    assert Application.get_by_id(pipeline["school"].id).stage == "submitted"


def test_board_drag_is_checked_by_the_server(client, login_as, pipeline):
    login_as("fundraiser")
    headers = {"Accept": "application/json"}
    ok = post(client, f"/applications/{pipeline['haven'].id}/move", {"to": "drafting"}, token_from="/", headers=headers)
    assert ok.status_code == 200 and ok.get_json() == {"ok": True, "stage": "drafting", "label": "Under udarbejdelse"}
    refused = post(client, f"/applications/{pipeline['haven'].id}/move", {"to": "granted"}, token_from="/", headers=headers)
    assert refused.status_code == 409
    assert "kan ikke flyttes fra Under udarbejdelse til Bevilget" in refused.get_json()["error"]
    details = post(client, f"/applications/{pipeline['soup'].id}/move", {"to": "rejected"}, token_from="/", headers=headers)
    assert details.status_code == 409 and details.get_json()["details_url"].endswith("to=rejected")


def test_rejection_through_the_move_page(client, login_as, pipeline):
    login_as("fundraiser")
    page = client.get(f"/applications/{pipeline['soup'].id}/move?to=rejected").get_data(as_text=True)
    assert "Begrundelse for afslaget" in page
    response = post(
        client,
        f"/applications/{pipeline['soup'].id}/move",
        {"to": "rejected", "reason_code": "outside_focus", "reason": "Uden for fokus i år"},
        token_from="/",
    )
    assert response.status_code == 302
    change = StageChange.select().where(StageChange.application == pipeline["soup"]).order_by(StageChange.id.desc()).get()
    assert (change.to_stage, change.reason_code, change.reason) == ("rejected", "outside_focus", "Uden for fokus i år")
    body = client.get(f"/applications/{pipeline['soup'].id}").get_data(as_text=True)
    assert "Uden for fondens fokus" in body and "Uden for fokus i år" in body


def test_refused_move_in_the_form_says_why(client, login_as, pipeline):
    login_as("fundraiser")
    response = post(client, f"/applications/{pipeline['haven'].id}/move", {"to": "closed"}, token_from="/")
    assert response.status_code == 409
    assert "kan ikke flyttes fra Idé til Afsluttet" in response.get_data(as_text=True)


def test_create_and_edit_an_application(client, login_as, pipeline):
    login_as("fundraiser")
    response = post(
        client,
        "/applications/new",
        {
            "organisation": pipeline["garden"].id,
            "funder": pipeline["kornmod"].id,
            "title": "Bistader",
            "amount_requested_ore": "75.000,00 kr.",
            "project_start_on": "1. marts 2027",
            "project_end_on": "2027-02-01",
            "purpose": "Honning og ro",
        },
        token_from="/applications/new",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Projektet kan ikke slutte, før det begynder" in body and "Honning og ro" in body
    response = post(
        client,
        "/applications/new",
        {
            "organisation": pipeline["garden"].id,
            "funder": pipeline["kornmod"].id,
            "title": "Bistader",
            "amount_requested_ore": "75.000,00 kr.",
            "project_start_on": "1. marts 2027",
            "project_end_on": "28/2/2028",
            "cosigned_on": "2027-01-15",
            "cosigned_by": "Kommunaldirektøren",
        },
        token_from="/applications/new",
    )
    assert response.status_code == 302
    application = Application.get(Application.title == "Bistader")
    assert application.amount_requested_ore == 75_000_00 and application.project_end_on == dt.date(2028, 2, 28)
    assert application.cosigned_by == "Kommunaldirektøren"
    response = post(
        client,
        f"/applications/{application.id}/edit",
        {
            "organisation": pipeline["garden"].id,
            "funder": pipeline["kornmod"].id,
            "title": "Bistader og honning",
            "amount_requested_ore": "80000",
        },
        token_from="/",
    )
    assert response.status_code == 302
    assert Application.get_by_id(application.id).amount_requested_ore == 80_000_00


def test_member_creates_only_for_own_organisation_and_never_sets_the_grant(client, login_as, pipeline):
    login_as("member", organisation=pipeline["cafe"])
    response = post(
        client,
        "/applications/new",
        {
            "organisation": pipeline["garden"].id,
            "funder": pipeline["kornmod"].id,
            "title": "Snydeansøgning",
            "amount_granted_ore": "1.000.000",
        },
        token_from="/applications/new",
    )
    assert response.status_code == 302
    application = Application.get(Application.title == "Snydeansøgning")
    assert application.organisation_id == pipeline["cafe"].id
    assert application.amount_granted_ore is None


def test_member_cannot_touch_another_organisations_application(client, login_as, pipeline):
    login_as("member", organisation=pipeline["cafe"])
    garden = pipeline["haven"].id
    assert client.get(f"/applications/{garden}").status_code == 404
    assert post(client, f"/applications/{garden}/move", {"to": "drafting"}, token_from="/").status_code == 404
    assert post(client, f"/applications/{garden}/edit", {"title": "x"}, token_from="/").status_code == 404
    assert Application.get_by_id(garden).stage == "idea"


def test_viewer_cannot_move_or_see_notes(client, login_as, pipeline):
    Application.update(notes="Fortroligt: ring til formanden").where(Application.id == pipeline["school"].id).execute()
    login_as("viewer")
    assert "Fortroligt" not in client.get(f"/applications/{pipeline['school'].id}").get_data(as_text=True)
    assert post(client, f"/applications/{pipeline['school'].id}/move", {"to": "submitted"}, token_from="/").status_code == 403


def test_application_page_shows_history_deadlines_and_time_in_stage(client, login_as, pipeline, complete_checklist):
    complete_checklist(pipeline["school"])
    user = login_as("fundraiser", name="Mette Holm")
    move_stage(pipeline["school"], "submitted", actor=user, now=NOW)
    body = client.get(f"/applications/{pipeline['school'].id}").get_data(as_text=True)
    assert "Under udarbejdelse → Indsendt" in body and "Mette Holm" in body
    assert "dage i denne fase" in body and "Ansøgningsfrist" in body


def test_export_as_csv_xlsx_and_json(client, login_as, pipeline):
    login_as("fundraiser")
    response = client.get("/applications/export.json?stage=drafting")
    records = json.loads(response.data)
    assert [r["title"] for r in records] == ["Køkkenskolen"]
    record = records[0]
    assert record["organisation"] == "Café Kornet" and record["organisation_id"] == pipeline["cafe"].id
    assert record["amount_requested"] == 300000 and record["stage"] == "drafting"
    csv_text = client.get("/applications/export.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id;title;organisation;")
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get("/applications/export.xlsx").data))
    assert workbook.active.max_row == 4
    deadlines = json.loads(client.get("/deadlines/export.json").data)
    assert {d["application"] for d in deadlines} == {"Køkkenskolen", "Suppekøkken", "Sansehaven"}
    funders = json.loads(client.get("/funders/export.json").data)
    assert {f["name"] for f in funders} == {"Kornmod Fonden", "Lindegaard Fonden"}


def test_member_export_holds_only_own_organisation(client, login_as, pipeline):
    login_as("member", organisation=pipeline["garden"])
    records = json.loads(client.get("/applications/export.json").data)
    assert [r["title"] for r in records] == ["Sansehaven"]
    deadlines = json.loads(client.get("/deadlines/export.json").data)
    assert [d["application"] for d in deadlines] == ["Sansehaven"]
