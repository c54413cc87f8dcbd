"""fundtrack benchmarks: each figure printed as a ratio against a baseline measured in the same run.

    python benchmarks/run.py [--applications 20000] [--repeat 15]

Every case builds on a large synthetic database (SQLite, in a temporary folder), measures
fundtrack doing a thing end to end and the raw SQL that fetches the same rows, and prints both
and their ratio. Page cases also count SQL queries on a small and a large database: the count
must not grow with the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import feeds as feed_benchmark  # noqa: E402
from benchmarks import relationships as relationship_benchmark  # noqa: E402
from benchmarks import reports as report_benchmark  # noqa: E402
from benchmarks import search as search_benchmark  # noqa: E402
from benchmarks import synthetic  # noqa: E402
from fundtrack import create_app  # noqa: E402
from fundtrack.db import db, optimize, upgrade  # noqa: E402

TODAY = dt.date(2026, 11, 22)


class QueryCounter(logging.Handler):
    """Counts the SQL statements peewee runs (it logs each at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


@contextmanager
def counting_queries():
    logger = logging.getLogger("peewee")
    counter, level = QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def best_of(fn, repeat: int) -> float:
    """Median wall time of `fn` in milliseconds, after one warm-up run."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class World:
    """One synthetic database with an app and logged-in clients."""

    def __init__(self, folder: Path, applications: int):
        url = f"sqlite:///{folder / f'bench-{applications}.sqlite3'}"
        self.app = create_app({"testing": True, "database": {"url": url}, "app": {"secret_key": "benchmark-secret-key"}})
        self.database = db.obj
        upgrade()
        with db.connection_context():
            self.ids = synthetic.build(
                applications=applications, funders=max(200, applications // 10), organisations=50, today=TODAY
            )
        optimize()  # as `fundtrack db optimize` (and the nightly job) would after a large import
        self.applications = applications
        self.client = self.app.test_client()
        self.app.config["WTF_CSRF_ENABLED"] = False
        response = self.client.post("/login", data={"email": self.ids["fundraiser"], "password": synthetic.PASSWORD})
        assert response.status_code == 302, response.status_code

    def activate(self) -> World:
        """Point the one database proxy at this world's database."""
        db.initialize(self.database)
        return self

    def get(self, path: str) -> bytes:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.data

    def queries(self, path: str) -> int:
        self.activate()
        with counting_queries() as counter:
            self.get(path)
        return counter.count


def raw_rows(sql: str, params=()):
    cursor = db.execute_sql(sql, params)
    return cursor.fetchall()


def case_dashboard(large: World, small: World, repeat: int):
    """The dashboard against the raw SQL that fetches its rows: next deadlines, overdue count, stage counts."""
    today = TODAY.isoformat()

    def baseline():
        with db.connection_context():
            raw_rows(
                "SELECT d.*, a.*, o.*, f.* FROM deadline d JOIN application a ON a.id = d.application_id "
                "JOIN organisation o ON o.id = a.organisation_id JOIN funder f ON f.id = a.funder_id "
                "WHERE d.done_at IS NULL AND d.due_on >= ? ORDER BY d.due_on, d.due_at, d.id LIMIT 12",
                (today,),
            )
            raw_rows(
                "SELECT COUNT(*) FROM deadline d JOIN application a ON a.id = d.application_id "
                "WHERE d.done_at IS NULL AND d.due_on < ?",
                (today,),
            )
            raw_rows("SELECT stage, COUNT(id) FROM application GROUP BY stage")

    large.activate()
    return (
        "dashboard",
        best_of(lambda: large.get("/"), repeat),
        best_of(baseline, repeat),
        small.queries("/"),
        large.queries("/"),
    )


def case_list(large: World, small: World, repeat: int):
    """The application list, sorted by next deadline, against the raw SQL of its count and its page."""
    path = "/applications/?sort=deadline&dir=asc"

    def baseline():
        with db.connection_context():
            raw_rows("SELECT COUNT(*) FROM application")
            raw_rows(
                "SELECT a.*, o.*, f.*, nd.next_due FROM application a JOIN organisation o ON o.id = a.organisation_id "
                "JOIN funder f ON f.id = a.funder_id LEFT JOIN (SELECT application_id, MIN(due_on) AS next_due "
                "FROM deadline WHERE done_at IS NULL AND deleted_at IS NULL GROUP BY application_id) nd "
                "ON nd.application_id = a.id ORDER BY nd.next_due ASC NULLS LAST, a.id DESC LIMIT 50"
            )

    large.activate()
    return (
        "application list",
        best_of(lambda: large.get(path), repeat),
        best_of(baseline, repeat),
        small.queries(path),
        large.queries(path),
    )


BOARD_STAGES = ("idea", "drafting", "submitted", "granted", "reporting", "rejected", "withdrawn", "closed")


def case_board(large: World, small: World, repeat: int):
    """The board against the raw SQL of its stage counts, its cards per column and their next deadlines."""

    def baseline():
        with db.connection_context():
            raw_rows("SELECT stage, COUNT(id) FROM application GROUP BY stage")
            ids = []
            for stage in BOARD_STAGES:
                limit = 50 if stage in BOARD_STAGES[:5] else 10
                rows = raw_rows(
                    "SELECT a.*, o.*, f.* FROM application a JOIN organisation o ON o.id = a.organisation_id "
                    "JOIN funder f ON f.id = a.funder_id WHERE a.stage = ? ORDER BY a.stage_changed_at DESC, a.id DESC "
                    f"LIMIT {limit}",
                    (stage,),
                )
                ids.extend(row[0] for row in rows)
            marks = ",".join("?" * len(ids))
            raw_rows(
                f"SELECT * FROM deadline WHERE application_id IN ({marks}) AND done_at IS NULL "
                "AND deleted_at IS NULL ORDER BY application_id, due_on, id",
                ids,
            )

    large.activate()
    return (
        "board",
        best_of(lambda: large.get("/applications/board"), repeat),
        best_of(baseline, repeat),
        small.queries("/applications/board"),
        large.queries("/applications/board"),
    )


def case_application_page(large: World, small: World, repeat: int):
    """One application's page against the raw SQL of its record, history, deadlines and fee."""
    app_id = large.ids["application_ids"][len(large.ids["application_ids"]) // 2]
    small_id = small.ids["application_ids"][len(small.ids["application_ids"]) // 2]

    def baseline():
        with db.connection_context():
            raw_rows(
                "SELECT a.*, o.*, f.* FROM application a JOIN organisation o ON o.id = a.organisation_id "
                "JOIN funder f ON f.id = a.funder_id WHERE a.id = ?",
                (app_id,),
            )
            raw_rows(
                "SELECT s.*, u.* FROM stage_change s LEFT JOIN user u ON u.id = s.actor_id "
                "WHERE s.application_id = ? ORDER BY s.changed_at, s.id",
                (app_id,),
            )
            raw_rows("SELECT * FROM deadline WHERE application_id = ? AND deleted_at IS NULL ORDER BY due_on, id", (app_id,))
            raw_rows("SELECT * FROM fee_agreement WHERE application_id = ?", (app_id,))

    large.activate()
    return (
        "application page",
        best_of(lambda: large.get(f"/applications/{app_id}"), repeat),
        best_of(baseline, repeat),
        small.queries(f"/applications/{small_id}"),
        large.queries(f"/applications/{app_id}"),
    )


def case_floor(large: World, small: World, repeat: int):
    """The cost of any request at all (session, login, access checks): /healthz against one SELECT 1.

    A page whose own SQL takes well under a millisecond cannot come within 2x of it; this line shows
    how much of such a page's time is this fixed floor rather than its data.
    """

    def baseline():
        with db.connection_context():
            raw_rows("SELECT 1")

    large.activate()
    return (
        "request floor (/healthz)",
        best_of(lambda: large.get("/healthz"), repeat),
        best_of(baseline, repeat),
        small.queries("/healthz"),
        large.queries("/healthz"),
    )


def case_calendar(large: World, small: World, repeat: int):
    """A subscription with 2,000 deadlines: a full GET (built, not cached) against icalendar serialising the
    same events alone; then the cached GET, and a 304 against a trivial endpoint."""
    import datetime as dt

    from peewee import chunked

    from fundtrack import clock
    from fundtrack.applications.models import Application
    from fundtrack.calendars import services as calendars
    from fundtrack.deadlines.models import Deadline
    from fundtrack.funders.models import Funder
    from fundtrack.organisations.models import Organisation

    large.activate()
    now = clock.now()
    with db.connection_context():
        organisation = Organisation.create(name="Calendar benchmark", kind="enterprise", created_at=now, updated_at=now)
        funder = Funder.get()
        Application.insert_many(
            [
                {
                    "organisation": organisation.id,
                    "funder": funder.id,
                    "title": f"Ansøgning {i} om støtte",
                    "stage": "drafting",
                    "stage_changed_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "purpose": "",
                    "notes": "",
                    "cosigned_by": "",
                }
                for i in range(1000)
            ]
        ).execute()
        ids = [a.id for a in Application.select(Application.id).where(Application.organisation == organisation)]
        rows = [
            {
                "application": i,
                "kind": kind,
                "title": "",
                "due_on": clock.today() + dt.timedelta(days=10 + n),
                "notes": "",
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
            for n, i in enumerate(ids)
            for kind in ("internal_draft", "submission")
        ]
        for batch in chunked(rows, 500):
            Deadline.insert_many(batch).execute()
        subscription, token = calendars.issue(organisation=organisation, include_rounds=False, include_calls=False, now=now)
        items = calendars.collect(subscription, clock.today(), now, "http://localhost:5000")
        assert len(items) == 2000, len(items)

    reminders = calendars.reminders_of(subscription)

    def serialise_alone():
        calendars.render(items, name="x", uid="x", reminders=reminders, language="da")

    def full_get():
        calendars.cache.clear()
        large.get(f"/calendars/{token}.ics")

    baseline = best_of(serialise_alone, max(3, repeat // 3))
    ours = best_of(full_get, max(3, repeat // 3))
    cached = best_of(lambda: large.get(f"/calendars/{token}.ics"), repeat)
    etag = large.client.get(f"/calendars/{token}.ics").headers["ETag"]

    def not_modified():
        response = large.client.get(f"/calendars/{token}.ics", headers={"If-None-Match": etag})
        assert response.status_code == 304

    trivial = best_of(lambda: large.get("/healthz"), repeat)
    revalidated = best_of(not_modified, repeat)
    print(f"{'calendar: 2,000 events, cached':<28} {cached:>13.2f} {baseline:>12.2f} {cached / baseline:>7.2f}")
    print(f"{'calendar: 304 vs /healthz':<28} {revalidated:>13.2f} {trivial:>12.2f} {revalidated / trivial:>7.2f}")
    return ("calendar: 2,000 events, built", ours, baseline, 0, 0)


def case_alerts(large: World, small: World, repeat: int):
    """Planning reminders over 100,000 deadlines with a full outbox, against the one SQL query that selects
    the due deadlines. Measured in the steady state the scheduler meets every five minutes: a first run
    has filled the outbox, and the run measured finds nothing new."""
    import datetime as dt
    import random

    from peewee import chunked

    from fundtrack import clock
    from fundtrack.alerts import services as alerts
    from fundtrack.alerts.models import Alert
    from fundtrack.alerts.rules import load_rules
    from fundtrack.applications.models import Application
    from fundtrack.deadlines.models import Deadline

    large.activate()
    rng = random.Random(7)
    now = clock.now()
    today = clock.to_local(now).date()
    with db.connection_context():
        app_ids = [a.id for a in Application.select(Application.id)]
        missing = 100_000 - Deadline.select().count()
        rows = [
            {
                "application": rng.choice(app_ids),
                "kind": rng.choice(["submission", "interim_report", "final_report", "internal_draft", "custom"]),
                "title": "",
                "due_on": today + dt.timedelta(days=rng.randint(-400, 400)),
                "notes": "",
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
            for _ in range(missing)
        ]
        for batch in chunked(rows, 500):
            Deadline.insert_many(batch).execute()
        optimize()
        rules = load_rules()
        first = alerts.plan_deadline_alerts(rules, today=today, now=now, digest_hour=7)
        outbox = Alert.select().count()

    before = max(max(r.days_before, default=0) for r in rules)
    after = max(max(r.days_after, default=0) for r in rules)
    kinds = ", ".join(f"'{k}'" for r in rules for k in r.deadline_kinds)
    window = (
        f"SELECT d.id, d.kind, d.due_on, a.owner_id, a.organisation_id, a.funder_id FROM deadline d "
        f"JOIN application a ON a.id = d.application_id WHERE d.done_at IS NULL AND d.deleted_at IS NULL "
        f"AND d.kind IN ({kinds}) AND d.due_on BETWEEN ? AND ?"
    )
    dates = ((today - dt.timedelta(days=after)).isoformat(), (today + dt.timedelta(days=before)).isoformat())

    def due_deadlines(sql, params):
        def query():
            with db.connection_context():
                raw_rows(sql, params)

        return query

    def plan():
        with db.connection_context():
            alerts.plan_deadline_alerts(rules, today=today, now=now, digest_hour=7)

    def new_day():
        with db.connection_context():
            Deadline.update(alerts_planned_on=None).execute()

    # The first run of a day looks at every deadline near its date (the outbox already full);
    # the runs after it, every five minutes, look only at deadlines not yet planned that day.
    rounds = max(3, repeat // 3)
    daily, daily_raw = best_of_with(plan, new_day, rounds), best_of(due_deadlines(window, dates), rounds)
    plan()
    steady_sql = window + " AND (d.alerts_planned_on IS NULL OR d.alerts_planned_on < ?)"
    steady, steady_raw = best_of(plan, repeat), best_of(due_deadlines(steady_sql, dates + (today.isoformat(),)), repeat)
    print(
        f"alerts: 100,000 deadlines, an outbox of {outbox:,} rows ({len(first.pending):,} planned as due, "
        f"{len(first.skipped):,} skipped)"
    )
    print(f"{'alerts: first run of a day':<28} {daily:>13.2f} {daily_raw:>12.2f} {daily / daily_raw:>7.2f}")
    return ("alerts: every 5 minutes", steady, steady_raw, 0, 0)


def best_of_with(fn, setup, repeat: int) -> float:
    """Like best_of, with `setup` run before each measured call (and not measured)."""
    times = []
    for _ in range(repeat):
        setup()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


CASES = [case_floor, case_dashboard, case_list, case_board, case_application_page, case_calendar, case_alerts]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--report-applications", type=int, default=50_000, help="Applications over ten years for the funding overview case."
    )
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="fundtrack-bench-") as folder:
        small = World(Path(folder), max(200, args.applications // 10))
        large = World(Path(folder), args.applications)
        print(f"{'case':<28} {'fundtrack ms':>13} {'baseline ms':>12} {'ratio':>7} {'queries small/large':>20}")
        failures = 0
        for case in CASES:
            name, ours, baseline, queries_small, queries_large = case(large, small, args.repeat)
            ratio = ours / baseline if baseline else float("inf")
            steady = "" if queries_small == queries_large else "  <- query count grows with the data"
            failures += bool(steady)
            print(f"{name:<28} {ours:>13.2f} {baseline:>12.2f} {ratio:>7.2f} {queries_small:>9}/{queries_large:<10}{steady}")
        print(
            f"{'':<28} {'large ms':>13} {'raw SQL ms':>12} {'ratio':>7} {'small ms':>9} {'large/small':>11} "
            f"{'raw large/small':>15} queries"
        )
        for name, ours, raw, ours_small, raw_small, queries_small, queries_large in relationship_benchmark.run(
            large, small, args.repeat, best_of, raw_rows, db, TODAY
        ):
            steady = "" if queries_small == queries_large else "  <- query count grows with the data"
            failures += bool(steady)
            print(
                f"{name:<28} {ours:>13.2f} {raw:>12.2f} {ours / raw:>7.2f} {ours_small:>9.2f} "
                f"{ours / ours_small:>11.2f} {raw / raw_small:>15.2f} {queries_small}/{queries_large}{steady}"
            )
        for name, ours, baseline, queries_small, queries_large in search_benchmark.run(
            large, small, args.repeat, best_of, dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
        ):
            steady = "" if queries_small == queries_large else "  <- query count grows with the data"
            failures += bool(steady)
            ratio = ours / baseline
            print(f"{name:<28} {ours:>13.2f} {baseline:>12.2f} {ratio:>7.2f} {queries_small:>9}/{queries_large:<10}{steady}")
        small.activate()

        rows, (feed_mb, peak_mb, parser_peak_mb) = feed_benchmark.run(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC))
        for name, ours, baseline in rows:
            print(f"{name:<28} {ours:>13.2f} {baseline:>12.2f} {ours / baseline:>7.2f}")
        print(f"{'':<28} {'fundtrack MB':>13} {'feedparser MB':>13} {'ratio':>6}")
        print(
            f"{f'feeds: peak, {feed_mb:.0f} MB feed':<28} {peak_mb:>13.1f} {parser_peak_mb:>13.1f} "
            f"{peak_mb / parser_peak_mb:>6.2f}"
        )
        for name, ours, baseline in report_benchmark.run(Path(folder), args.report_applications, TODAY):
            print(f"{name:<28} {ours:>13.2f} {baseline:>12.2f} {ours / baseline:>7.2f}")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
