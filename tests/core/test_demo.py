"""The demo tells the whole story: partners, funders of every kind, three years in every stage, repeat gifts."""

import datetime as dt

from peewee import fn

from fundtrack import demo
from fundtrack.applications.models import STAGES, Application
from fundtrack.auth.models import User
from fundtrack.db import db
from fundtrack.funders.models import FUNDER_KINDS, Funder
from fundtrack.organisations.models import Organisation
from tests.conftest import NOW


def test_demo_load_builds_the_whole_story(app):
    with db.connection_context():
        assert demo.load_if_empty(today=NOW.date(), now=NOW)
        assert not demo.load_if_empty(today=NOW.date(), now=NOW)
        assert Organisation.select().where(Organisation.kind == "enterprise").count() >= 3
        assert Organisation.select().count() >= 5
        assert Funder.select().count() >= 15
        assert {f.kind for f in Funder.select()} == set(FUNDER_KINDS)
        assert Application.select().count() >= 40
        assert {a.stage for a in Application.select()} == set(STAGES)
        created = [a.created_at.date() for a in Application.select()]
        assert max(created) - min(created) > dt.timedelta(days=2 * 365)
        repeat = (
            Application.select(Application.funder, Application.organisation, fn.COUNT(Application.id).alias("n"))
            .where(Application.stage.in_(["granted", "reporting", "closed"]))
            .group_by(Application.funder, Application.organisation)
            .having(fn.COUNT(Application.id) >= 3)
        )
        assert repeat.count() >= 2
        for email in ("fundraiser@example.dk", "member@example.dk", "viewer@example.dk"):
            assert User.get(User.email == email)
        assert User.get(User.email == "member@example.dk").organisation.name == "Café Kornet"


def test_demo_logins_work(client, app):
    from tests.conftest import login

    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
    login(client, "member@example.dk", password="demo")
    assert "Café Kornet" in client.get("/").get_data(as_text=True)


def test_demo_load_command_refuses_a_database_with_data(runner, create_organisation):
    create_organisation("Already here")
    result = runner.invoke(["demo", "load"])
    assert result.exit_code != 0
    assert "empty" in result.output
