"""The start page shows each user what is theirs, with "mark done" in place."""

import datetime as dt

import pytest

from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from fundtrack.feeds.models import Call, CallMatch
from fundtrack.relationships.models import Relationship
from fundtrack.relationships.services import ensure_pair, set_stewardship
from fundtrack.tasks import services as tasks
from tests.conftest import NOW, csrf_token, login

SOON = (NOW + dt.timedelta(days=10)).date()


def tick(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), "next": "/"})


@pytest.fixture
def world(create_organisation, create_user, create_funder, create_application):
    kornet, haven = create_organisation("Café Kornet"), create_organisation("Haven")
    mette = create_user("fundraiser", name="Mette", language="en")
    lars = create_user("fundraiser", name="Lars", language="en")
    member = create_user("member", organisation=kornet, name="Jonas", language="en")
    viewer = create_user("viewer", name="Vera", language="en")
    velux = create_funder("Velux Fonden")
    mine = create_application(organisation=kornet, funder=velux, title="Køkkenskolen", owner=mette)
    theirs = create_application(organisation=haven, title="Drivhuset", owner=lars)
    add_deadline(mine, "submission", SOON, actor=None, now=NOW)
    add_deadline(theirs, "submission", SOON, actor=None, now=NOW)
    add_deadline(mine, "custom", SOON + dt.timedelta(days=90), title="Langt ude", actor=None, now=NOW)
    tasks.create_task({"title": "Ring til Velux", "due_on": SOON, "assignee": mette}, actor=None, now=NOW)
    tasks.create_task({"title": "Lars' opgave", "due_on": SOON, "assignee": lars}, actor=None, now=NOW)
    tasks.create_task({"title": "Send billeder", "due_on": SOON, "assignee": member, "application": mine}, actor=None, now=NOW)
    new_call = Call.create(title="Pulje til grønne køkkener", summary_text="")
    CallMatch.create(call=new_call, organisation=kornet, reasons=["køkken"])
    other_call = Call.create(title="Pulje til haver", summary_text="")
    CallMatch.create(call=other_call, organisation=haven, reasons=["have"])
    ensure_pair(velux.id, kornet.id, NOW)
    relationship = Relationship.get()
    set_stewardship(relationship, steward=mette, next_step="Invitér til åbent hus", next_step_on=SOON, notes="", now=NOW)
    return locals()


def my_work(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="my-work"')
    return html[start : html.index("</section>", start)]


def test_the_fundraiser_sees_their_tasks_deadlines_new_calls_and_next_steps(client, world):
    login(client, world["mette"])
    work = my_work(client)
    assert "Ring til Velux" in work and "Lars' opgave" not in work
    assert "Køkkenskolen" in work and "Drivhuset" not in work and "Langt ude" not in work
    assert "Pulje til grønne køkkener" in work and "Pulje til haver" in work  # new calls, to be looked at
    assert "Invitér til åbent hus" in work


def test_a_member_sees_its_own_tasks_and_the_calls_passed_on_to_it(client, world):
    login(client, world["member"])
    work = my_work(client)
    assert "Send billeder" in work and "Ring til Velux" not in work
    assert "Pulje til grønne køkkener" in work and "Pulje til haver" not in work
    assert "Drivhuset" not in work


def test_a_viewer_sees_only_what_is_assigned_to_them(client, world):
    tasks.create_task({"title": "Læs rapporten", "due_on": SOON, "assignee": world["viewer"]}, actor=None, now=NOW)
    login(client, world["viewer"])
    work = my_work(client)
    assert "Læs rapporten" in work and "Køkkenskolen" not in work and "Pulje" not in work
    assert "/complete" not in work  # a viewer changes nothing, not even its own tasks


def test_mark_done_in_place_for_each_list(client, world):
    login(client, world["mette"])
    task = tasks.open_tasks_of(world["mette"]).get()
    response = tick(client, f"/tasks/{task.id}/complete")
    assert response.status_code == 302 and response.location == "/"
    deadline = Deadline.get((Deadline.application == world["mine"].id) & (Deadline.kind == "submission"))
    assert tick(client, f"/deadlines/{deadline.id}/complete").location == "/"
    assert tick(client, f"/relationships/{world['relationship'].id}/next-step/done").location == "/"
    response = client.post(
        f"/calls/{world['new_call'].id}/status", data={"csrf_token": csrf_token(client, "/"), "next": "/", "status": "dismissed"}
    )
    assert response.location == "/"
    work = my_work(client)
    for gone in ("Ring til Velux", "Køkkenskolen", "Invitér til åbent hus", "Pulje til grønne køkkener"):
        assert gone not in work
    assert Deadline.get_by_id(deadline.id).done_at is not None


def test_a_member_sets_a_call_aside(client, world):
    login(client, world["member"])
    assert tick(client, f"/calls/{world['new_call'].id}/set-aside").location == "/"
    assert "Pulje til grønne køkkener" not in my_work(client)
    assert CallMatch.get(CallMatch.call == world["new_call"].id).set_aside_at is not None
    assert tick(client, f"/calls/{world['other_call'].id}/set-aside").status_code == 404  # not passed on to it
