"""The relationship pages (portfolio, ask again, metrics) on a large and a small database: each against the
raw SQL that fetches the rows it shows, and its time on the large database against its time on the small one.

A page of relationships must cost the same whatever the number of applications: what it filters and sorts
by is kept on the relationship rows (and the gifts on rows of their own) and read through indexes, and what
it works out in Python is for the rows of one page.
"""

from __future__ import annotations

import datetime as dt

CASES = {
    "portfolio": "/relationships/",
    "ask again": "/relationships/ask-again?days=365",
    "metrics": "/relationships/metrics",
}
PAGE = (
    "SELECT r.*, f.*, o.*, u.* FROM relationship r JOIN funder f ON f.id = r.funder_id "
    "JOIN organisation o ON o.id = r.organisation_id LEFT JOIN user u ON u.id = r.steward_id "
)


def _page_gifts(raw_rows, rows):
    """The gifts and rejections of a page's pairs, as the ask-again page loads them (its rows show the
    suggested amount and the reasons for the date, which come from the gifts)."""
    funders = sorted({row[1] for row in rows}) or [0]
    marks = ",".join("?" * len(funders))
    raw_rows(
        "SELECT a.id, a.funder_id, a.organisation_id, a.stage, a.decided_on, a.amount_granted_ore, a.reclaimed_ore, "
        "a.round_id, a.project_end_on FROM application a WHERE a.stage IN ('granted', 'reporting', 'closed', "
        f"'rejected') AND a.decided_on IS NOT NULL AND a.funder_id IN ({marks})",
        funders,
    )


def baselines(raw_rows, today: dt.date, start: dt.date, end: dt.date, last_start: dt.date, this_start: dt.date):
    """The raw SQL each page needs for its rows."""

    def portfolio():
        raw_rows("SELECT status, COUNT(*) FROM relationship GROUP BY status")
        raw_rows("SELECT COUNT(*) FROM relationship")
        raw_rows(PAGE + "ORDER BY r.status_rank, r.sort_key, r.id LIMIT 50")

    def ask_again():
        horizon = (today + dt.timedelta(days=365)).isoformat()
        raw_rows("SELECT COUNT(*) FROM relationship r WHERE r.ask_from_on <= ?", (horizon,))
        _page_gifts(
            raw_rows, raw_rows(PAGE + "WHERE r.ask_from_on <= ? ORDER BY r.ask_from_on, r.sort_key, r.id LIMIT 50", (horizon,))
        )

    def metrics():
        period = (start.isoformat(), end.isoformat())
        raw_rows(
            "SELECT COUNT(*), SUM(amount_ore), SUM(previous_on IS NOT NULL), SUM(CASE WHEN previous_on IS NOT NULL "
            "THEN amount_ore ELSE 0 END), SUM(amount_ore > previous_ore), SUM(amount_ore < previous_ore) "
            "FROM gift WHERE given_on BETWEEN ? AND ?",
            period,
        )
        raw_rows(
            "SELECT julianday(given_on) - julianday(previous_on) FROM gift WHERE given_on BETWEEN ? AND ? "
            "AND previous_on IS NOT NULL",
            period,
        )
        before = start.replace(year=start.year - 1).isoformat()
        raw_rows(
            "SELECT COUNT(*) FROM (SELECT relationship_id FROM gift WHERE given_on BETWEEN ? AND ? "
            "GROUP BY relationship_id HAVING SUM(given_on < ?) > 0)",
            (before, period[1], period[0]),
        )
        raw_rows(
            "SELECT COUNT(*) FROM (SELECT relationship_id FROM gift WHERE given_on BETWEEN ? AND ? "
            "GROUP BY relationship_id HAVING SUM(given_on < ?) > 0 AND SUM(given_on >= ?) > 0)",
            (before, period[1], period[0], period[0]),
        )
        for where, params in (
            ("r.last_gift_on >= ? AND r.last_gift_on < ?", (last_start, this_start)),
            ("r.last_gift_on < ?", (last_start,)),
        ):
            params = tuple(p.isoformat() for p in params)
            raw_rows(f"SELECT COUNT(*) FROM relationship r WHERE {where}", params)
            raw_rows(PAGE + f"WHERE {where} ORDER BY r.last_gift_on DESC, r.id LIMIT 50", params)
        due = (start.isoformat(), min(end, today - dt.timedelta(days=1)).isoformat())
        on_time = "SUM(CASE WHEN d.done_on IS NOT NULL AND d.done_on <= d.due_on THEN 1 ELSE 0 END)"
        reports = "d.kind IN ('interim_report', 'final_report') AND d.deleted_at IS NULL AND d.due_on BETWEEN ? AND ?"
        raw_rows(f"SELECT COUNT(*), {on_time} FROM deadline d JOIN application a ON a.id = d.application_id WHERE {reports}", due)
        for table, column in (("funder", "funder_id"), ("organisation", "organisation_id")):
            grouped = (
                f"SELECT t.name, COUNT(d.id), {on_time} FROM deadline d JOIN application a ON a.id = "
                f"d.application_id JOIN {table} t ON t.id = a.{column} WHERE {reports} GROUP BY t.id, t.name"
            )
            raw_rows(f"SELECT COUNT(*) FROM ({grouped})", due)
            raw_rows(grouped + f" ORDER BY {on_time} * 1.0 / COUNT(d.id), t.name LIMIT 25", due)

    return {"portfolio": portfolio, "ask again": ask_again, "metrics": metrics}


def run(large, small, repeat: int, best_of, raw_rows, db, today: dt.date):
    """(name, ms on the large database, ms of its raw SQL there, ms on the small one, ms of its raw SQL there,
    queries small, queries large). The raw SQL's own growth shows what the data asks of any implementation."""
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    sql = baselines(raw_rows, today, start, end, dt.date(today.year - 1, 1, 1), start)
    rows = []
    for name, path in CASES.items():
        large.activate()

        def baseline(run_sql=sql[name]):
            with db.connection_context():
                run_sql()

        ours_large, raw = best_of(lambda path=path: large.get(path), repeat), best_of(baseline, repeat)
        small.activate()
        ours_small, raw_small = best_of(lambda path=path: small.get(path), repeat), best_of(baseline, repeat)
        rows.append((f"relationships: {name}", ours_large, raw, ours_small, raw_small, small.queries(path), large.queries(path)))
    return rows
