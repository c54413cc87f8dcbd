"""Fixtures: a frozen clock, an app on a fresh database per test (SQLite file, or PostgreSQL with
FUNDTRACK_TEST_DB=postgresql), a client, a CLI runner, and factories that create rows through the services.

Time is frozen for every test at NOW (FUNDTRACK_TEST_NOW moves it, e.g. into summer time of a later year,
as CI does); no test reads the wall clock. A test about another moment moves the frozen clock with
`frozen_clock.move_to(...)`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil

import pytest
import time_machine

from fundtrack import create_app
from fundtrack.db import connect_database, db, upgrade
from tests.servers import PostgresCluster

BACKEND = os.environ.get("FUNDTRACK_TEST_DB", "sqlite")
TEST_SECRET = "test-secret-key-not-for-production"
NOW = dt.datetime.fromisoformat(os.environ.get("FUNDTRACK_TEST_NOW", "2026-11-22T09:00:00+00:00")).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test runs at NOW, and time stands still while it runs."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


_counter = itertools.count(1)


def _migrate(url: str) -> None:
    database = connect_database(url)
    db.initialize(database)
    upgrade()
    database.close_all()  # the pool's connections too: the template file is copied, and must be whole


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database that each test copies: a file for SQLite, a template database for PostgreSQL."""
    if BACKEND == "postgresql":
        cluster = PostgresCluster()
        admin_url = cluster.start()
        admin = connect_database(admin_url)
        admin.execute_sql("CREATE DATABASE fundtrack_template")
        _migrate(cluster.url("fundtrack_template"))
        yield {"cluster": cluster, "admin": admin}
        admin.close_all()
        cluster.stop()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield {"path": path}


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh database for one test, already migrated."""
    if BACKEND == "postgresql":
        name = f"fundtrack_test_{os.getpid()}_{next(_counter)}"
        admin = database_template["admin"]
        admin.execute_sql(f"CREATE DATABASE {name} TEMPLATE fundtrack_template STRATEGY FILE_COPY")
        yield database_template["cluster"].url(name)
        if not db.is_closed():
            db.close()
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        path = tmp_path / "fundtrack.sqlite3"
        shutil.copy(database_template["path"], path)
        yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database (and a files folder of its own), with extra settings where a test
    needs them."""
    built = []

    def build(**sections):
        overrides = {
            "testing": True,
            "database": {"url": database_url},
            "app": {"secret_key": TEST_SECRET},
            "files": {"folder": str(tmp_path / "files")},
        }
        for section, values in sections.items():
            if isinstance(values, dict):
                overrides.setdefault(section, {}).update(values)
            else:
                overrides[section] = values
        app = create_app(overrides)
        built.append(app)
        return app

    yield build
    if not db.is_closed():
        db.close()
    for app in built:
        app.extensions["fundtrack.database"].close_all()


@pytest.fixture
def app(make_app):
    # No app context is kept pushed: each test-client request must get its own `g`, as in production.
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class _Runner:
    """Runs `fundtrack …` commands against the test app (Flask's runner would use app.cli instead)."""

    def __init__(self, app):
        self._runner = app.test_cli_runner()

    def invoke(self, args, **kwargs):
        from fundtrack.cli import cli

        return self._runner.invoke(cli, args, **kwargs)


@pytest.fixture
def runner(app):
    return _Runner(app)


# Factories: callables that create rows through the services, as the app would.


@pytest.fixture
def create_organisation(app):
    from fundtrack.organisations.services import create_organisation as create

    def make(name=None, **fields):
        data = {"name": name or f"Organisation {next(_counter)}", "kind": "enterprise", **fields}
        return create(data, actor=None, now=NOW)

    return make


@pytest.fixture
def create_user(app):
    from fundtrack.auth.services import create_user as create

    def make(role="fundraiser", organisation=None, email=None, password="correct horse", language="da", name=None):
        email = email or f"{role}{next(_counter)}@example.dk"
        return create(
            email, name or email.split("@")[0].title(), role, password, organisation=organisation, language=language, now=NOW
        )

    return make


@pytest.fixture
def create_funder(app):
    from fundtrack.funders.models import Funder

    def make(name=None, **fields):
        return Funder.create(name=name or f"Funder {next(_counter)}", **fields)

    return make


@pytest.fixture
def create_application(app, create_organisation, create_funder):
    from fundtrack.applications.services import create_application as create

    def make(organisation=None, funder=None, title=None, actor=None, now=NOW, **fields):
        data = {
            "organisation": organisation or create_organisation(),
            "funder": funder or create_funder(),
            "title": title or f"Application {next(_counter)}",
            **fields,
        }
        return create(data, actor=actor, now=now)

    return make


# Logging in and posting forms with their CSRF token, as a browser would.

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST a form with a valid CSRF token."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or "/login")
    return client.post(path, data=data, **kwargs)


def login(client, user_or_email, password: str = "correct horse"):
    email = getattr(user_or_email, "email", user_or_email)
    response = post(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client, create_user):
    """Log the test client in as a new user of `role` (members need an organisation)."""

    def log_in(role="fundraiser", organisation=None, **fields):
        user = create_user(role=role, organisation=organisation, **fields)
        login(client, user)
        return user

    return log_in


@pytest.fixture
def complete_checklist(app):
    """Settle every required item of an application's checklist, as a careful fundraiser would."""
    from fundtrack.checklists import services as checklists

    def complete(application):
        checklist = checklists.checklist_for(application, now=NOW)
        for item, answer in checklists.rows(checklist):
            checklists.save_answer(
                answer,
                {
                    "status": "done",
                    "text": f"Svar på {item.code}",
                    "number": "25",
                    "source": "Jobcentret, 2026",
                    "un_goals": "8, 17",
                },
                actor=None,
                now=NOW,
            )
        return checklist

    return complete
