"""Joint applications, against figures worked out by hand.

"Fælles køkkenhave" is led by Café Kornet with two partners: Naturhaven (30 %) and Genbrugslab (20 %); Kornet
keeps 50 %. Submitted on 1 July 2026 for 200.000 kr., granted 100.000,01 kr. on 15 August (Q3). In Q3 it counts
once in the figures of all organisations; under Kornet with 100.000 kr. asked and 50.000 kr. granted (rounded
down: 50.000,00), under Naturhaven 60.000 and 30.000 kr., under Genbrugslab 40.000 and 20.000 kr.
Reparationscaféen has nothing to do with it.
"""

import datetime as dt
import json
import re

import icalendar
import pytest

from fundtrack.access import READ_METHODS
from fundtrack.alerts import services as alerts
from fundtrack.alerts.models import Alert
from fundtrack.alerts.rules import load_rules
from fundtrack.applications import partners
from fundtrack.applications.models import Application, Partner
from fundtrack.applications.services import move_stage
from fundtrack.calendars import services as calendars
from fundtrack.contacts import services as contacts
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from fundtrack.periods import parse_period
from fundtrack.projects import services as projects
from fundtrack.reports import figures
from fundtrack.validation import ValidationError
from tests.conftest import NOW, csrf_token, login, post

KR = 100
Q3 = parse_period("2026-Q3")


def at(text):
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.fixture
def joint(app, create_organisation, create_funder, create_application, create_user):
    kornet = create_organisation("Café Kornet")
    haven = create_organisation("Naturhaven")
    lab = create_organisation("Genbrugslab")
    third = create_organisation("Reparationscaféen")
    fundraiser = create_user("fundraiser")
    application = create_application(
        organisation=kornet,
        funder=create_funder("Velux Fonden"),
        title="Fælles køkkenhave",
        amount_requested_ore=200_000 * KR,
        stage="drafting",
        notes="Fonden vil helst se en lille forening som partner",
    )
    partners.add_partner(application, haven, 3000, actor=fundraiser, now=NOW)
    partners.add_partner(application, lab, 2000, actor=fundraiser, now=NOW)
    move_stage(application, "submitted", actor=fundraiser, now=at("2026-07-01T10:00+02:00"), override_reason="Tjekket")
    move_stage(application, "granted", actor=fundraiser, now=at("2026-08-15T10:00+02:00"), amount_granted_ore=100_000_01)
    own = create_application(organisation=kornet, title="Kornets egen", amount_requested_ore=50_000 * KR)
    deadline = add_deadline(Application.get_by_id(application.id), "interim_report", NOW.date() + dt.timedelta(days=10), now=NOW)
    return {
        "kornet": kornet,
        "haven": haven,
        "lab": lab,
        "third": third,
        "application": Application.get_by_id(application.id),
        "own": own,
        "deadline": deadline,
        "fundraiser": fundraiser,
    }


def test_it_counts_once_in_all_and_under_each_organisation_by_its_share(joint):
    total = figures.totals(Q3)
    assert (total.granted, total.granted_ore, total.requested_ore) == (1, 100_000_01, 200_000 * KR)
    by = {name: f for _, name, f in figures.breakdown(Q3, "organisation")}
    assert (by["Café Kornet"].granted, by["Café Kornet"].granted_ore, by["Café Kornet"].requested_ore) == (
        1,
        50_000_00,
        100_000 * KR,
    )
    assert (by["Naturhaven"].granted, by["Naturhaven"].granted_ore, by["Naturhaven"].requested_ore) == (1, 30_000_00, 60_000 * KR)
    assert (by["Genbrugslab"].granted_ore, by["Genbrugslab"].requested_ore) == (20_000_00, 40_000 * KR)
    assert "Reparationscaféen" not in by
    haven = figures.totals(Q3, joint["haven"].id)
    assert (haven.submitted, haven.granted, haven.granted_ore, haven.success_rate) == (1, 1, 30_000_00, 1.0)
    assert figures.totals(Q3, joint["third"].id) == figures.Figures()


def test_a_partners_overview_and_its_drill_down(joint, client, login_as):
    login_as("member", organisation=joint["haven"])
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "30.000 kr." in page and "100.000 kr." not in page.split('id="key-figures"')[1].split("</section>")[0]
    listed = client.get("/applications/?figure=granted&period=2026-Q3").get_data(as_text=True)
    assert "Fælles køkkenhave" in listed and "Kornets egen" not in listed


@pytest.mark.parametrize(("partner", "share"), [("haven", "30 %"), ("lab", "20 %")])
def test_each_partners_member_reads_it_and_changes_nothing(joint, client, login_as, partner, share):
    login_as("member", organisation=joint[partner])
    application = joint["application"]
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Fælles køkkenhave" in page and joint[partner].name in page and share in page
    assert "lille forening" not in page  # the notes are the lead's
    assert f"/applications/{application.id}/edit" not in page and "Tilføj partner" not in page
    assert client.get(f"/applications/{application.id}/edit").status_code == 404
    for url, data in (
        (f"/applications/{application.id}/edit", {"title": "Overtaget"}),
        (f"/applications/{application.id}/move", {"to": "reporting"}),
        (f"/applications/{application.id}/partners", {"organisation": joint["third"].id, "share": "10"}),
        (f"/deadlines/{joint['deadline'].id}/done", {}),
    ):
        assert post(client, url, data).status_code == 404, url
    assert Application.get_by_id(application.id).title == "Fælles køkkenhave"
    assert not Partner.select().where(Partner.organisation == joint["third"]).exists()


def test_a_partner_sees_nothing_else_of_the_leads(joint, client, login_as):
    login_as("member", organisation=joint["haven"])
    project = projects.create_project({"organisation": joint["kornet"], "name": "Kornets køkken"}, actor=None, now=NOW)
    for url in (
        f"/applications/{joint['own'].id}",
        f"/organisations/{joint['kornet'].id}",
        f"/projects/{project.id}",
    ):
        assert client.get(url).status_code == 404, url
    exported = json.loads(client.get("/applications/export.json").get_data())
    assert [row["title"] for row in exported] == ["Fælles køkkenhave"]
    assert exported[0]["notes"] is None
    assert "Kornets egen" not in client.get("/applications/").get_data(as_text=True)


def _urls_of(app, joint):
    """Every URL of the joint application and its records, with the method each answers."""
    application = joint["application"]
    partner = Partner.get(Partner.organisation == joint["haven"])
    instalment = application.instalments.get()
    values = {
        "application_id": application.id,
        "deadline_id": joint["deadline"].id,
        "instalment_id": instalment.id,
        "partner_id": partner.id,
    }
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments)
        if not names & set(values) or not names <= set(values) | {"fmt"}:
            continue
        url = rule.rule
        for name, value in values.items():
            url = url.replace(f"<int:{name}>", str(value))
        url = re.sub(r"<any\([^)]*\):fmt>", "csv", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, url, method


def test_a_third_organisations_member_gets_404_on_every_url_of_it(joint, app, client, login_as):
    login_as("member", organisation=joint["third"])
    token = csrf_token(client, "/")
    checked = 0
    for endpoint, url, method in _urls_of(app, joint):
        response = client.get(url) if method == "GET" else client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code in (403, 404), f"{method} {url} ({endpoint}) -> {response.status_code}"
        checked += 1
    assert checked >= 25


def test_a_partners_member_reads_every_page_of_it_and_writes_none(joint, app, client, login_as):
    login_as("member", organisation=joint["haven"])
    token = csrf_token(client, "/")
    for endpoint, url, method in _urls_of(app, joint):
        if method in READ_METHODS:
            continue
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code in (403, 404), f"{method} {url} ({endpoint}) -> {response.status_code}"
    assert client.get(f"/applications/{joint['application'].id}").status_code == 200
    assert client.get(f"/deadlines/{joint['deadline'].id}").status_code == 200


def test_the_partners_calendar_and_reminders_include_its_deadlines(joint, client, create_user):
    subscription, token = calendars.issue(organisation=joint["haven"], now=NOW)
    body = client.get(f"/calendars/{token}.ics").data
    summaries = [str(event.get("summary")) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert any("Fælles køkkenhave" in summary for summary in summaries)
    _, other = calendars.issue(organisation=joint["third"], now=NOW)
    assert "Fælles køkkenhave" not in client.get(f"/calendars/{other}.ics").get_data(as_text=True)
    member = create_user("member", organisation=joint["haven"], email="have@example.dk")
    contacts.add_contact(
        joint["lab"], {"name": "Lise", "email": "lise@genbrugslab.dk", "receives_alerts": True}, actor=None, now=NOW
    )
    day = joint["deadline"].due_on - dt.timedelta(days=7)
    moment = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
    alerts.plan_deadline_alerts(load_rules(), today=day, now=moment, digest_hour=7)
    told = {a.email for a in Alert.select().where(Alert.deadline == joint["deadline"].id)}
    assert {member.email, "lise@genbrugslab.dk"} <= told


def test_shares_must_leave_the_lead_a_share(joint):
    application = joint["application"]
    with pytest.raises(ValidationError) as refused:
        partners.add_partner(application, joint["third"], 5000, actor=None, now=NOW)
    assert "share" in refused.value.errors
    with pytest.raises(ValidationError) as lead:
        partners.add_partner(application, joint["kornet"], 1000, actor=None, now=NOW)
    assert "organisation" in lead.value.errors
    assert partners.lead_share(application) == 5000


def test_the_lead_names_a_partner_on_the_page_and_a_bad_share_keeps_what_was_typed(joint, client, create_user):
    lead_member = create_user("member", organisation=joint["kornet"])
    login(client, lead_member)
    application = joint["application"]
    response = post(client, f"/applications/{application.id}/partners", {"organisation": joint["third"].id, "share": "60"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="60"' in page and "andel til den ledende organisation" in page
    response = post(client, f"/applications/{application.id}/partners", {"organisation": joint["third"].id, "share": "abc"})
    assert response.status_code == 400 and 'value="abc"' in response.get_data(as_text=True)
    response = post(client, f"/applications/{application.id}/partners", {"organisation": joint["third"].id, "share": "12,5"})
    assert response.status_code == 302
    assert Partner.get(Partner.organisation == joint["third"]).share_bp == 1250
    assert partners.lead_share(application) == 3750


def test_partners_travel_through_the_applications_export_and_import(joint, client, login_as):
    from fundtrack.applications.transfer import IMPORTER
    from fundtrack.importing import run_import

    login_as("fundraiser")
    [row] = [r for r in json.loads(client.get("/applications/export.json").get_data()) if r["title"] == "Fælles køkkenhave"]
    assert row["partners"] == "Genbrugslab 20 %; Naturhaven 30 %"
    sheet = (
        'Titel;Organisation;Fond;Partnere\nNy fælles ansøgning;Café Kornet;Velux Fonden;"Naturhaven 12,5 %; Genbrugslab 10 %"\n'
    )
    assert run_import(IMPORTER, sheet.encode(), "a.csv", actor=None, now=NOW) == 1
    imported = Application.get(Application.title == "Ny fælles ansøgning")
    assert sorted((p.organisation.name, p.share_bp) for p in imported.partners) == [("Genbrugslab", 1000), ("Naturhaven", 1250)]


def test_a_partners_project_may_be_funded_by_its_share_of_a_joint_application(joint, app):
    project = projects.create_project({"organisation": joint["haven"], "name": "Havens bede"}, actor=None, now=NOW)
    projects.add_line(project, {"side": "cost", "label": "Bede", "amount_ore": 40_000 * KR}, actor=None, now=NOW)
    projects.add_line(
        project, {"side": "income", "kind": "application", "application": joint["application"]}, actor=None, now=NOW
    )
    mosaic = projects.mosaic(project, app.extensions["fundtrack.settings"].reports)
    assert (mosaic.granted_ore, mosaic.missing_ore) == (30_000_00, 10_000 * KR)  # 30 % of 100.000,01 kr., rounded down


def test_deadlines_of_a_joint_application_are_on_the_partners_deadline_list(joint, client, login_as):
    login_as("member", organisation=joint["lab"])
    page = client.get("/deadlines/").get_data(as_text=True)
    assert "Fælles køkkenhave" in page
    assert Deadline.get_by_id(joint["deadline"].id)
