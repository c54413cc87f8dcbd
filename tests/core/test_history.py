"""Every change on the record: the History of each record page in the reader's language, the activity page,
and who may read what (members their own organisation's, fees the fundraiser only, notes not the viewers)."""

import datetime as dt
import html
import re

import pytest

from fundtrack.applications.services import move_stage, update_application
from fundtrack.audit.models import AuditEntry
from fundtrack.deadlines.services import add_deadline, update_deadline
from fundtrack.fees.services import set_agreement
from tests.conftest import NOW, login, post


def history_of(body: str) -> str:
    """The History section of a page, as plain words."""
    section = body.split('<section id="history">', 1)[1].split("</section>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


@pytest.fixture
def story(create_application, create_organisation, create_funder, create_user):
    """An application of Café Kornet that a fundraiser moves, changes, gives a deadline and a fee."""
    cafe = create_organisation("Café Kornet")
    fundraiser = create_user(role="fundraiser", name="Mette Holm", email="mette@kommune.example.dk")
    application = create_application(
        organisation=cafe,
        funder=create_funder(name="Kornmod Fonden"),
        title="Køkkenskolen",
        amount_requested_ore=100_000_00,
        actor=fundraiser,
    )
    move_stage(application, "drafting", actor=fundraiser, now=NOW)
    update_application(
        application, {"amount_requested_ore": 150_000_00, "notes": "Ring til fonden i morgen"}, actor=fundraiser, now=NOW
    )
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), actor=fundraiser, now=NOW)
    update_deadline(deadline, kind="submission", due_on=dt.date(2027, 3, 15), actor=fundraiser, now=NOW)
    set_agreement(application, {"kind": "fixed", "fixed_ore": 15_000_00}, actor=fundraiser, now=NOW)
    return {"cafe": cafe, "fundraiser": fundraiser, "application": application}


def test_the_application_page_tells_its_history_in_danish(client, story):
    login(client, story["fundraiser"])
    words = history_of(client.get(f"/applications/{story['application'].id}").get_data(as_text=True))
    assert "Ansøgning flyttet" in words and "Fase: Idé → Under udarbejdelse" in words
    assert "Ansøgt beløb: 100.000 kr. → 150.000 kr." in words
    assert "Frist «Ansøgningsfrist» ændret" in words and "Dato: 1. mar. 2027 → 15. mar. 2027" in words
    assert "Honoraraftale oprettet" in words and "Mette Holm" in words


def test_the_application_page_tells_its_history_in_english(client, story):
    story["fundraiser"].language = "en"
    story["fundraiser"].save()
    login(client, story["fundraiser"])
    words = history_of(client.get(f"/applications/{story['application'].id}").get_data(as_text=True))
    assert "Application moved" in words and "Stage: Idea → Drafting" in words
    assert "Amount requested: DKK 100,000 → DKK 150,000" in words
    assert "Date: Mar 1, 2027 → Mar 15, 2027" in words


def test_members_see_their_own_history_without_fees(client, story, create_user, create_organisation):
    member = create_user(role="member", organisation=story["cafe"])
    login(client, member)
    words = history_of(client.get(f"/applications/{story['application'].id}").get_data(as_text=True))
    assert "Ansøgt beløb" in words and "Ring til fonden" in words
    assert "Honorar" not in words and "15.000 kr." not in words


def test_viewers_see_no_notes_and_no_fees(client, story, create_user):
    login(client, create_user(role="viewer"))
    words = history_of(client.get(f"/applications/{story['application'].id}").get_data(as_text=True))
    assert "Ansøgt beløb" in words and "Ring til fonden" not in words and "Noter" not in words
    assert "Honorar" not in words


def test_another_organisations_member_reads_none_of_it(client, story, create_user, create_organisation):
    from fundtrack.audit.services import activity, visible_entries

    stranger = create_user(role="member", organisation=create_organisation("Naturhaven"))
    assert not visible_entries(stranger).where(AuditEntry.page_id == story["application"].id).exists()
    assert {entry.organisation_id for entry in activity(stranger)} == {stranger.organisation_id}
    login(client, stranger)
    assert client.get(f"/applications/{story['application'].id}").status_code == 404
    assert client.get("/activity/").status_code == 403


def test_organisation_funder_relationship_and_call_pages_have_a_history(client, story, create_funder):
    login(client, story["fundraiser"])
    post(
        client,
        f"/organisations/{story['cafe'].id}/edit",
        {"name": "Café Kornet", "kind": "enterprise", "interests": "mad, kaffe"},
        token_from="/",
    )
    words = history_of(client.get(f"/organisations/{story['cafe'].id}").get_data(as_text=True))
    assert "Organisation ændret" in words and "Interesser: – → mad, kaffe" in words
    funder = story["application"].funder
    post(client, f"/funders/{funder.id}/contacts", {"name": "Sekretariatet"}, token_from="/")
    assert "Kontaktperson «Sekretariatet» oprettet" in history_of(client.get(f"/funders/{funder.id}").get_data(as_text=True))
    relationship = story["application"].funder.relationships.get()
    post(
        client,
        f"/relationships/{relationship.id}/stewardship",
        {"steward": str(story["fundraiser"].id), "next_step": "Takkebrev"},
        token_from="/",
    )
    words = history_of(client.get(f"/relationships/{relationship.id}").get_data(as_text=True))
    assert "Relation ændret" in words and "Næste skridt: – → Takkebrev" in words


def test_the_activity_page_filters_by_kind_person_and_day(client, story, create_user):
    login(client, story["fundraiser"])
    body = client.get("/activity/").get_data(as_text=True)
    assert "Køkkenskolen" in body and "Mette Holm" in body
    deadlines_only = client.get("/activity/?table=deadline").get_data(as_text=True).split('<ol class="history', 1)[1]
    assert "Frist «Ansøgningsfrist» oprettet" in html.unescape(deadlines_only) and "Honoraraftale" not in deadlines_only
    other = create_user(role="fundraiser", name="Lars Skov")
    assert "Ingen ændringer passer" in client.get(f"/activity/?person={other.id}").get_data(as_text=True)
    assert "Køkkenskolen" in client.get(f"/activity/?person={story['fundraiser'].id}").get_data(as_text=True)
    day = NOW.date()
    assert "Køkkenskolen" in client.get(f"/activity/?from={day}&to={day}").get_data(as_text=True)
    assert "Ingen ændringer passer" in client.get(f"/activity/?from={day + dt.timedelta(days=1)}").get_data(as_text=True)
    assert client.get("/activity/?person=%C2%B2").status_code == 400


def test_the_activity_page_is_paginated(client, create_user, create_organisation):
    fundraiser = create_user(role="fundraiser")
    for number in range(60):
        create_organisation(f"Forening {number:02d}")
    login(client, fundraiser)
    first = client.get("/activity/").get_data(as_text=True)
    assert "Side 1 af 2" in first and 'rel="next"' in first
    assert "Forening" in client.get("/activity/?page=2").get_data(as_text=True)


def test_fee_steps_and_deletions_are_recorded(story):
    from fundtrack.deadlines.services import delete_deadline
    from fundtrack.fees.services import agreement_of

    application = story["application"]
    deadline = application.deadlines.get()
    delete_deadline(deadline, actor=story["fundraiser"], now=NOW)
    assert AuditEntry.get(AuditEntry.table == "deadline", AuditEntry.action == "delete").page_id == application.id
    agreement = agreement_of(application)
    entry = AuditEntry.get(AuditEntry.table == "fee_agreement", AuditEntry.record_id == agreement.id)
    assert entry.private and entry.actor_name == "Mette Holm"
