"""A backup taken while others write, restored into an empty database: every table's rows and every stored
document come back; a database that is not empty is not overwritten without --force."""

import os
import tarfile
import threading

import pytest

from fundtrack import backup
from fundtrack.db import db
from fundtrack.organisations.services import create_organisation
from tests.conftest import BACKEND, NOW, _Runner
from tests.pages import demo_installation


@pytest.fixture
def empty_database_url(database_template, tmp_path):
    """A second database, migrated and empty: where a backup is restored."""
    if BACKEND == "postgresql":
        name = f"fundtrack_restore_{os.getpid()}"
        admin = database_template["admin"]
        admin.execute_sql(f"CREATE DATABASE {name} TEMPLATE fundtrack_template STRATEGY FILE_COPY")
        yield database_template["cluster"].url(name)
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        import shutil

        path = tmp_path / "restored.sqlite3"
        shutil.copy(database_template["path"], path)
        yield f"sqlite:///{path}"


def test_a_backup_during_writes_restores_into_an_empty_database(app, make_app, empty_database_url, tmp_path):
    demo_installation(app)  # the demo, with one stored document
    stop, written = threading.Event(), []

    def writer():  # another user working while the backup runs
        with app.app_context(), db.connection_context():
            while not stop.is_set() and len(written) < 200:
                written.append(
                    create_organisation({"name": f"Skrivende {len(written)}", "kind": "enterprise"}, actor=None, now=NOW)
                )

    thread = threading.Thread(target=writer)
    thread.start()
    target = tmp_path / "backup.tar"
    result = _Runner(app).invoke(["db", "backup", str(target)])
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    with tarfile.open(target) as archive:
        names = archive.getnames()
        manifest = backup.json.loads(archive.extractfile("manifest.json").read())
    assert "manifest.json" in names and any(name.startswith("files/") for name in names)
    assert manifest["rows"]["application"] > 10 and manifest["files"] == 1

    restored_app = make_app(database={"url": empty_database_url}, files={"folder": str(tmp_path / "restored-files")})
    runner = _Runner(restored_app)
    done = runner.invoke(["db", "restore", str(target)])
    assert done.exit_code == 0, done.output
    with restored_app.app_context(), db.connection_context():
        assert backup.row_counts() == manifest["rows"]  # the copy is consistent: one moment, every table
        storage = restored_app.extensions["fundtrack.storage"]
        assert len(list(storage.keys())) == 1
    again = runner.invoke(["db", "restore", str(target)])
    assert again.exit_code != 0 and "not empty" in again.output and "--force" in again.output
    assert runner.invoke(["db", "restore", "--force", str(target)]).exit_code == 0


def test_a_restore_refuses_what_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w"):
        pass
    result = _Runner(app).invoke(["db", "restore", str(bogus)])
    assert result.exit_code != 0 and "manifest.json" in result.output


def test_the_nightly_backups_keep_the_newest(tmp_path):
    for day in range(1, 10):
        (tmp_path / f"fundtrack-202612{day:02d}-0330.tar").write_bytes(b"")
    removed = backup.keep_newest(tmp_path, 7)
    assert [p.name for p in removed] == ["fundtrack-20261201-0330.tar", "fundtrack-20261202-0330.tar"]
    assert len(list(tmp_path.glob("*.tar"))) == 7
