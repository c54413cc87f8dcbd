"""Funding overview benchmark: ten years of applications, the overview against the raw SQL aggregates it needs.

The raw side is the same set of grouped queries written by hand for SQLite (totals for the period and its
two comparison periods, the five breakdowns, the quarters of the charts, the forecast, the coming deadlines,
the outcomes and the fees); the fundtrack side builds them through peewee and assembles the overview.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from peewee import chunked

from fundtrack import create_app
from fundtrack.applications.models import Application, Reclaim
from fundtrack.auth.models import User
from fundtrack.checklists import services as checklists
from fundtrack.checklists.models import Answer, Checklist, TemplateItem
from fundtrack.db import db, optimize, upgrade
from fundtrack.deadlines.models import Deadline
from fundtrack.fees.models import FeeAgreement, FeeEntry
from fundtrack.funders.models import FUNDER_KINDS, Funder
from fundtrack.instalments.models import Instalment
from fundtrack.organisations.models import Organisation
from fundtrack.periods import parse_period
from fundtrack.reports import services

THEMES = [
    "mad",
    "genbrug",
    "natur",
    "beskæftigelse",
    "unge",
    "kultur",
    "sundhed",
    "frivillighed",
    "design",
    "cirkulær økonomi",
    "fællesskab",
    "uddannelse",
]
WON = "('granted', 'reporting', 'closed')"


def build(folder: Path, applications: int, today: dt.date):
    """A database of `applications` spread over the ten years before `today`; returns the app."""
    app = create_app(
        {
            "testing": True,
            "database": {"url": f"sqlite:///{folder / 'reports.sqlite3'}"},
            "app": {"secret_key": "benchmark-secret-key"},
        }
    )
    upgrade()
    rng = random.Random(7)
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    with db.connection_context(), db.atomic():
        Organisation.insert_many(
            [
                {
                    "name": f"Organisation {i}",
                    "kind": "enterprise",
                    "interests": rng.sample(THEMES, 3),
                    "un_goals": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(50)
            ]
        ).execute()
        for batch in chunked(
            [
                {
                    "name": f"Funder {i}",
                    "kind": rng.choice(list(FUNDER_KINDS)),
                    "focus_tags": [],
                    "un_goals": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1_000)
            ],
            500,
        ):
            Funder.insert_many(batch).execute()
        orgs = [o.id for o in Organisation.select(Organisation.id)]
        funders = [f.id for f in Funder.select(Funder.id)]
        User.create(email="fundraiser@bench.dk", name="Bench", role="fundraiser", password_hash="x", created_at=now)
        rows = []
        for i in range(applications):
            created = today - dt.timedelta(days=rng.randint(0, 3650))
            requested = rng.randint(10_000, 2_000_000) * 100 + rng.randint(0, 99)
            row = {
                "organisation": rng.choice(orgs),
                "funder": rng.choice(funders),
                "title": f"Application {i}",
                "purpose": "",
                "amount_requested_ore": requested,
                "stage": "idea",
                "cosigned_by": "",
                "notes": "",
                "stage_changed_at": now,
                "created_at": now,
                "updated_at": now,
                "reclaimed_ore": 0,
                "submitted_on": None,
                "decided_on": None,
                "amount_granted_ore": None,
                "project_start_on": None,
                "project_end_on": None,
            }  # every row the same keys
            if created > today - dt.timedelta(days=150) and rng.random() < 0.7:
                row["stage"] = rng.choice(["idea", "drafting", "submitted"])
                if row["stage"] == "submitted":
                    row["submitted_on"] = created
            else:
                row["submitted_on"] = created
                row["decided_on"] = min(today, created + dt.timedelta(days=rng.randint(20, 150)))
                outcome = rng.random()
                if outcome < 0.4:
                    row["stage"] = rng.choice(["granted", "reporting", "closed"])
                    row["amount_granted_ore"] = int(requested * rng.uniform(0.5, 1))
                    if rng.random() < 0.03:
                        row["reclaimed_ore"] = row["amount_granted_ore"] // 4
                    if rng.random() < 0.4:  # a project of one to three years, starting after the decision
                        row["project_start_on"] = row["decided_on"] + dt.timedelta(days=rng.randint(0, 60))
                        row["project_end_on"] = row["project_start_on"] + dt.timedelta(days=365 * rng.randint(1, 3) - 1)
                else:
                    row["stage"] = "rejected" if outcome < 0.9 else "withdrawn"
            rows.append(row)
        for batch in chunked(rows, 500):
            Application.insert_many(batch).execute()
        _money_after_the_grant(rng, now)
        template = checklists.current_template(now)
        goals_item = TemplateItem.get((TemplateItem.template == template) & (TemplateItem.kind == "goals"))
        applications_ = list(Application.select(Application.id, Application.stage, Application.decided_on))
        for batch in chunked(
            [{"application": a.id, "template": template.id, "created_at": now, "updated_at": now} for a in applications_[::2]],
            500,
        ):
            Checklist.insert_many(batch).execute()
        checklist_ids = [c.id for c in Checklist.select(Checklist.id)]
        for batch in chunked(
            [
                {
                    "checklist": c,
                    "item": goals_item.id,
                    "status": "done",
                    "un_goals": rng.sample(range(1, 18), 2),
                    "updated_at": now,
                }
                for c in checklist_ids
            ],
            500,
        ):
            Answer.insert_many(batch).execute()
        deadlines, agreements = [], []
        for a in applications_:
            kind = "decision_expected" if a.stage == "submitted" else "final_report" if a.stage == "reporting" else "submission"
            deadlines.append(
                {
                    "application": a.id,
                    "kind": kind,
                    "title": "",
                    "due_on": today + dt.timedelta(days=rng.randint(-60, 400)),
                    "notes": "",
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if a.stage in ("granted", "reporting", "closed") and a.id % 3 == 0:
                agreements.append(
                    {
                        "application": a.id,
                        "kind": "percent",
                        "percent_bp": 800,
                        "trigger": "award_letter",
                        "status": "due",
                        "amount_ore": 100_000,
                        "due_on": a.decided_on,
                        "invoice_number": "",
                        "notes": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        for batch in chunked(deadlines, 500):
            Deadline.insert_many(batch).execute()
        for batch in chunked(agreements, 500):
            FeeAgreement.insert_many(batch).execute()
        for batch in chunked(
            [
                {
                    "agreement": f.id,
                    "kind": "due",
                    "amount_ore": f.amount_ore,
                    "booked_on": f.due_on,
                    "note": "",
                    "created_at": now,
                }
                for f in FeeAgreement.select()
            ],
            500,
        ):
            FeeEntry.insert_many(batch).execute()
    optimize()
    return app


def _money_after_the_grant(rng: random.Random, now: dt.datetime) -> None:
    """Each reclaim as an entry on a day after the decision; half of the grants with a project get a
    schedule of one instalment a year, the earlier ones received."""
    reclaims, instalments = [], []
    won = Application.select().where(Application.stage.in_(("granted", "reporting", "closed")))
    for a in won:
        if a.reclaimed_ore:
            on = a.decided_on + dt.timedelta(days=rng.randint(100, 500))
            reclaims.append({"application": a.id, "amount_ore": a.reclaimed_ore, "reclaimed_on": on, "created_at": now})
        if a.project_start_on and rng.random() < 0.5:
            years = (a.project_end_on - a.project_start_on).days // 365 + 1
            share = a.amount_granted_ore // years
            for year in range(years):
                planned_on = a.project_start_on + dt.timedelta(days=365 * year)
                received = planned_on < now.date()
                instalments.append(
                    {
                        "application": a.id,
                        "planned_on": planned_on,
                        "planned_ore": share,
                        "condition": "",
                        "received_on": planned_on + dt.timedelta(days=rng.randint(0, 20)) if received else None,
                        "received_ore": share if received else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    for batch in chunked(reclaims, 500):
        Reclaim.insert_many(batch).execute()
    for batch in chunked(instalments, 500):
        Instalment.insert_many(batch).execute()


def _sums(start: str, end: str, chart_only: bool = False) -> tuple[str, list]:
    """The conditional sums of one period, as fundtrack's figures define them, in SQLite SQL (or only the
    four the charts need)."""
    submitted = "a.submitted_on BETWEEN ? AND ?"
    decided = "a.decided_on BETWEEN ? AND ?"
    period = [start, end]
    earlier = (
        "EXISTS (SELECT 1 FROM application e WHERE e.funder_id = a.funder_id AND e.organisation_id = a.organisation_id "
        f"AND e.stage IN {WON} AND e.decided_on < a.decided_on AND COALESCE(e.amount_granted_ore, 0) - e.reclaimed_ore > 0)"
    )
    granted = "COALESCE(a.amount_granted_ore, 0)"
    requested = "COALESCE(a.amount_requested_ore, 0)"
    reclaimed = (
        "(SELECT COALESCE(SUM(r.amount_ore), 0) FROM reclaim r WHERE r.application_id = a.id AND r.reclaimed_on BETWEEN ? AND ?)"
    )
    received = (
        "(SELECT COALESCE(SUM(i.received_ore), 0) FROM instalment i WHERE i.application_id = a.id "
        "AND i.received_on BETWEEN ? AND ?)"
    )
    planned = received.replace("received", "planned")
    days = "(julianday(a.project_end_on) - julianday(a.project_start_on) + 1)"

    def through(day):
        return f"MAX(0, MIN({days}, julianday('{day}') - julianday(a.project_start_on) + 1))"

    before = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
    spread = f"CAST({granted} * {through(end)} / {days} AS INTEGER) - CAST({granted} * {through(before)} / {days} AS INTEGER)"
    allocated = (
        f"CASE WHEN a.stage NOT IN {WON} OR a.decided_on IS NULL THEN 0 "
        f"WHEN EXISTS (SELECT 1 FROM instalment i WHERE i.application_id = a.id) THEN {planned} "
        f"WHEN a.project_start_on IS NOT NULL AND a.project_end_on >= a.project_start_on THEN {spread} "
        f"WHEN {decided} THEN {granted} ELSE 0 END"
    )
    parts = [
        (f"SUM(CASE WHEN {submitted} THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {submitted} THEN {requested} ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON[:-1]}, 'rejected') THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON[:-1]}, 'rejected') THEN {requested} ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON} THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON} THEN {granted} ELSE 0 END)", period),
        (f"SUM({reclaimed})", period),
        (f"SUM({received})", period),
        (f"SUM({allocated})", period * 2),
        (f"SUM(CASE WHEN {decided} AND a.stage = 'rejected' THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage = 'rejected' THEN {requested} ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage = 'withdrawn' THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON} AND {earlier} THEN 1 ELSE 0 END)", period),
        (f"SUM(CASE WHEN {decided} AND a.stage IN {WON} AND {earlier} THEN {granted} ELSE 0 END)", period),
    ]
    scope = (
        f"({submitted} OR {decided} OR a.id IN (SELECT application_id FROM reclaim WHERE reclaimed_on BETWEEN ? AND ? "
        "UNION SELECT application_id FROM instalment WHERE received_on BETWEEN ? AND ? OR planned_on BETWEEN ? AND ? "
        "UNION SELECT id FROM application WHERE project_start_on <= ? AND project_end_on >= ?))"
    )
    scope_params = period * 5 + [end, start]
    if chart_only:
        parts = parts[2:6]
        scope, scope_params = f"({submitted} OR {decided})", period * 2
    sql = ", ".join(p for p, _ in parts)
    params = [value for _, values in parts for value in values]
    return sql + f" FROM application a {{joins}} WHERE {scope}", params + scope_params


def raw_overview(period, today: dt.date) -> None:
    """The grouped queries of one overview, written by hand."""

    def run(sql, params=()):
        return db.execute_sql(sql, params).fetchall()

    for p in (period, period.previous(), period.year_before()):
        sums, params = _sums(p.start.isoformat(), p.end.isoformat())
        run("SELECT " + sums.format(joins=""), params)
    sums, params = _sums(period.start.isoformat(), period.end.isoformat())
    run(
        f"SELECT o.id, o.name, {sums.format(joins='JOIN organisation o ON o.id = a.organisation_id')} GROUP BY o.id, o.name",
        params,
    )
    run(f"SELECT f.id, f.name, {sums.format(joins='JOIN funder f ON f.id = a.funder_id')} GROUP BY f.id, f.name", params)
    run(f"SELECT f.kind, {sums.format(joins='JOIN funder f ON f.id = a.funder_id')} GROUP BY f.kind", params)
    run(
        f"SELECT g.value, {sums.format(joins='JOIN checklist c ON c.application_id = a.id JOIN answer s ON s.checklist_id = c.id JOIN template_item i ON i.id = s.item_id CROSS JOIN json_each(s.un_goals) g')} AND i.kind = 'goals' GROUP BY g.value",
        params,
    )
    run(
        f"SELECT t.value, {sums.format(joins='JOIN organisation o ON o.id = a.organisation_id CROSS JOIN json_each(o.interests) t')} GROUP BY t.value",
        params,
    )
    quarters = [period.quarters()[-1].shifted(i - 7) for i in range(8)]
    bucket = "CASE " + " ".join(f"WHEN a.decided_on BETWEEN ? AND ? THEN {i}" for i in range(8)) + " ELSE -1 END"
    bucket_params = [d.isoformat() for q in quarters for d in (q.start, q.end)]
    sums, params = _sums(quarters[0].start.isoformat(), quarters[-1].end.isoformat(), chart_only=True)
    run(f"SELECT {bucket}, {sums.format(joins='')} GROUP BY 1", bucket_params + params)
    decision = (
        "(SELECT MIN(due_on) FROM deadline WHERE application_id = a.id AND kind = 'decision_expected' "
        "AND done_at IS NULL AND deleted_at IS NULL)"
    )
    submission = decision.replace("'decision_expected'", "'submission'")

    def buckets(day):
        return f"(CASE WHEN {day} <= ? THEN 0 WHEN {day} <= ? THEN 1 WHEN {day} <= ? THEN 2 WHEN {day} <= ? THEN 3 ELSE 4 END)"

    run(
        f"SELECT CASE WHEN {decision} IS NOT NULL THEN {buckets(decision)} WHEN {submission} IS NOT NULL THEN {buckets(submission)} "
        f"WHEN a.submitted_on IS NOT NULL THEN {buckets('a.submitted_on')} ELSE -1 END, "
        "a.stage, COUNT(a.id), SUM(COALESCE(a.amount_requested_ore, 0)) FROM application a "
        "WHERE a.stage IN ('idea', 'drafting', 'submitted') GROUP BY 1, 2",
        [
            "2026-12-31",
            "2027-03-31",
            "2027-06-30",
            "2027-09-30",
            "2026-09-30",
            "2026-12-31",
            "2027-03-31",
            "2027-06-30",
            "2026-09-30",
            "2026-12-31",
            "2027-03-31",
            "2027-06-30",
        ],
    )
    following = period.next_quarter()
    window = [following.start.isoformat(), following.end.isoformat()]
    run(
        "SELECT d.kind, COUNT(d.id), SUM(CASE WHEN d.done_at IS NULL THEN 1 ELSE 0 END) FROM deadline d "
        "JOIN application a ON a.id = d.application_id WHERE d.due_on BETWEEN ? AND ? AND d.deleted_at IS NULL GROUP BY d.kind",
        window,
    )
    run(
        "SELECT d.*, a.*, o.*, f.* FROM deadline d JOIN application a ON a.id = d.application_id "
        "JOIN organisation o ON o.id = a.organisation_id JOIN funder f ON f.id = a.funder_id "
        "WHERE d.due_on BETWEEN ? AND ? AND d.deleted_at IS NULL ORDER BY d.due_on, d.id LIMIT 50",
        window,
    )
    span = [period.start.isoformat(), period.end.isoformat()]
    run(
        "SELECT o.indicator, SUM(o.value) FROM outcome o JOIN deadline d ON d.id = o.deadline_id "
        "WHERE d.due_on BETWEEN ? AND ? GROUP BY o.indicator",
        span,
    )
    run(
        "SELECT g.id, g.name, e.kind, SUM(e.amount_ore) FROM fee_entry e JOIN fee_agreement f ON f.id = e.agreement_id "
        "JOIN application a ON a.id = f.application_id JOIN organisation g ON g.id = a.organisation_id "
        "WHERE e.booked_on BETWEEN ? AND ? GROUP BY g.id, g.name, e.kind",
        span,
    )


def run(folder: Path, applications: int, today: dt.date, rounds: int = 7) -> list[tuple[str, float, float]]:
    """[(case, fundtrack ms, raw SQL ms)] for the overview of the last complete quarter and of a year."""
    from benchmarks.run import best_of  # the shared timer (run.py imports this module when it runs)

    app = build(folder, applications, today)
    settings = app.extensions["fundtrack.settings"].reports
    results = []
    with app.app_context(), db.connection_context():
        for code in ("2026-Q3", "2025"):
            period = parse_period(code)
            ours = best_of(
                lambda p=period: services.overview(p, organisation=None, today=today, settings=settings, with_fees=True), rounds
            )
            raw = best_of(lambda p=period: raw_overview(p, today), rounds)
            results.append((f"overview {code}: {applications // 1000}k", ours, raw))
    client = app.test_client()
    with app.app_context():
        user = User.get(User.email == "fundraiser@bench.dk")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    page = best_of(lambda: client.get("/reports/2026-Q3"), rounds)
    with app.app_context(), db.connection_context():
        raw = best_of(lambda: raw_overview(parse_period("2026-Q3"), today), rounds)
    results.append(("overview page 2026-Q3", page, raw))
    return results
