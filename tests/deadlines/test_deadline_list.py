"""The list of deadlines answers the question: words, kind, organisation, owner, window and "mine" narrow
it, the overdue come first, and each row is marked done in place."""

import datetime as dt

import pytest

from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from tests.conftest import NOW, csrf_token, login

TODAY = NOW.date()


@pytest.fixture
def world(create_organisation, create_user, create_funder, create_application):
    kornet, haven = create_organisation("Café Kornet"), create_organisation("Naturhaven")
    mette = create_user("fundraiser", name="Mette", language="en")
    lars = create_user("fundraiser", name="Lars", language="en")
    kitchen = create_application(organisation=kornet, funder=create_funder("Øresundsfonden"), title="KØKKENSKOLEN", owner=mette)
    garden = create_application(organisation=haven, title="Drivhuset", owner=lars)
    return {
        "mette": mette,
        "kornet": kornet,
        "late": add_deadline(kitchen, "submission", TODAY - dt.timedelta(days=3), actor=None, now=NOW),
        "soon": add_deadline(garden, "custom", TODAY + dt.timedelta(days=5), title="Budget", actor=None, now=NOW),
        "far": add_deadline(kitchen, "interim_report", TODAY + dt.timedelta(days=80), actor=None, now=NOW),
    }


def rows(client, query=""):
    html = client.get(f"/deadlines/?{query}").get_data(as_text=True)
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return [int(part.split('"')[0]) for part in body.split('data-deadline="')[1:]]


def test_the_overdue_come_first_and_filters_narrow_the_list(client, world):
    login(client, world["mette"])
    late, soon, far = world["late"].id, world["soon"].id, world["far"].id
    assert rows(client) == [late, soon, far]
    assert rows(client, "q=køkkenskolen") == [late, far]  # folded: the title is in capitals
    assert rows(client, "q=ØRESUND") == [late, far]
    assert rows(client, "kind=custom") == [soon]
    assert rows(client, f"organisation={world['kornet'].id}") == [late, far]
    assert rows(client, "mine=1") == [late, far]
    assert rows(client, "window=overdue") == [late]
    assert rows(client, "window=7") == [soon]
    assert client.get("/deadlines/?kind=nonsense").status_code == 400


def test_a_deadline_is_marked_done_in_its_row(client, world):
    login(client, world["mette"])
    deadline = world["soon"]
    page = client.get("/deadlines/").get_data(as_text=True)
    assert f"/deadlines/{deadline.id}/complete" in page
    response = client.post(
        f"/deadlines/{deadline.id}/complete",
        data={"csrf_token": csrf_token(client, "/deadlines/"), "next": "/deadlines/?window=7"},
    )
    assert response.location == "/deadlines/?window=7"
    assert Deadline.get_by_id(deadline.id).done_at is not None
    assert rows(client, "window=7") == []
