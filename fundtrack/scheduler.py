"""The scheduler: APScheduler running every domain's jobs, in its own process or inside `fundtrack serve`.

Jobs are defined here in code with fixed ids and an in-memory store; the state that matters lives in
fundtrack's tables (the outbox, the feed sources), so a restart simply catches up. A lease in the
database lets only one scheduler act at a time, however many are started: each job first renews or
takes the lease, and does nothing without it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app, has_app_context

from fundtrack import backup, clock
from fundtrack.alerts import jobs as alert_jobs
from fundtrack.alerts.services import hold_lease, release_lease
from fundtrack.audit import services as audit
from fundtrack.auth.services import purge_login_failures
from fundtrack.db import db, optimize
from fundtrack.feeds import jobs as feed_jobs
from fundtrack.feeds import matching as feed_matching
from fundtrack.imports.services import purge_pending
from fundtrack.relationships import services as relationships
from fundtrack.reports import schedules as report_schedules
from fundtrack.search.index import SearchEntry

log = logging.getLogger(__name__)
LEASE = "scheduler"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


class Runner:
    """Runs a job inside the app, with a database connection, only while holding the lease."""

    def __init__(self, app):
        self.app = app
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.settings = app.extensions["fundtrack.settings"]

    def holds_lease(self) -> bool:
        return hold_lease(LEASE, self.holder, now=clock.now(), seconds=self.settings.scheduler.lease_seconds)

    def __call__(self, name: str, job) -> None:
        with self.app.app_context(), db.connection_context():
            if not self.holds_lease():
                return
            try:
                job()
            except Exception:  # noqa: BLE001 - a failing job is logged; the next run tries again
                log.exception("scheduled job failed", extra={"job": name})

    def release(self) -> None:
        with self.app.app_context(), db.connection_context():
            release_lease(LEASE, self.holder)


def jobs(app) -> dict:
    """Every domain's job: name -> (function, trigger arguments)."""
    settings = app.extensions["fundtrack.settings"]
    return {
        "lease": (lambda: None, {"trigger": "interval", "seconds": max(5, settings.scheduler.lease_seconds // 3)}),
        "feeds": (lambda: feed_jobs.fetch_due_sources(settings), {"trigger": "interval", "minutes": 1}),
        "matching": (feed_jobs.match_pending_calls, {"trigger": "interval", "minutes": 5}),
        "alerts": (alert_jobs.run, {"trigger": "interval", "minutes": 5}),
        # The committee's overviews: frozen and planned into the outbox on their day; the alerts job sends them.
        "reports": (report_schedules.send_due, {"trigger": "interval", "minutes": 30}),
        # A relationship lapses by the calendar alone: its status moves on the day, just after local midnight.
        "statuses": (
            lambda: relationships.refresh_statuses(clock.today()),
            {"trigger": "cron", "hour": 0, "minute": 5, "timezone": settings.app.timezone},
        ),
        "maintenance": (
            lambda: maintenance(settings),
            {"trigger": "cron", "hour": 3, "minute": 30, "timezone": settings.app.timezone},
        ),
    }


def catch_up() -> None:
    """(Inside a connection.) What derived rows a crash, an upgrade or a change of settings may have left behind, mended: the
    relationships' figures, the calls not yet passed on, the configured report schedule, and an empty search index
    (idempotent)."""
    now = clock.now()
    relationships.refresh_all(now=now)
    feed_matching.match_pending_calls(now=now)
    if has_app_context():  # the configured schedule is the running app's
        report_schedules.follow_configuration(current_app.extensions["fundtrack.settings"].reports, now)
    if not SearchEntry.select().exists():  # a database from before the search, or an index lost: fill it
        with db.atomic():
            audit.rebuild_search_index(now)


def maintenance(settings) -> None:
    """Nightly: forget old login failures and unconfirmed uploads, catch up, refresh the planner's statistics,
    and write a dated backup when a backup folder is set (keeping the newest `database.backup_keep`)."""
    now = clock.now()
    if settings.database.backup_folder:
        folder = Path(settings.database.backup_folder)
        folder.mkdir(parents=True, exist_ok=True)
        backup.backup(folder / backup.dated_name(now), storage=current_app.extensions.get("fundtrack.storage"), now=now)
        backup.keep_newest(folder, settings.database.backup_keep)
    purge_login_failures(now - dt.timedelta(minutes=settings.app.login_lockout_minutes))
    purge_pending(now)
    catch_up()
    optimize()


def build(app, *, blocking: bool):
    """A scheduler with every job added; `start()` it (blocking for `fundtrack scheduler`)."""
    runner = Runner(app)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(job_defaults=JOB_DEFAULTS, timezone="UTC")
    for name, (function, trigger) in jobs(app).items():
        scheduler.add_job(
            runner,
            id=name,
            name=name,
            args=(name, function),
            next_run_time=dt.datetime.now(dt.UTC),
            replace_existing=True,
            **trigger,
        )
    scheduler.fundtrack_runner = runner
    return scheduler
