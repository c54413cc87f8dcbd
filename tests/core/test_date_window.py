"""Dates outside the years fundtrack keeps (1990 to 2100) are refused at the door, in every form and import,
with a message naming the field and what was typed kept; and a date stored before this rule breaks no page."""

import datetime as dt

import pytest

from fundtrack.applications.services import move_stage
from fundtrack.db import db
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from fundtrack.fees.services import set_agreement
from fundtrack.relationships.models import Relationship
from tests.conftest import NOW, login, post

TOO_LATE = "9999-12-31"
MESSAGE = "Angiv en dato mellem 1990 og 2100."


@pytest.fixture
def granted(create_application):
    application = create_application(stage="submitted", amount_requested_ore=100_000_00)
    move_stage(application, "granted", actor=None, now=NOW, decided_on=NOW.date(), amount_granted_ore=100_000_00)
    return application


def _forms(application, deadline, relationship, funder):
    """(path, form data with one date field set to TOO_LATE, a page to take the CSRF token from)."""
    a, f = application.id, funder.id
    base = {"title": application.title, "organisation": application.organisation_id, "funder": f}
    return [
        (f"/applications/{a}/edit", {**base, "project_start_on": TOO_LATE}),
        (f"/applications/{a}/edit", {**base, "project_end_on": TOO_LATE}),
        (f"/applications/{a}/edit", {**base, "cosigned_on": TOO_LATE}),
        ("/applications/new", {**base, "project_start_on": TOO_LATE}),
        (f"/applications/{a}/move", {"to": "reporting", "decided_on": TOO_LATE}),
        (f"/applications/{a}/money-received", {"money_received_on": TOO_LATE}),
        (f"/applications/{a}/reclaim", {"amount": "1000", "reclaimed_on": TOO_LATE, "reason": "ubrugt"}),
        (f"/deadlines/new/{a}", {"kind": "internal_draft", "due_on": TOO_LATE}),
        (f"/deadlines/{deadline.id}", {"kind": "internal_draft", "due_on": TOO_LATE}),
        (f"/fees/applications/{a}/invoice", {"number": "F-1", "on": TOO_LATE}),
        (f"/relationships/{relationship.id}/stewardship", {"next_step": "Ring", "next_step_on": TOO_LATE}),
        (f"/relationships/{relationship.id}/interactions", {"kind": "meeting", "happened_on": TOO_LATE, "text": "Møde"}),
        (f"/funders/{f}/rounds/new", {"name": "Engang", "kind": "once", "once_on": TOO_LATE}),
    ]


def test_every_date_field_refuses_a_year_out_of_range(client, login_as, granted):
    login_as("fundraiser")
    set_agreement(granted, {"kind": "percent", "percent_bp": 500}, actor=None, now=NOW)
    deadline = add_deadline(granted, "internal_draft", dt.date(2027, 1, 15), now=NOW)
    relationship = Relationship.get()
    for path, data in _forms(granted, deadline, relationship, granted.funder):
        before = Deadline.select().count()
        response = post(client, path, data, token_from="/")
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (path, response.status_code)
        assert MESSAGE in body, path
        assert TOO_LATE in body, path  # what was typed is kept
        assert Deadline.select().count() == before


def test_an_import_with_a_year_out_of_range_changes_nothing(runner, tmp_path, create_organisation, create_funder):
    create_organisation("Café Kornet")
    create_funder(name="Kornmod Fonden")
    sheet = tmp_path / "ansøgninger.csv"
    sheet.write_text(
        "Projekttitel;Ansøger;Fond;Status;Ansøgt beløb;Ansøgningsfrist\n"
        "Køkkenskolen;Café Kornet;Kornmod Fonden;Under udarbejdelse;100.000 kr.;31-12-9999\n",
        encoding="utf-8",
    )
    result = runner.invoke(["import", "applications", str(sheet)])
    assert result.exit_code != 0
    assert "1990" in result.output and "2100" in result.output
    from fundtrack.applications.models import Application

    assert Application.select().count() == 0


def test_a_date_out_of_range_in_a_feed_is_no_deadline():
    from fundtrack.feeds.deadlines import find_in_text

    assert find_in_text("Ansøgningsfrist: 31. december 9999", dt.date(2026, 11, 22)).deadlines == []
    assert find_in_text("Deadline: 1 January 1900", dt.date(2026, 11, 22)).deadlines == []


@pytest.fixture
def stored_extremes(app, create_user):
    """The demo data, with the farthest dates a database could hold written past the services; the nightly
    upkeep and the reminders run over them. Gives the fundraiser's calendar address."""
    from fundtrack import demo
    from fundtrack.alerts import jobs as alert_jobs
    from fundtrack.applications.models import Application
    from fundtrack.auth.models import User
    from fundtrack.calendars.services import issue
    from fundtrack.feeds.models import CallDeadline
    from fundtrack.scheduler import catch_up

    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
        far, near = dt.date(9999, 12, 31), dt.date(1, 1, 1)
        ids = [d.id for d in Deadline.select(Deadline.id).order_by(Deadline.id).limit(4)]
        Deadline.update(due_on=far).where(Deadline.id.in_(ids[:2])).execute()
        Deadline.update(due_on=near).where(Deadline.id.in_(ids[2:])).execute()
        granted = Application.select().where(Application.decided_on.is_null(False)).order_by(Application.id).limit(2)
        for application, day in zip(granted, (far, near), strict=False):
            Application.update(decided_on=day, project_end_on=day, project_start_on=day).where(
                Application.id == application.id
            ).execute()
        CallDeadline.update(due_on=far).execute()
        catch_up()
        fundraiser = User.get(User.email == "fundraiser@example.dk")
        _, token = issue(user=fundraiser, now=NOW, actor=fundraiser)
    with app.app_context(), db.connection_context():
        alert_jobs.run(today=NOW.date(), now=NOW, dry_run=True)
    return [f"/calendars/{token}.ics"]


def test_a_stored_date_out_of_range_breaks_no_page(app, client, stored_extremes):
    from fundtrack.auth.models import User
    from tests.core.test_architecture import _pages

    with db.connection_context():
        user = User.get(User.email == "fundraiser@example.dk")
    login(client, user, password="demo")
    for url in [*_pages(app, user), *stored_extremes]:
        assert client.get(url).status_code < 500, url
