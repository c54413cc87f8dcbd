"""The `fundtrack` command: serve, database upgrades, demo data and user accounts.

Built on Flask's FlaskGroup, so `fundtrack run`, `fundtrack shell` and `fundtrack routes` work too.
"""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, FlaskGroup

from fundtrack import clock
from fundtrack.config import ConfigError

DEMO_DATABASE = "sqlite:///instance/demo.sqlite3"


def _create_app(overrides: dict | None = None):
    """The app for a command; a configuration error ends the command with its message, not a traceback."""
    from fundtrack import create_app

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
    import waitress

    from fundtrack import db

    overrides = {"demo": True, "database": {"url": DEMO_DATABASE}} if demo else None
    app = _create_app(overrides)
    with app.app_context():
        applied = db.upgrade()
        if applied:
            click.echo(f"Database upgraded: {', '.join(applied)}")
        if demo:
            from fundtrack import demo as demo_data

            with db.db.connection_context():
                if demo_data.load_if_empty(today=clock.today(), now=clock.now()):
                    click.echo("Demo data loaded.")
    click.echo(f"fundtrack is running at http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/")
    if demo:
        from fundtrack.demo import DEMO_PASSWORD, DEMO_USERS

        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            click.echo(f"  {user['email']:<26} {user['role']}")
    scheduler = None
    if not no_scheduler and app.extensions["fundtrack.settings"].scheduler.embedded:
        from fundtrack.scheduler import build

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
    from fundtrack.db import upgrade

    applied = upgrade()
    click.echo("Applied: " + ", ".join(applied) if applied else "The database is up to date.")


@db_group.command("optimize")
def db_optimize():
    """Refresh the query planner's statistics (run after large imports; the scheduler runs it nightly)."""
    from fundtrack.db import optimize

    optimize()
    click.echo("Statistics refreshed.")


@db_group.command("status")
def db_status():
    """List pending migrations."""
    from fundtrack.db import pending_migrations

    pending = pending_migrations()
    click.echo("Pending: " + ", ".join(pending) if pending else "The database is up to date.")


@db_group.command("diff")
def db_diff():
    """Print a draft migration for what the models have and the database lacks (for developers)."""
    from fundtrack.db import db
    from fundtrack.schema import migration_draft, schema_diff

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
    from fundtrack import demo
    from fundtrack.db import db, upgrade

    upgrade()
    with db.connection_context():
        if not demo.load_if_empty(today=clock.today(), now=clock.now()):
            raise click.ClickException("The database already holds data; demo data is only loaded into an empty one.")
    click.echo("Demo data loaded. Logins (password: {}): {}".format(
        demo.DEMO_PASSWORD, ", ".join(u["email"] for u in demo.DEMO_USERS)))


users_group = AppGroup("users", help="User accounts.")
cli.add_command(users_group)


@users_group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["fundraiser", "member", "viewer"]))
@click.option("--organisation", "organisation_name", help="The member's organisation (by name).")
@click.option("--name", help="Full name (default: the part of the e-mail before @).")
@click.option("--language", default="da", type=click.Choice(["da", "en"]), show_default=True)
@click.password_option(help="The password (asked for when not given).")
def users_add(email, role, organisation_name, name, language, password):
    """Create an account."""
    from fundtrack.auth.services import create_user
    from fundtrack.db import db
    from fundtrack.organisations.models import Organisation
    from fundtrack.validation import ValidationError

    with db.connection_context():
        organisation = None
        if organisation_name:
            organisation = Organisation.get_or_none(Organisation.name == organisation_name)
            if organisation is None:
                raise click.ClickException(f"No organisation is called {organisation_name!r}.")
        try:
            user = create_user(email, name or email.split("@")[0], role, password,
                               organisation=organisation, language=language, now=clock.now())
        except ValidationError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.email} ({user.role}).")


@users_group.command("list")
def users_list():
    """List accounts."""
    from fundtrack.auth.models import User
    from fundtrack.db import db

    with db.connection_context():
        for user in User.select().order_by(User.email):
            state = "" if user.active else " (deactivated)"
            click.echo(f"{user.email:<32} {user.role:<11} {user.name}{state}")


EXPORTABLE = ("funders", "organisations", "applications", "deadlines", "relationships", "calls")


@cli.command("import")
@click.argument("entity", type=click.Choice(["funders", "applications"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be imported, writing nothing.")
def import_command(entity, file, dry_run):
    """Import funders or applications from a spreadsheet (CSV or XLSX); all rows or none."""
    from pathlib import Path

    from fundtrack.db import db
    from fundtrack.imports.engine import preview, run_import
    from fundtrack.imports.services import importers

    data = Path(file).read_bytes()
    importer = importers()[entity]
    with db.connection_context():
        checked = preview(importer, data, Path(file).name)
        for row in checked.rows:
            click.echo(f"row {row.row:>4}: {row.action:<6} {row.summary}")
        for error in checked.errors:
            where = f"row {error.row}" if error.row else "file"
            message = error.message % error.params if error.params else error.message
            click.echo(f"{where}, column {error.column!r}: {message}", err=True)
        if not checked.valid:
            raise click.ClickException(f"{len(checked.errors)} errors; nothing was imported.")
        if dry_run:
            click.echo(f"{len(checked.rows)} rows would be imported (dry run: nothing written).")
            return
        count = run_import(importer, data, Path(file).name, actor=None, now=clock.now())
    click.echo(f"Imported {count} {entity}.")


@cli.command("export")
@click.argument("entity", type=click.Choice(EXPORTABLE))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_command(entity, fmt, output):
    """Export funders, organisations, applications, deadlines or relationships as CSV, XLSX or JSON."""
    from fundtrack import spreadsheets
    from fundtrack.db import db

    with db.connection_context():
        records, columns = _export_records(entity)
        body = spreadsheets.export_bytes(records, columns, fmt, entity)
    _write(body, output, f"Wrote {len(records)} {entity} to {output}.")


def _write(body: bytes, output: str | None, done: str) -> None:
    """Write `body` to the file `output` and say so on stderr, or to standard output when there is none."""
    if output:
        with open(output, "wb") as fh:
            fh.write(body)
        click.echo(done, err=True)
    else:
        click.echo(body, nl=False)


def _export_records(entity: str):
    """Every record of `entity` as the fundraiser sees it (the command line has no narrower user)."""
    from fundtrack.applications import transfer as applications
    from fundtrack.applications.models import Application
    from fundtrack.deadlines.models import Deadline
    from fundtrack.funders import transfer as funders
    from fundtrack.funders.models import Funder
    from fundtrack.organisations import transfer as organisations
    from fundtrack.organisations.models import Organisation

    if entity == "funders":
        return funders.export_funders(Funder.select().order_by(Funder.name)), funders.EXPORT_COLUMNS
    if entity == "organisations":
        return organisations.export_organisations(Organisation.select().order_by(Organisation.name)), \
            organisations.EXPORT_COLUMNS
    if entity == "calls":
        from fundtrack.feeds.models import Call
        from fundtrack.feeds.transfer import EXPORT_COLUMNS, export_calls

        return export_calls(Call.select().order_by(Call.id)), EXPORT_COLUMNS
    if entity == "relationships":
        from flask import current_app

        from fundtrack.auth.models import User
        from fundtrack.relationships import services, transfer

        services.ensure_relationships(clock.now())
        everyone = User(role="fundraiser")  # the command line sees every relationship
        overviews = services.portfolio(everyone, clock.today(), current_app.extensions["fundtrack.settings"].relationships)
        return transfer.export_relationships(overviews), transfer.EXPORT_COLUMNS
    if entity == "applications":
        return applications.export_applications(Application.select().order_by(Application.id), include_notes=True), \
            applications.EXPORT_COLUMNS
    query = (Deadline.select(Deadline, Application, Organisation, Funder).join(Application).join(Organisation)
             .switch(Application).join(Funder).where(Deadline.deleted_at.is_null()).order_by(Deadline.due_on, Deadline.id))
    return applications.export_deadlines(query), applications.DEADLINE_COLUMNS


feeds_group = AppGroup("feeds", help="Feed sources of open calls.")
cli.add_command(feeds_group)


def _settings():
    from flask import current_app

    return current_app.extensions["fundtrack.settings"]


def _plain(record: dict | None) -> str:
    if not record:
        return ""
    return record["message"] % record["params"] if record.get("params") else record["message"]


@feeds_group.command("add")
@click.argument("url")
@click.option("--name", help="A name for the source (default: the host name).")
@click.option("--interval", "interval_minutes", type=int, help="Fetch every N minutes.")
def feeds_add(url, name, interval_minutes):
    """Add an RSS or Atom feed of open calls."""
    from fundtrack.db import db
    from fundtrack.feeds.services import add_source
    from fundtrack.validation import ValidationError

    with db.connection_context():
        try:
            source = add_source({"url": url, "name": name, "interval_minutes": interval_minutes},
                                settings=_settings().feeds, now=clock.now())
        except ValidationError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Added source {source.id}: {source.name} ({source.url}).")


@feeds_group.command("list")
def feeds_list():
    """List the sources with their health."""
    from fundtrack.db import db
    from fundtrack.feeds.models import FeedSource

    with db.connection_context():
        for source in FeedSource.select().order_by(FeedSource.id):
            state = "paused" if not source.active else ("failing" if source.last_error else "ok")
            last = source.last_success_at.isoformat(timespec="minutes") if source.last_success_at else "never"
            click.echo(f"{source.id:>4}  {state:<8} {source.name}  {source.url}")
            click.echo(f"      last success {last}; failures in a row {source.consecutive_failures}"
                       + (f"; last error: {_plain(source.last_error)}" if source.last_error else ""))


@feeds_group.command("fetch")
@click.option("--source", "source_id", type=int, help="Fetch only this source.")
def feeds_fetch(source_id):
    """Fetch every active source now (or one), showing progress and a summary."""
    from fundtrack.db import db
    from fundtrack.feeds import jobs, services

    settings = _settings()

    def progress(report):
        name = report.source.name
        if report.failed:
            click.echo(f"  ✗ {name}: {_plain(report.error)}")
        elif report.not_modified:
            click.echo(f"  = {name}: not modified since the last fetch")
        else:
            line = f"  ✓ {name}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged"
            click.echo(line + (f" (warning: {_plain(report.warning)})" if report.warning else ""))

    with db.connection_context():
        reports = services.fetch_all(settings.feeds, now=clock.now(), user_agent=jobs.user_agent(settings),
                                     source_id=source_id, progress=progress)
    totals = {key: sum(getattr(r, key) for r in reports) for key in ("new", "updated", "unchanged")}
    failed = sum(r.failed for r in reports)
    click.echo(f"{len(reports)} sources: {totals['new']} new, {totals['updated']} updated, "
               f"{totals['unchanged']} unchanged, {failed} failed.")
    if failed and failed == len(reports):
        raise SystemExit(1)


calendars_group = AppGroup("calendars", help="Calendar subscription addresses.")
cli.add_command(calendars_group)


@calendars_group.command("issue")
@click.option("--organisation", "organisation_name", help="A calendar for this organisation (by name).")
@click.option("--user", "email", help="A calendar for this user (by e-mail).")
@click.option("--name", default="", help="The calendar's name in calendar programs.")
@click.option("--language", type=click.Choice(["da", "en"]), help="Language of the events (default: the user's, else Danish).")
def calendars_issue(organisation_name, email, name, language):
    """Issue a secret calendar address and print it (it is not stored and cannot be shown again)."""
    from flask import url_for

    from fundtrack.auth.models import User
    from fundtrack.calendars import services
    from fundtrack.db import db
    from fundtrack.organisations.models import Organisation

    if bool(organisation_name) == bool(email):
        raise click.UsageError("Give exactly one of --organisation and --user.")
    with db.connection_context():
        organisation = user = None
        if organisation_name:
            organisation = Organisation.get_or_none(Organisation.name == organisation_name)
            if organisation is None:
                raise click.ClickException(f"No organisation is called {organisation_name!r}.")
        else:
            user = User.get_or_none(User.email == email.strip().lower())
            if user is None:
                raise click.ClickException(f"No user has the e-mail {email!r}.")
        subscription, token = services.issue(organisation=organisation, user=user, name=name,
                                             language=language or (user.language if user else "da"), now=clock.now())
    base = _settings().app.base_url.rstrip("/")
    with current_app_request_context():
        path = url_for("calendars.feed", token=token)
    click.echo(f"Calendar {subscription.id}: {base}{path}")
    click.echo(f"webcal://{(base + path).split('://', 1)[1]}")


def current_app_request_context():
    from flask import current_app

    return current_app.test_request_context()


@calendars_group.command("revoke")
@click.argument("token_id", type=int)
def calendars_revoke(token_id):
    """Revoke a calendar address by its number (shown by `calendars issue` and `calendars list`)."""
    from fundtrack.calendars import services
    from fundtrack.calendars.models import Subscription
    from fundtrack.db import db

    with db.connection_context():
        subscription = Subscription.get_or_none(Subscription.id == token_id)
        if subscription is None or subscription.revoked_at is not None:
            raise click.ClickException(f"No live calendar {token_id}.")
        services.revoke(subscription, now=clock.now())
    click.echo(f"Calendar {token_id} is revoked.")


@calendars_group.command("list")
def calendars_list():
    """List calendar addresses with the last time a calendar program fetched them."""
    from fundtrack.calendars.models import Subscription
    from fundtrack.db import db

    with db.connection_context():
        for s in Subscription.select().order_by(Subscription.id):
            owner = s.organisation.name if s.organisation_id else s.user.email
            state = "revoked" if s.revoked_at else "live"
            polled = s.last_polled_at.isoformat(timespec="minutes") if s.last_polled_at else "never"
            click.echo(f"{s.id:>4}  {state:<8} {owner:<30} last fetched {polled}")


@cli.command("scheduler")
def scheduler_command():
    """Run the scheduler in the foreground: feeds, reminders and nightly upkeep (one acts at a time)."""
    from flask import current_app

    from fundtrack.scheduler import build

    scheduler = build(current_app._get_current_object(), blocking=True)
    click.echo(f"Scheduler {scheduler.fundtrack_runner.holder} started; stop with Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.fundtrack_runner.release()


alerts_group = AppGroup("alerts", help="Deadline reminders.")
cli.add_command(alerts_group)


@alerts_group.command("run")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Plan as if it were this day.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write and send nothing.")
def alerts_run(today, dry_run):
    """Plan the reminders that are due and send them (or show what would be sent)."""
    import datetime as dt

    from fundtrack.alerts import jobs
    from fundtrack.db import db

    now = clock.now()
    day = today.date() if today else None
    if day is not None and day != clock.to_local(now).date():
        now = dt.datetime.combine(day, dt.time(23, 0), tzinfo=clock.local_zone()).astimezone(dt.UTC)
    with db.connection_context():
        report = jobs.run(today=day, now=now, dry_run=dry_run)
    verb = "Would send" if dry_run else "Sent"
    for line in report.sent:
        click.echo(f"{verb}: {line}")
    for line in report.failed:
        click.echo(f"Failed (will be retried): {line}")
    click.echo(f"{report.planned} planned, {report.skipped} skipped, {len(report.sent)} "
               f"{'to send' if dry_run else 'sent'}, {len(report.failed)} failed.")


@alerts_group.command("outbox")
def alerts_outbox():
    """List the reminders waiting to be sent, with their last error."""
    from fundtrack.alerts.services import outbox
    from fundtrack.db import db

    with db.connection_context():
        rows = list(outbox())
        for alert in rows:
            when = alert.next_attempt_at.isoformat(timespec="minutes") if alert.next_attempt_at else "now"
            error = f" - last error: {alert.last_error}" if alert.last_error else ""
            click.echo(f"{alert.id:>6} {alert.status:<8} {alert.email:<32} {alert.rule:<16} next try {when}, "
                       f"attempts {alert.attempts}{error}")
    click.echo(f"{len(rows)} waiting.")


reports_group = AppGroup("reports", help="Funding overviews for the committee and the annual report.")
cli.add_command(reports_group)


@reports_group.command("quarterly")
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(["html", "xlsx", "csv", "json"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--organisation", help="Only this organisation (by name).")
@click.option("--language", type=click.Choice(["da", "en"]), help="Language of the labels (default: app.default_language).")
@click.option("--with-fees", is_flag=True, help="Include the fundraiser's fees (leave out for reports that go to others).")
def reports_quarterly(period, fmt, output, organisation, language, with_fees):
    """The overview of a quarter (2026-Q3), a half-year (2026-H2) or a year (2026).

    HTML is a standalone document (print it to PDF for an A4 report); its numbers link to the
    application lists at app.base_url.
    """
    from flask import current_app
    from flask_babel import force_locale

    from fundtrack.db import db
    from fundtrack.organisations.models import Organisation
    from fundtrack.periods import PeriodError, parse_period
    from fundtrack.reports import views

    try:
        chosen = parse_period(period)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="PERIOD") from None
    settings = current_app.extensions["fundtrack.settings"]
    # A request context, so that links point at the installation; its teardown closes the connection.
    with current_app.test_request_context(base_url=settings.app.base_url), \
            force_locale(language or settings.app.default_language):
        db.connect(reuse_if_open=True)
        found = Organisation.get_or_none(Organisation.name == organisation) if organisation else None
        if organisation and found is None:
            raise click.BadParameter(f"no organisation is called {organisation!r}", param_hint="--organisation")
        overview = views.build(chosen, found, with_fees=with_fees)
        body = views.render_file(overview, fmt)
    _write(body, output, f"Wrote the overview of {chosen.code} to {output}.")
