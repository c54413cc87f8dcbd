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

from benchmarks import synthetic  # noqa: E402
from fundtrack import create_app  # noqa: E402
from fundtrack.db import db, upgrade  # noqa: E402

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
        self.app = create_app({"testing": True, "database": {"url": url},
                               "app": {"secret_key": "benchmark-secret-key"}})
        self.database = db.obj
        upgrade()
        with db.connection_context():
            self.ids = synthetic.build(applications=applications, funders=max(200, applications // 10),
                                       organisations=50, today=TODAY)
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
                "WHERE d.done_at IS NULL AND d.due_on >= ? ORDER BY d.due_on, d.due_at, d.id LIMIT 12", (today,))
            raw_rows("SELECT COUNT(*) FROM deadline d JOIN application a ON a.id = d.application_id "
                     "WHERE d.done_at IS NULL AND d.due_on < ?", (today,))
            raw_rows("SELECT stage, COUNT(id) FROM application GROUP BY stage")

    large.activate()
    return ("dashboard", best_of(lambda: large.get("/"), repeat), best_of(baseline, repeat),
            small.queries("/"), large.queries("/"))


CASES = [case_dashboard]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
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
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
