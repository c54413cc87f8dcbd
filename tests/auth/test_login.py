import datetime as dt

import pytest

from fundtrack.auth.models import LoginFailure, User
from tests.conftest import NOW, csrf_token, login, post


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_pages_need_login(client):
    response = client.get("/applications/")
    assert response.status_code == 302
    assert "/login?next=/applications/" in response.headers["Location"]


def test_login_and_logout(client, create_user):
    user = create_user(email="mette@example.dk")
    response = login(client, user)
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = post(client, "/logout", token_from="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_without_telling_which_part(client, create_user):
    user = create_user()
    response = post(client, "/login", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "Forkert e-mail eller adgangskode" in body
    response = post(client, "/login", {"email": "nobody@example.dk", "password": "wrong password"})
    assert "Forkert e-mail eller adgangskode" in response.get_data(as_text=True)


def test_login_keeps_the_typed_email_after_a_failure(client, create_user):
    create_user(email="kept@example.dk")
    response = post(client, "/login", {"email": "kept@example.dk", "password": "nope"})
    assert 'value="kept@example.dk"' in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, create_user):
    user = create_user()
    for _ in range(5):
        post(client, "/login", {"email": user.email, "password": "wrong"})
    response = post(client, "/login", {"email": user.email, "password": "correct horse"})
    assert response.status_code == 429
    assert "For mange mislykkede forsøg" in response.get_data(as_text=True)


def test_failures_slow_the_next_try_down_for_a_minute_at_most(app, create_user):
    from fundtrack.auth.services import LoginRefused, authenticate

    user = create_user()
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)

    def attempt(password, seconds):
        return authenticate(
            user.email,
            password,
            remote_addr="10.0.0.1",
            now=start + dt.timedelta(seconds=seconds),
            max_failures=5,
            lockout_minutes=15,
        )

    for second in range(5):
        with pytest.raises(LoginRefused) as refused:
            attempt("wrong", second)
        assert refused.value.wait_seconds is None
    with pytest.raises(LoginRefused) as refused:
        attempt("correct horse", 4.5)  # within the first wait: refused without looking at the password
    assert refused.value.wait_seconds == 1
    waits, second = [], 5.0
    for _ in range(8):  # a guesser who always waits just long enough
        with pytest.raises(LoginRefused) as refused:
            attempt("wrong", second)
        assert refused.value.wait_seconds is None
        waits.append(min(2 ** (len(waits) + 1), 60))  # the wait after this failure: twice the one before
        second += waits[-1]
    assert waits[-1] == 60  # doubled up to a minute, never more
    with pytest.raises(LoginRefused) as refused:
        attempt("correct horse", second - 1)
    assert 0 < refused.value.wait_seconds <= 60
    assert attempt("correct horse", second) == user  # the person who knows the password waits a minute at most
    assert LoginFailure.select().where(LoginFailure.email == user.email).count() == 0


def test_one_address_is_slowed_never_shut_for_everyone_behind_it(app, create_user):
    from fundtrack.auth.services import LoginRefused, authenticate

    users = [create_user() for _ in range(3)]
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    for index in range(20):  # twenty failures from a proxy, spread over many accounts
        with pytest.raises(LoginRefused):
            authenticate(
                f"guess{index}@example.dk", "wrong", remote_addr="10.9.9.9", now=start, max_failures=5, lockout_minutes=15
            )
    with pytest.raises(LoginRefused) as refused:
        authenticate(users[0].email, "correct horse", remote_addr="10.9.9.9", now=start, max_failures=5, lockout_minutes=15)
    assert refused.value.wait_seconds == 1
    later = start + dt.timedelta(seconds=2)
    assert authenticate(users[1].email, "correct horse", remote_addr="10.9.9.9", now=later, max_failures=5, lockout_minutes=15)


def test_passwords_are_not_stored_in_clear(app, create_user):
    user = create_user(password="correct horse")
    stored = User.get_by_id(user.id).password_hash
    assert "correct horse" not in stored
    assert stored.startswith("scrypt:")


def test_post_without_csrf_token_is_refused(client, create_user):
    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not logged in


def test_logged_in_post_without_csrf_token_is_refused(client, login_as):
    login_as("fundraiser")
    response = client.post("/organisations/new", data={"name": "Sneaky", "kind": "enterprise"})
    assert response.status_code == 400
    from fundtrack.organisations.models import Organisation

    assert not Organisation.select().where(Organisation.name == "Sneaky").exists()


def test_session_cookie_is_httponly_and_lax(client, create_user):
    user = create_user()
    response = post(client, "/login", {"email": user.email, "password": "correct horse"})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("fundtrack_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(make_app, create_user):
    app = make_app(app={"base_url": "https://fundtrack.kommune.dk"})
    client = app.test_client()
    with app.app_context():
        user = create_user()
    response = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={"email": user.email, "password": "correct horse", "csrf_token": csrf_token_https(client)},
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("fundtrack_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _static_caching(client) -> str | None:
    response = client.get("/static/css/fundtrack.css")
    response.close()  # the file it streams
    return response.headers.get("Cache-Control")


def test_a_signed_in_users_downloads_are_never_cached_and_cross_origin_is_closed(client, login_as):
    assert _static_caching(client) != "no-store"
    login_as("fundraiser")
    export = client.get("/applications/export.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    page = client.get("/")
    assert (page.headers["Cross-Origin-Opener-Policy"], page.headers["Cross-Origin-Resource-Policy"]) == (
        "same-origin",
        "same-origin",
    )
    assert _static_caching(client) != "no-store"  # styles may be kept


def csrf_token_https(client):
    import re

    html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_login_redirects_only_to_own_pages(client, create_user):
    user = create_user()
    token = csrf_token(client)
    for target, expected in [
        ("/deadlines/", "/deadlines/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ]:
        response = client.post(
            "/login", data={"email": user.email, "password": "correct horse", "next": target, "csrf_token": token}
        )
        assert response.headers["Location"] == expected, target
        post(client, "/logout", token_from="/")
        token = csrf_token(client)


def test_password_change_ends_other_sessions(app, create_user):
    user = create_user()
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    response = post(first, "/account", {"current": "correct horse", "password": "a new long password"}, token_from="/account")
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, create_user):
    from fundtrack.auth.services import set_active

    user = create_user()
    set_active(user, False, actor=None, now=NOW)
    response = post(client, "/login", {"email": user.email, "password": "correct horse"})
    assert response.status_code == 401


def test_users_add_command_creates_a_hashed_account(runner, create_organisation):
    create_organisation("Café Kornet")
    result = runner.invoke(
        args=[
            "users",
            "add",
            "Jonas@Example.dk",
            "--role",
            "member",
            "--organisation",
            "Café Kornet",
            "--name",
            "Jonas Berg",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "jonas@example.dk")
    assert user.organisation.name == "Café Kornet"
    assert user.password_hash != "long enough password"


def test_users_add_command_refuses_bad_input(runner):
    result = runner.invoke(args=["users", "add", "x@example.dk", "--role", "member", "--password", "long enough password"])
    assert result.exit_code != 0
    assert "organisation" in result.output
    result = runner.invoke(args=["users", "add", "x@example.dk", "--role", "viewer", "--password", "short"])
    assert "password" in result.output


def test_fundraiser_creates_user_in_the_ui_and_errors_keep_the_input(client, login_as):
    login_as("fundraiser")
    response = post(
        client,
        "/users/new",
        {"email": "not-an-email", "name": "Ny Bruger", "role": "viewer", "language": "da", "password": "long enough password"},
        token_from="/users/new",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Skriv en gyldig e-mailadresse" in body
    assert 'value="Ny Bruger"' in body
    response = post(
        client,
        "/users/new",
        {"email": "ny@example.dk", "name": "Ny Bruger", "role": "viewer", "language": "en", "password": "long enough password"},
        token_from="/users/new",
    )
    assert response.status_code == 302
    assert User.get(User.email == "ny@example.dk").language == "en"
