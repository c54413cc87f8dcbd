"""The web skeleton: security headers, limits, health, errors, languages and the dashboard."""

import datetime as dt

from fundtrack.deadlines.services import add_deadline
from tests.conftest import NOW, post


def test_security_headers_on_every_response(client):
    for path in ("/login", "/healthz", "/nope", "/static/css/fundtrack.css"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, login_as):
    login_as("fundraiser")
    for path in ("/", "/applications/", "/funders/", "/organisations/", "/deadlines/", "/account", "/users/"):
        body = client.get(path).get_data(as_text=True)
        assert "<script>" not in body and "style=" not in body and " onclick=" not in body, path


def test_request_size_limit(make_app):
    app = make_app(app={"max_upload_mb": 1})
    response = app.test_client().post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_trusted_hosts_from_config(make_app):
    app = make_app(app={"trusted_hosts": ["fundtrack.kommune.dk"]})
    client = app.test_client()
    assert client.get("/healthz", base_url="http://fundtrack.kommune.dk").status_code == 200
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    from fundtrack.db import db

    def refuse(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(db.obj, "execute_sql", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_error_pages_in_both_languages(client, login_as):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in response.get_data(as_text=True)
    user = login_as("viewer", language="en")
    response = client.get("/does-not-exist")
    assert "The page was not found" in response.get_data(as_text=True)
    assert client.get("/users/").status_code == 403
    assert "You do not have access" in client.get("/users/").get_data(as_text=True)
    assert user.language == "en"


def test_danish_is_the_default_and_english_can_be_chosen_before_login(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="da">' in body and "Log ind" in body and "Adgangskode" in body
    response = post(client, "/language", {"language": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in body and "Password" in body


def test_language_choice_is_stored_on_the_user(client, login_as):
    user = login_as("fundraiser")
    assert "Næste frister" in client.get("/").get_data(as_text=True)
    post(client, "/language", {"language": "en", "next": "/"}, token_from="/")
    assert "Next deadlines" in client.get("/").get_data(as_text=True)
    from fundtrack.auth.models import User

    assert User.get_by_id(user.id).language == "en"


def test_amounts_and_dates_the_danish_and_the_english_way(client, login_as, create_application):
    application = create_application(title="Køkkenskolen", amount_requested_ore=125_000_000)
    add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    user = login_as("fundraiser")
    body = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "1.250.000 kr." in body
    assert "1. mar. 2027" in body
    post(client, "/language", {"language": "en", "next": "/"}, token_from="/")
    body = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "DKK 1,250,000" in body
    assert "Mar 1, 2027" in body
    assert user


def test_dashboard_shows_next_deadlines_in_order(client, login_as, create_application, frozen_clock):
    frozen_clock.move_to(dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC))
    first = create_application(title="Første ansøgning")
    second = create_application(title="Anden ansøgning")
    add_deadline(second, "submission", dt.date(2027, 3, 10), now=NOW)
    add_deadline(first, "internal_draft", dt.date(2027, 2, 20), now=NOW)
    add_deadline(first, "submission", dt.date(2027, 1, 10), now=NOW)  # overdue: not in "next"
    login_as("fundraiser")
    body = client.get("/").get_data(as_text=True)
    assert body.index("Første ansøgning") < body.index("Anden ansøgning")
    assert "om 19 dage" in body
    assert 'class="count">1</span>' in body.split("Overskredet")[0].rsplit("<a", 1)[1]


def test_empty_domains_say_so(client, login_as):
    login_as("fundraiser")
    assert "Endnu ingen ansøgninger" in client.get("/applications/").get_data(as_text=True)
    assert "Endnu ingen fonde" in client.get("/funders/").get_data(as_text=True)
    assert "Ingen kommende frister" in client.get("/").get_data(as_text=True)


def test_static_assets_are_local(client, login_as):
    login_as("fundraiser")
    body = client.get("/").get_data(as_text=True)
    assert "http://" not in body.replace("http://localhost", "") and "https://" not in body
    with client.get("/static/css/fundtrack.css") as response:
        assert response.status_code == 200


def test_only_one_menu_item_is_current(client, login_as):
    login_as("fundraiser", language="en")
    for path, label in (
        ("/applications/board", "Board"),
        ("/applications/", "Applications"),
        ("/applications/new", "Applications"),
    ):
        menu = client.get(path).get_data(as_text=True).split('<nav class="menu"')[1].split("</nav>")[0]
        assert menu.count('aria-current="page"') == 1, path
        assert f'aria-current="page">{label}</a>' in menu, path
