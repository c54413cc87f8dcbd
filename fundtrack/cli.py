"""The `fundtrack` command: serving, the database, demo data, the scheduler and the translations.

Built on Flask's FlaskGroup, so `fundtrack run`, `fundtrack shell` and `fundtrack routes` work too. Each
domain's own commands (`users`, `feeds`, `calendars`, `alerts`, `reports`, `import`, `export`) live in
its `cli.py` and are registered by the app factory. This module is the console script's entry point: it
builds no app until a command runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import waitress
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from fundtrack import backup, clock, create_app
from fundtrack import demo as demo_data
from fundtrack.audit.services import rebuild_search_index
from fundtrack.config import ConfigError
from fundtrack.db import db, optimize, pending_migrations, upgrade
from fundtrack.resources import PACKAGE_DIR
from fundtrack.scheduler import build, catch_up
from fundtrack.schema import migration_draft, schema_diff
from fundtrack.search.index import SearchEntry, clear_full_text

DEMO_DATABASE = "sqlite:///instance/demo.sqlite3"


def _create_app(overrides: dict | None = None):
    """The app for a command; a configuration error ends the command with its message, not a traceback."""
    try:
        return create_app(overrides)
    except ConfigError as error:
        click.echo(f"fundtrack: configuration error: {error}", err=True)
        sys.exit(2)


cli = FlaskGroup(
    name="fundtrack",
    create_app=lambda: _create_app(),
    add_version_option=False,
    help="fundtrack: funders, applications, calls, deadlines and reports for social-economy fundraising.",
)


@cli.command(with_appcontext=False)
@click.option("--demo", is_flag=True, help="Use a throwaway SQLite database in instance/ with demo data.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler in this process (run `fundtrack scheduler`).")
def serve(demo: bool, host: str, port: int, threads: int, no_scheduler: bool):
    """Run fundtrack with a production WSGI server (waitress), after upgrading the database.

    The scheduler (feeds, reminders, nightly upkeep) runs inside unless --no-scheduler or
    `scheduler.embedded = false`.
    """
    overrides = {"demo": True, "database": {"url": DEMO_DATABASE}} if demo else None
    app = _create_app(overrides)
    with app.app_context():
        applied = upgrade()
        if applied:
            with db.connection_context():
                catch_up()
            click.echo(f"Database upgraded: {', '.join(applied)}")
        if demo:
            with db.connection_context():
                if demo_data.load_if_empty(today=clock.today(), now=clock.now()):
                    click.echo("Demo data loaded.")
    click.echo(f"fundtrack is running at http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/")
    if demo:
        click.echo(f"Demo logins (password: {demo_data.DEMO_PASSWORD}):")
        for user in demo_data.DEMO_USERS:
            click.echo(f"  {user['email']:<26} {user['role']}")
    scheduler = None
    if not no_scheduler and app.extensions["fundtrack.settings"].scheduler.embedded:
        scheduler = build(app, blocking=False)
        scheduler.start()
        click.echo("The scheduler runs in this process (feeds, reminders, nightly upkeep).")
    click.echo("Stop with Ctrl+C.")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="fundtrack", _quiet=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            scheduler.fundtrack_runner.release()


db_group = AppGroup("db", help="Database schema.")
cli.add_command(db_group)


@db_group.command("upgrade")
def db_upgrade():
    """Apply every pending migration (safe to run again: applies nothing when up to date)."""
    applied = upgrade()
    if applied:
        with db.connection_context():
            catch_up()
    click.echo("Applied: " + ", ".join(applied) if applied else "The database is up to date.")


@db_group.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def db_backup(file):
    """Write a consistent copy of the database and the stored documents to FILE (default: a dated file in
    database.backup_folder, or here), while the server runs."""
    settings = current_app.extensions["fundtrack.settings"]
    now = clock.now()
    target = Path(file) if file else Path(settings.database.backup_folder or ".") / backup.dated_name(now)
    with db.connection_context():
        try:
            manifest = backup.backup(target, storage=current_app.extensions.get("fundtrack.storage"), now=now)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {target}: {sum(manifest['rows'].values())} rows, {manifest['files']} stored files.")


@db_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
def db_restore(file, force):
    """Restore a backup made by `fundtrack db backup` into this installation's (empty) database."""
    try:  # the restore opens and closes its own connections: it replaces the database under them
        restored = backup.restore(Path(file), storage=current_app.extensions.get("fundtrack.storage"), force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {file}: {sum(restored['rows'].values())} rows, {restored['restored_files']} stored files.")


@db_group.command("optimize")
def db_optimize():
    """Refresh the query planner's statistics (run after large imports; the scheduler runs it nightly)."""
    optimize()
    click.echo("Statistics refreshed.")


@db_group.command("reindex")
def db_reindex():
    """Build the search index afresh from every record (to repair it; an empty one is filled on upgrade)."""
    with db.connection_context(), db.atomic():
        SearchEntry.delete().execute()
        clear_full_text()
        count = rebuild_search_index(clock.now())
    click.echo(f"{count} records indexed for search.")


@db_group.command("status")
def db_status():
    """List pending migrations."""
    pending = pending_migrations()
    click.echo("Pending: " + ", ".join(pending) if pending else "The database is up to date.")


@db_group.command("diff")
def db_diff():
    """Print a draft migration for what the models have and the database lacks (for developers)."""
    with db.connection_context():
        if not schema_diff(db.obj):
            click.echo("# The database matches the models.")
            return
        click.echo(migration_draft(db.obj))


demo_group = AppGroup("demo", help="Demo data.")
cli.add_command(demo_group)


@demo_group.command("load")
def demo_load():
    """Load the demo organisations, funders, applications and accounts into an empty database."""
    upgrade()
    with db.connection_context():
        if not demo_data.load_if_empty(today=clock.today(), now=clock.now()):
            raise click.ClickException("The database already holds data; demo data is only loaded into an empty one.")
    click.echo(
        "Demo data loaded. Logins (password: {}): {}".format(
            demo_data.DEMO_PASSWORD, ", ".join(u["email"] for u in demo_data.DEMO_USERS)
        )
    )


@cli.command("scheduler")
def scheduler_command():
    """Run the scheduler in the foreground: feeds, reminders and nightly upkeep (one acts at a time)."""
    scheduler = build(current_app._get_current_object(), blocking=True)
    click.echo(f"Scheduler {scheduler.fundtrack_runner.holder} started; stop with Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.fundtrack_runner.release()


translate_group = click.Group("translate", help="The Danish translation: extract, update and compile the catalogue.")
cli.add_command(translate_group)
BABEL_STEPS = {
    "extract": [
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-k",
        "_l",
        "-o",
        "fundtrack/translations/messages.pot",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "--width=100",
        ".",
    ],
    "update": [
        "update",
        "-i",
        "fundtrack/translations/messages.pot",
        "-d",
        "fundtrack/translations",
        "-l",
        "da",
        "--no-fuzzy-matching",
        "--width=100",
    ],
    "compile": ["compile", "-d", "fundtrack/translations", "-l", "da"],
}


def _pybabel(step: str) -> None:
    """Run one pybabel step with the project's flags, from the project's folder."""
    root = PACKAGE_DIR.parent
    if not (root / "babel.cfg").is_file():
        raise click.ClickException("The translation commands work in a checkout of fundtrack (babel.cfg is missing).")
    here = os.getcwd()
    os.chdir(root)
    try:
        CommandLineInterface().run(["pybabel", "-q", *BABEL_STEPS[step]])
    finally:
        os.chdir(here)


@translate_group.command("extract")
def translate_extract():
    """Collect every message of the code and templates into messages.pot."""
    _pybabel("extract")
    click.echo("Extracted fundtrack/translations/messages.pot.")


@translate_group.command("update")
def translate_update():
    """Bring the Danish catalogue up to date with messages.pot (new messages are left to translate)."""
    _pybabel("update")
    click.echo("Updated fundtrack/translations/da/LC_MESSAGES/messages.po: translate what is new, then compile.")


@translate_group.command("compile")
def translate_compile():
    """Compile the Danish catalogue for the app."""
    _pybabel("compile")
    click.echo("Compiled fundtrack/translations/da/LC_MESSAGES/messages.mo.")
