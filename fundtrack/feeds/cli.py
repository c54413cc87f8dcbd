"""`fundtrack feeds`: feed sources of open calls from the command line."""

import click
from flask.cli import AppGroup

from fundtrack import clock
from fundtrack.console import plain, settings
from fundtrack.db import db
from fundtrack.feeds import jobs, services
from fundtrack.feeds.models import FeedSource
from fundtrack.validation import ValidationError

group = AppGroup("feeds", help="Feed sources of open calls.")


@group.command("add")
@click.argument("url")
@click.option("--name", help="A name for the source (default: the host name).")
@click.option("--interval", "interval_minutes", type=int, help="Fetch every N minutes.")
def add(url, name, interval_minutes):
    """Add an RSS or Atom feed of open calls."""
    with db.connection_context():
        try:
            source = services.add_source(
                {"url": url, "name": name, "interval_minutes": interval_minutes}, settings=settings().feeds, now=clock.now()
            )
        except ValidationError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Added source {source.id}: {source.name} ({source.url}).")


@group.command("list")
def list_sources():
    """List the sources with their health."""
    with db.connection_context():
        for source in FeedSource.select().order_by(FeedSource.id):
            state = "paused" if not source.active else ("failing" if source.last_error else "ok")
            last = source.last_success_at.isoformat(timespec="minutes") if source.last_success_at else "never"
            click.echo(f"{source.id:>4}  {state:<8} {source.name}  {source.url}")
            click.echo(
                f"      last success {last}; failures in a row {source.consecutive_failures}"
                + (f"; last error: {plain(source.last_error)}" if source.last_error else "")
            )


@group.command("fetch")
@click.option("--source", "source_id", type=int, help="Fetch only this source.")
def fetch(source_id):
    """Fetch every active source now (or one), showing progress and a summary."""
    current = settings()

    def progress(report):
        name = report.source.name
        if report.failed:
            click.echo(f"  ✗ {name}: {plain(report.error)}")
        elif report.not_modified:
            click.echo(f"  = {name}: not modified since the last fetch")
        else:
            line = f"  ✓ {name}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged"
            click.echo(line + (f" (warning: {plain(report.warning)})" if report.warning else ""))

    with db.connection_context():
        reports = services.fetch_all(
            current.feeds, now=clock.now(), user_agent=jobs.user_agent(current), source_id=source_id, progress=progress
        )
    totals = {key: sum(getattr(r, key) for r in reports) for key in ("new", "updated", "unchanged")}
    failed = sum(r.failed for r in reports)
    click.echo(
        f"{len(reports)} sources: {totals['new']} new, {totals['updated']} updated, "
        f"{totals['unchanged']} unchanged, {failed} failed."
    )
    if failed and failed == len(reports):
        raise SystemExit(1)
