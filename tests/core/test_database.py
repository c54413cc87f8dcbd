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
