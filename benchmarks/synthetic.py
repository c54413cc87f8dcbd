"""A large synthetic fundtrack database for the benchmarks: bulk-inserted, deterministic."""

from __future__ import annotations

import datetime as dt
import random

from peewee import chunked

from fundtrack.applications.models import STAGES, WON_STAGES, Application, StageChange
from fundtrack.auth.models import User
from fundtrack.auth.services import hash_password
from fundtrack.db import db
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.fees.models import FeeAgreement
from fundtrack.funders.models import FUNDER_KINDS, Funder
from fundtrack.organisations.models import Organisation
from fundtrack.relationships import services as relationships

UTC = dt.UTC
PASSWORD = "benchmark"


def build(*, applications: int, funders: int, organisations: int, today: dt.date, seed: int = 1) -> dict:
    """Fill an empty, migrated database; return the ids the cases need."""
    rng = random.Random(seed)
    now = dt.datetime.combine(today, dt.time(12), tzinfo=UTC)
    with db.atomic():
        Organisation.insert_many(
            [
                {
                    "name": f"Organisation {i}",
                    "kind": "enterprise",
                    "interests": [],
                    "un_goals": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(organisations)
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
                for i in range(funders)
            ],
            500,
        ):
            Funder.insert_many(batch).execute()
        org_ids = [o.id for o in Organisation.select(Organisation.id)]
        funder_ids = [f.id for f in Funder.select(Funder.id)]
        hashed = hash_password(PASSWORD)
        fundraiser = User.create(
            email="fundraiser@bench.dk", name="Bench Fundraiser", role="fundraiser", password_hash=hashed, created_at=now
        )
        member = User.create(
            email="member@bench.dk",
            name="Bench Member",
            role="member",
            organisation=org_ids[0],
            password_hash=hashed,
            created_at=now,
        )
        stages = list(STAGES)
        rows = []
        for i in range(applications):
            created = now - dt.timedelta(days=rng.randint(0, 3 * 365))
            stage = rng.choice(stages)
            requested = rng.randint(10_000, 2_000_000) * 100
            decided = min(created.date() + dt.timedelta(days=rng.randint(30, 120)), today)
            rows.append(
                {
                    "organisation": rng.choice(org_ids),
                    "funder": rng.choice(funder_ids),
                    "title": f"Application {i}",
                    "purpose": "",
                    "amount_requested_ore": requested,
                    "stage": stage,
                    "amount_granted_ore": requested * 4 // 5 if stage in WON_STAGES else None,
                    "decided_on": decided if stage in (*WON_STAGES, "rejected", "withdrawn") else None,
                    "owner": fundraiser.id,
                    "stage_changed_at": created,
                    "created_at": created,
                    "updated_at": created,
                    "cosigned_by": "",
                    "notes": "",
                }
            )
        for batch in chunked(rows, 500):
            Application.insert_many(batch).execute()
        app_ids = [a.id for a in Application.select(Application.id)]
        kinds = list(DEADLINE_KINDS)
        deadlines, history = [], []
        for app_id in app_ids:
            for _ in range(2):
                deadlines.append(
                    {
                        "application": app_id,
                        "kind": rng.choice(kinds),
                        "title": "",
                        "due_on": today + dt.timedelta(days=rng.randint(-400, 400)),
                        "notes": "",
                        "sequence": 0,
                        "created_at": now,
                        "updated_at": now,
                        "done_at": now if rng.random() < 0.4 else None,
                    }
                )
            history.append(
                {
                    "application": app_id,
                    "from_stage": None,
                    "to_stage": "idea",
                    "changed_at": now,
                    "reason_code": "",
                    "reason": "",
                }
            )
        agreements = [
            {
                "application": app_id,
                "kind": "percent",
                "percent_bp": 800,
                "trigger": "award_letter",
                "status": "not_due",
                "amount_ore": 0,
                "invoice_number": "",
                "notes": "",
                "created_at": now,
                "updated_at": now,
            }
            for app_id in app_ids[::3]
        ]
        for batch in chunked(agreements, 500):
            FeeAgreement.insert_many(batch).execute()
        for batch in chunked(deadlines, 500):
            Deadline.insert_many(batch).execute()
        for batch in chunked(history, 500):
            StageChange.insert_many(batch).execute()
        relationships.refresh_all(now=now)  # as the nightly job would, after a bulk insert
    return {"fundraiser": fundraiser.email, "member": member.email, "application_ids": app_ids}
