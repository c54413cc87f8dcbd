"""Backups: one file holding a consistent copy of the database, taken while the server runs, and the stored
documents; and the restore of such a file into an empty database.

The file is a tar archive: `manifest.json` (when, which database, the row count of every table),
`database.sqlite3` (SQLite's online backup) or `database.pgdump` (`pg_dump` in its custom format), and
`files/<key>` for each stored document.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app

from fundtrack.db import db, is_postgresql
from fundtrack.schema import MODELS

FORMAT = 1


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why and what to do."""


def row_counts() -> dict[str, int]:
    """Rows per table of the models: what a restore is checked against."""
    return {model._meta.table_name: model.select().count() for model in MODELS}


def dated_name(now: dt.datetime) -> str:
    return f"fundtrack-{now.strftime('%Y%m%d-%H%M')}.tar"


def backup(target: Path, *, storage, now: dt.datetime) -> dict:
    """Write the backup to `target` (a temporary file first, so that a failed backup leaves no half file)."""
    target = Path(target)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / ("database.pgdump" if is_postgresql() else "database.sqlite3")
        if is_postgresql():
            counts = _pg_dump(dump)
        else:
            _sqlite_copy(dump)
            counts = _counts_of_copy(dump)
        keys = sorted(storage.keys()) if storage is not None else []
        manifest = {
            "format": FORMAT,
            "made_at": now.isoformat(),
            "database": "postgresql" if is_postgresql() else "sqlite",
            "rows": counts,
            "files": len(keys),
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
            archive.add(dump, arcname=dump.name)
            for key in keys:
                _add(archive, f"files/{key}", storage.get(key))
        partial.replace(target)
    return manifest


def restore(source: Path, *, storage, force: bool = False) -> dict:
    """Restore a backup into this installation's database (which must be empty unless `force`), and its files."""
    with tarfile.open(source, "r") as archive:
        manifest = json.loads(_read(archive, "manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source} is not a fundtrack backup of a format this version reads")
        wanted = "postgresql" if is_postgresql() else "sqlite"
        if manifest["database"] != wanted:
            raise BackupError(f"{source} holds a {manifest['database']} database; this installation uses {wanted}")
        with db.connection_context():
            occupied = _holds_data()
        if occupied and not force:
            raise BackupError("the database is not empty; restore into an empty one, or add --force to replace it")
        with tempfile.TemporaryDirectory() as work:
            name = "database.pgdump" if is_postgresql() else "database.sqlite3"
            dump = Path(work) / name
            dump.write_bytes(_read(archive, name))
            if is_postgresql():
                _pg_restore(dump)
            else:
                _sqlite_restore(dump)
        restored_files = 0
        for member in archive.getmembers():
            if member.name.startswith("files/") and member.isfile() and storage is not None:
                storage.put(_read(archive, member.name))
                restored_files += 1
    return {**manifest, "restored_files": restored_files}


# The tables a used installation has rows in; a fresh one has only what its migrations put in (templates).
DATA_TABLES = ("user", "organisation", "funder", "application")


def _holds_data() -> bool:
    return any(count for table, count in row_counts().items() if table in DATA_TABLES)


def keep_newest(folder: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest dated backups in `folder`; returns the ones removed."""
    found = sorted(Path(folder).glob("fundtrack-*.tar"))
    removed = found[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        member = archive.extractfile(name)
    except KeyError:
        raise BackupError(f"the backup has no {name}") from None
    if member is None:
        raise BackupError(f"the backup's {name} is not a file")
    return member.read()


def _sqlite_path() -> str:
    return db.obj.database


def _sqlite_copy(dump: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write."""
    source = sqlite3.connect(_sqlite_path())
    copy = sqlite3.connect(dump)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _counts_of_copy(dump: Path) -> dict[str, int]:
    copy = sqlite3.connect(dump)
    try:
        tables = [model._meta.table_name for model in MODELS]
        return {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        copy.close()


def _close_connections() -> None:
    """The restore replaces the database under the pool: no connection may keep the old one."""
    if not db.is_closed():
        db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def _sqlite_restore(dump: Path) -> None:
    _close_connections()
    copy = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_path())
    try:
        copy.backup(target)
    finally:
        target.close()
        copy.close()


def _postgres_url() -> str:
    return current_app.extensions["fundtrack.settings"].database.url


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
            if (folder / name).exists():
                return str(folder / name)
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client (of the server's major version)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:500]}")


def _pg_dump(dump: Path) -> dict[str, int]:
    """`pg_dump` of one snapshot, and the row counts of that same snapshot (while others go on writing)."""
    db.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        snapshot = db.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [model._meta.table_name for model in MODELS]
        counts = {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
        options = ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={dump}"]
        _run([_tool("pg_dump"), *options, _postgres_url()])
    finally:
        db.execute_sql("COMMIT")
    return counts


def _pg_restore(dump: Path) -> None:
    _close_connections()
    options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
    _run([_tool("pg_restore"), *options, f"--dbname={_postgres_url()}", str(dump)])
