import datetime as dt

import peewee
import pytest

from fundtrack.db import UTCDateTimeField, db, upgrade
from fundtrack.schema import schema_diff
from tests.conftest import BACKEND, NOW


def test_migrations_create_exactly_the_models(app):
    assert not schema_diff(db.obj), str(schema_diff(db.obj))


def test_upgrade_is_idempotent(app):
    assert upgrade() == []
    assert upgrade() == []


def test_db_upgrade_command_reports_up_to_date(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "up to date" in result.output


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_with_wal_and_foreign_keys(app):
    with db.connection_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_foreign_keys_are_enforced(app):
    from fundtrack.applications.models import Application

    with pytest.raises(peewee.IntegrityError):
        with db.atomic():
            Application.insert(
                organisation=9999, funder=9999, title="x", stage="idea", stage_changed_at=NOW, created_at=NOW, updated_at=NOW
            ).execute()


def test_times_are_stored_in_utc_and_come_back_aware(app, create_organisation):
    from fundtrack.organisations.models import Organisation

    copenhagen = dt.timezone(dt.timedelta(hours=1))
    organisation = create_organisation()
    organisation.archived_at = dt.datetime(2027, 3, 1, 12, 0, tzinfo=copenhagen)
    organisation.save()
    raw = db.execute_sql(f"SELECT archived_at FROM organisation WHERE id = {organisation.id}").fetchone()[0]
    assert str(raw).startswith("2027-03-01 11:00:00")
    again = Organisation.get_by_id(organisation.id)
    assert again.archived_at == dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC)
    assert again.archived_at.tzinfo is not None


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTimeField().db_value(dt.datetime(2027, 1, 1))


def test_bulk_insert_converts_as_the_fields_do_and_one_of_finds_them(app, create_organisation):
    from fundtrack.db import bulk_insert, bulk_insert_ids, one_of
    from fundtrack.feeds.models import Call, CallDeadline

    copenhagen = dt.timezone(dt.timedelta(hours=1))
    moment = dt.datetime(2027, 3, 1, 12, 0, tzinfo=copenhagen)
    row = {"title": "Pulje", "link": "", "status": "new", "un_goals": [8, 11], "rolling": False, "first_seen_at": moment}
    rows = [dict(row, title=f"Pulje {n}", last_seen_at=moment.astimezone(dt.UTC), updated_at=NOW) for n in range(1500)]
    with db.atomic():
        ids = bulk_insert_ids(Call, rows)
        bulk_insert(CallDeadline, [{"call": ids[0], "due_on": dt.date(2027, 4, 1), "timezone": "Europe/Copenhagen"}])
    assert len(ids) == 1500 and Call.select().count() == 1500
    last = Call.get_by_id(ids[-1])
    assert (last.title, last.un_goals, last.rolling) == ("Pulje 1499", [8, 11], False)
    assert last.first_seen_at == last.last_seen_at == dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC)
    assert last.summary == "" and last.needs_review is False  # left out: the field's default
    assert Call.select().where(one_of(Call.id, ids[:3])).count() == 3
    assert Call.select().where(one_of(Call.id, [])).count() == 0
    assert CallDeadline.get(one_of(CallDeadline.call, [ids[0]])).due_on == dt.date(2027, 4, 1)
    with pytest.raises(ValueError, match="naive"), db.atomic():
        bulk_insert(Call, [dict(rows[0], first_seen_at=dt.datetime(2027, 1, 1))])
