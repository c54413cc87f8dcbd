"""`fundtrack alerts`: reminders from the command line."""

import datetime as dt

import click
from flask.cli import AppGroup

from fundtrack import clock
from fundtrack.alerts import jobs, services
from fundtrack.alerts.services import outbox as waiting
from fundtrack.db import db

group = AppGroup("alerts", help="Deadline reminders.")


@group.command("run")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Plan as if it were this day.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write and send nothing.")
def run(today, dry_run):
    """Plan the reminders that are due and send them (or show what would be sent)."""
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
    click.echo(
        f"{report.planned} planned, {report.skipped} skipped, {len(report.sent)} "
        f"{'to send' if dry_run else 'sent'}, {len(report.failed)} failed."
    )


@group.command("outbox")
def outbox():
    """List the reminders waiting to be sent, with their last error."""
    with db.connection_context():
        rows = list(waiting())
        for alert in rows:
            when = alert.next_attempt_at.isoformat(timespec="minutes") if alert.next_attempt_at else "now"
            error = f" - last error: {alert.last_error}" if alert.last_error else ""
            click.echo(
                f"{alert.id:>6} {alert.status:<8} {alert.email:<32} {alert.rule:<16} next try {when}, "
                f"attempts {alert.attempts}{error}"
            )
    click.echo(f"{len(rows)} waiting.")


@group.command("flush")
def flush():
    """Send everything waiting now, whatever its wait: for when the mail server is back."""
    with db.connection_context():
        due = services.flush(clock.now())
        report = jobs.run()
    click.echo(f"{due} brought forward; {len(report.sent)} sent, {len(report.failed)} failed.")
    for line in report.failed:
        click.echo(f"Failed: {line}")
