"""Upgrading an installation that holds data: the data moves with the schema, and nothing is lost."""

import datetime as dt
import os

import pytest
from playhouse.migrations import Runner

from fundtrack.db import connect_database, db, upgrade
from fundtrack.resources import data_folder
from tests.conftest import BACKEND, NOW, _counter


@pytest.fixture
def empty_database_url(database_template, tmp_path):
    if BACKEND == "postgresql":
        name = f"fundtrack_empty_{os.getpid()}_{next(_counter)}"
        admin = database_template["admin"]
        admin.execute_sql(f"CREATE DATABASE {name}")
        yield database_template["cluster"].url(name)
        if not db.is_closed():
            db.close()
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"


def _insert(database, into, **values):
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join([database.param] * len(values))
    database.execute_sql(f'INSERT INTO "{into}" ({columns}) VALUES ({marks})', tuple(values.values()))
    return database.execute_sql(f'SELECT MAX(id) FROM "{into}"').fetchone()[0]


def test_an_installation_from_before_the_one_way_domains_upgrades_with_its_data(empty_database_url, make_app):
    old = connect_database(empty_database_url)
    Runner(old, str(data_folder("migrations"))).up(target="0009_funder_organisation_index")
    moment = NOW.replace(tzinfo=None)
    with old.atomic():
        cafe = _insert(
            old,
            "organisation",
            name="Café Kornet",
            kind="enterprise",
            description="",
            website="",
            interests="[]",
            keywords="[]",
            excluded_words="[]",
            un_goals="[]",
            created_at=moment,
            updated_at=moment,
        )
        funder = _insert(
            old,
            "funder",
            name="Kornmod Fonden",
            kind="private_foundation",
            website="",
            description="",
            focus_tags="[]",
            un_goals="[]",
            notes="",
            final_report_months=3,
            created_at=moment,
            updated_at=moment,
        )
        user = _insert(
            old,
            "user",
            email="mette@example.dk",
            name="Mette Holm",
            password_hash="x",
            role="fundraiser",
            language="da",
            alert_mode="immediate",
            alert_opt_out="[]",
            active=True,
            session_version=1,
            created_at=moment,
        )
        _insert(
            old,
            "contact",
            organisation_id=cafe,
            name="Jonas",
            email="jonas@example.dk",
            phone="",
            title="",
            receives_alerts=True,
            created_at=moment,
        )
        _insert(
            old,
            "funder_contact",
            funder_id=funder,
            name="Sekretariatet",
            email="sek@example.dk",
            phone="",
            title="",
            created_at=moment,
        )
        granted = _insert(
            old,
            "application",
            organisation_id=cafe,
            funder_id=funder,
            title="Køkkenskolen",
            purpose="",
            amount_granted_ore=200_000_00,
            stage="granted",
            cosigned_by="",
            notes="",
            reclaimed_ore=0,
            stage_changed_at=dt.datetime(2026, 3, 31, 22, 30),
            created_at=moment,
            updated_at=moment,
        )
        _insert(
            old,
            "audit_entry",
            actor_id=user,
            changed_at=moment,
            table="application",
            record_id=granted,
            action="create",
            changes="{}",
        )
        _insert(
            old,
            "round",
            funder_id=funder,
            name="Hver måned",
            kind="monthly",
            yearly_dates="",
            month_day=31,
            rule="FREQ=MONTHLY;BYMONTHDAY=31",
            deadline_time="",
            active=True,
            notes="",
            created_at=moment,
            updated_at=moment,
        )
        _insert(
            old,
            "deadline",
            application_id=granted,
            kind="final_report",
            title="",
            due_on=dt.date(2027, 6, 1),
            timezone="Europe/Copenhagen",
            notes="",
            sequence=0,
            created_at=moment,
            updated_at=moment,
        )
        _insert(
            old,
            "call",
            identity="x",
            funder_name="",
            title="Pulje",
            link="",
            summary="",
            summary_text="",
            rolling=False,
            un_goals="[]",
            status="new",
            content_hash="",
            first_seen_at=moment,
            last_seen_at=moment,
            updated_at=moment,
        )
    old.close_all()  # a pooled connection only goes back to its pool on close()

    app = make_app(database={"url": empty_database_url})
    with app.app_context():
        assert upgrade()[0] == "0010_one_way"  # and every migration after it
        from fundtrack.audit.models import AuditEntry
        from fundtrack.checklists.models import ChecklistTemplate
        from fundtrack.contacts.models import Contact
        from fundtrack.feeds.models import Call
        from fundtrack.relationships.models import Relationship
        from fundtrack.scheduler import catch_up
        from fundtrack.schema import schema_diff

        with db.connection_context():
            assert not schema_diff(db.obj)
            catch_up()
            contacts = {c.name: c for c in Contact.select()}
            assert contacts["Jonas"].organisation_id == cafe and contacts["Jonas"].receives_alerts
            assert contacts["Sekretariatet"].funder_id == funder and contacts["Sekretariatet"].organisation_id is None
            entry = AuditEntry.get()
            assert (entry.actor_name, entry.page_table, entry.page_id, entry.organisation_id) == (
                "Mette Holm",
                "application",
                granted,
                cafe,
            )
            relationship = Relationship.get()
            assert (relationship.funder_id, relationship.organisation_id, relationship.gifts) == (funder, cafe, 1)
            # The decision day is the local day of the last move: 00:30 on 1 April in Copenhagen.
            assert relationship.last_gift_on == dt.date(2026, 4, 1)
            assert Call.get().matched_at is not None
            assert ChecklistTemplate.select().count() == 1
            from fundtrack.funders.models import Round
            from fundtrack.funders.services import next_dates

            # A round on the 31st written before month ends were kept: it now falls on 30 April too.
            assert next_dates(Round.get(), dt.date(2027, 4, 1), 2) == [dt.date(2027, 4, 30), dt.date(2027, 5, 31)]
        assert upgrade() == []
