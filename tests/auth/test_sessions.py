"""Sessions end when they should: a copied cookie dies with a logout, a password change, a deactivation or a
"sign out everywhere", on every server; and every session has an idle and an absolute lifetime."""

import datetime as dt

import pytest

from fundtrack.auth.models import User
from fundtrack.calendars import services as calendars
from tests.conftest import NOW, csrf_token, login, post

COOKIE = "fundtrack_session"


@pytest.fixture
def other_server(make_app):
    """A second app instance on the same database and secret: another web server behind the same address."""
    return make_app().test_client()


def _copy_session(source, target):
    target.set_cookie(COOKIE, source.get_cookie(COOKIE).value, domain="localhost")


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_copied_cookie_stops_working_after_logout_on_every_server(client, other_server, create_user):
    user = create_user(role="viewer")
    login(client, user)
    _copy_session(client, other_server)
    assert _signed_in(other_server)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(other_server)


def test_a_password_change_and_a_sign_out_everywhere_end_the_other_sessions(client, other_server, create_user, make_app):
    user = create_user(role="fundraiser")
    login(client, user)
    _copy_session(client, other_server)
    changed = post(
        client,
        "/account",
        {"current": "correct horse", "password": "et nyt og langt kodeord", "confirm": "et nyt og langt kodeord"},
        token_from="/account",
    )
    assert changed.status_code == 302 and _signed_in(client)  # this session goes on
    assert not _signed_in(other_server)
    third = make_app().test_client()
    _copy_session(client, third)
    assert _signed_in(third)
    post(client, f"/users/{user.id}/sessions", {}, token_from="/users/")
    assert not _signed_in(third) and not _signed_in(client)


def test_deactivation_ends_the_sessions_and_the_calendar_addresses(client, other_server, create_user, create_organisation):
    member = create_user(role="member", organisation=create_organisation("Café Kornet"))
    _, token = calendars.issue(user=member, now=NOW)
    assert client.get(f"/calendars/{token}.ics").status_code == 200
    login(other_server, member)
    fundraiser = create_user(role="fundraiser")
    login(client, fundraiser)
    post(client, f"/users/{member.id}/active", {}, token_from="/users/")
    assert not User.get_by_id(member.id).active
    assert not _signed_in(other_server)
    assert client.get(f"/calendars/{token}.ics").status_code == 404


def test_a_session_ends_when_idle_and_after_its_absolute_lifetime(client, create_user, frozen_clock):
    user = create_user(role="viewer")
    login(client, user)
    frozen_clock.move_to(NOW + dt.timedelta(minutes=119))
    assert _signed_in(client)
    frozen_clock.move_to(NOW + dt.timedelta(minutes=119 + 121))  # two hours without a request
    answer = client.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    login(client, user)
    started = NOW + dt.timedelta(minutes=240)
    for minutes in range(60, 12 * 60, 60):  # busy all day: never idle
        frozen_clock.move_to(started + dt.timedelta(minutes=minutes))
        assert _signed_in(client), minutes
    frozen_clock.move_to(started + dt.timedelta(hours=12, minutes=1))
    assert not _signed_in(client)
