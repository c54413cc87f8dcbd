"""A member finds no other organisation's name in any export or pick-list (but those of the organisations it
applies together with, on their joint applications)."""

import io
import json

import pytest
from openpyxl import load_workbook

from fundtrack.applications.models import Application, Partner
from fundtrack.auth.models import User
from fundtrack.auth.services import create_user
from fundtrack.contacts.models import Contact
from fundtrack.db import db
from fundtrack.feeds.models import CallMatch
from fundtrack.organisations.models import Organisation
from fundtrack.relationships.models import Relationship
from tests.conftest import NOW, login

EXPORTS = [
    "/calls/export.{fmt}?status=all",
    "/calls/export.{fmt}",
    "/applications/export.{fmt}",
    "/deadlines/export.{fmt}",
    "/relationships/export.{fmt}",
    "/funders/export.{fmt}",
]


@pytest.fixture
def member_world(app):
    """The demo data, a colleague of the member and a member of another organisation."""
    from fundtrack import demo

    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
        member = User.get(User.email == "member@example.dk")
        other = Organisation.get(Organisation.name == "Naturhaven for Veteraner")
        create_user("soeren@naturhaven.example.dk", "Søren Naturmand", "member", "correct horse", organisation=other, now=NOW)
        create_user(
            "kollega@cafekornet.example.dk",
            "Kollega Kornet",
            "member",
            "correct horse",
            organisation=member.organisation,
            now=NOW,
        )
        # The organisations it applies together with are named on their joint applications; nobody else is.
        own = member.organisation_id
        led = Application.select(Application.id).where(Application.organisation == own)
        partnered = Partner.select(Partner.application).where(Partner.organisation == own)
        collaborators = {p.organisation_id for p in Partner.select().where(Partner.application.in_(led))}
        collaborators |= {a.organisation_id for a in Application.select().where(Application.id.in_(partnered))}
        assert collaborators  # the demo's joint application
        others = [
            o.name for o in Organisation.select().where((Organisation.id != own) & Organisation.id.not_in(list(collaborators)))
        ]
        others += [
            u.name for u in User.select().where(User.organisation.is_null(False) & (User.organisation != member.organisation_id))
        ]
        staff = {u.name for u in User.select().where(User.organisation.is_null())}  # fundraisers, seen by all
        others += [c.name for c in Contact.select().where(Contact.organisation != member.organisation_id) if c.name not in staff]
        # Every other organisation has calls passed to it that the member's organisation shares.
        shared = CallMatch.select(CallMatch.call).where(CallMatch.organisation == member.organisation_id)
        assert CallMatch.select().where(CallMatch.call.in_(shared) & (CallMatch.organisation != member.organisation_id)).exists()
        own_relationship = Relationship.select().where(Relationship.organisation == member.organisation_id).first()
        return {"member": member, "others": others, "relationship": own_relationship}


def _text(response) -> str:
    """The words of a page or a download, whatever its format."""
    assert response.status_code == 200, (response.request.path, response.status_code)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if response.mimetype == "application/json":
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def _assert_no_other_names(client, path, others):
    text = _text(client.get(path))
    leaked = [name for name in others if name in text]
    assert not leaked, f"{path} shows {leaked}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("path", EXPORTS)
def test_member_exports_name_no_other_organisation(client, member_world, path, fmt):
    login(client, member_world["member"], password="demo")
    _assert_no_other_names(client, path.format(fmt=fmt), member_world["others"])


def test_member_calls_export_names_their_own_organisation(client, member_world):
    login(client, member_world["member"], password="demo")
    records = client.get("/calls/export.json?status=all").get_json()
    assert records and all(r["organisations"] == ["Café Kornet"] for r in records)


@pytest.mark.parametrize(
    "path",
    [
        "/relationships/",
        "/relationships/{relationship}",
        "/calls/?status=all",
        "/applications/",
        "/applications/board",
        "/applications/new",
        "/calendars/",
        "/reports/2026-Q3",
        "/reports/2026-Q3.xlsx",
        "/reports/2026-Q3.json",
        "/deadlines/",
        "/organisations/",
    ],
)
def test_member_pick_lists_name_no_other_organisation(client, member_world, path):
    login(client, member_world["member"], password="demo")
    _assert_no_other_names(client, path.format(relationship=member_world["relationship"].id), member_world["others"])


def test_member_steward_choices_are_fundraisers_and_colleagues(client, member_world):
    login(client, member_world["member"], password="demo")
    body = client.get(f"/relationships/{member_world['relationship'].id}").get_data(as_text=True)
    assert "Kollega Kornet" in body and "Mette Holm" in body
    body = client.get("/relationships/").get_data(as_text=True)
    assert "Kollega Kornet" in body


def test_member_cannot_make_another_organisations_member_steward(client, member_world):
    from tests.conftest import post

    login(client, member_world["member"], password="demo")
    relationship = member_world["relationship"]
    stranger = User.get(User.email == "soeren@naturhaven.example.dk")
    post(client, f"/relationships/{relationship.id}/stewardship", {"steward": str(stranger.id), "next_step": "x"}, token_from="/")
    assert Relationship.get_by_id(relationship.id).steward_id != stranger.id


def test_fundraiser_still_sees_every_organisation_a_call_went_to(client, member_world):
    login(client, "fundraiser@example.dk", password="demo")
    records = client.get("/calls/export.json?status=all").get_json()
    assert any(len(r["organisations"]) > 1 for r in records)
