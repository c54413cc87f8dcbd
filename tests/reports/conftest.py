"""A fixture worked out by hand, for the funding overview.

Q3 2026 (1 July - 30 September, Copenhagen dates):
- "Kornet 2026": submitted 00:30 on 1 July in Copenhagen (still 30 June in UTC), 100.000,50 kr. asked,
  granted 80.000,25 kr. on 15 August. Kornmod gave Kornet a grant in 2025, so this is a repeat gift.
- "Haven stor": submitted 23:59 on 30 September, 200.000,33 kr. asked, rejected on 2 October (Q4).
- "Haven lille": submitted 10 July, 30.000,17 kr. asked, withdrawn 1 August.
- "Kornet kommune": submitted 10 May (Q2), 60.000,11 kr. asked and granted on 20 July (Q3); 10.000,05 kr.
  reclaimed on 5 October, which counts in Q4: Q3 keeps the 60.000,11 kr. as granted. The pool never gave
  Kornet money before: a new funder.
Q2 2026: "Haven forår" submitted 1 April, granted 40.000 kr. at 23:30 on 30 June (Copenhagen; Q2).
Q3 2025: "Kornet 2025 afslag" submitted 5 July 2025, 25.000 kr. asked, rejected 5 August 2025.
2025-Q1: "Kornet 2025" granted 50.000 kr. by Kornmod (the earlier gift).
"""

import datetime as dt

import pytest

from fundtrack.applications import services as applications
from fundtrack.checklists import services as checklists
from fundtrack.fees import services as fees
from tests.conftest import NOW


def at(text: str) -> dt.datetime:
    """A moment in UTC from an ISO text with its offset."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.fixture
def worked(app, create_organisation, create_funder, create_application, create_user):
    fundraiser = create_user(role="fundraiser")
    kornet = create_organisation("Café Kornet", interests="mad, beskæftigelse")
    haven = create_organisation("Naturhaven", interests="natur")
    kornmod = create_funder("Kornmod Fonden", kind="private_foundation")
    pool = create_funder("Puljen", kind="public_pool")

    def application(title, organisation, funder, requested_ore):
        return create_application(
            organisation=organisation, funder=funder, title=title, amount_requested_ore=requested_ore, stage="drafting"
        )

    def move(app_, stage, moment, **extra):
        applications.move_stage(
            app_,
            stage,
            actor=fundraiser,
            now=at(moment),
            override_reason="Tjekket i telefonen" if stage == "submitted" else "",
            **extra,
        )

    earlier = application("Kornet 2025", kornet, kornmod, 5_000_000)
    move(earlier, "submitted", "2025-01-10T10:00+01:00")
    move(earlier, "granted", "2025-03-10T10:00+01:00")

    lost_2025 = application("Kornet 2025 afslag", kornet, pool, 2_500_000)
    move(lost_2025, "submitted", "2025-07-05T10:00+02:00")
    move(lost_2025, "rejected", "2025-08-05T10:00+02:00", reason_code="budget")

    spring = application("Haven forår", haven, pool, 4_000_000)
    move(spring, "submitted", "2026-04-01T10:00+02:00")
    move(spring, "granted", "2026-06-30T23:30+02:00")

    repeat = application("Kornet 2026", kornet, kornmod, 10_000_050)
    checklist = checklists.checklist_for(repeat, now=NOW)
    goals = next(answer for item, answer in checklists.rows(checklist) if item.kind == "goals")
    checklists.save_answer(goals, {"status": "done", "un_goals": "8, 17"}, actor=None, now=NOW)
    move(repeat, "submitted", "2026-07-01T00:30+02:00")
    move(repeat, "granted", "2026-08-15T10:00+02:00", amount_granted_ore=8_000_025)
    agreement = fees.set_agreement(repeat, {"kind": "fixed", "fixed_ore": 500_000}, actor=None, now=NOW)
    fees.invoice(agreement, number="F-1", on=dt.date(2026, 9, 1), actor=None, now=NOW)

    big = application("Haven stor", haven, pool, 20_000_033)
    move(big, "submitted", "2026-09-30T23:59+02:00")
    move(big, "rejected", "2026-10-02T10:00+02:00", reason_code="competition")

    small = application("Haven lille", haven, kornmod, 3_000_017)
    move(small, "submitted", "2026-07-10T10:00+02:00")
    move(small, "withdrawn", "2026-08-01T10:00+02:00")

    municipal = application("Kornet kommune", kornet, pool, 6_000_011)
    move(municipal, "submitted", "2026-05-10T10:00+02:00")
    move(municipal, "granted", "2026-07-20T10:00+02:00")
    applications.record_reclaim(
        municipal, 1_000_005, dt.date(2026, 10, 5), reason="Ikke brugt", actor=fundraiser, now=at("2026-10-05T10:00+02:00")
    )
    return {
        "kornet": kornet,
        "haven": haven,
        "kornmod": kornmod,
        "pool": pool,
        "repeat": repeat,
        "big": big,
        "small": small,
        "municipal": municipal,
        "spring": spring,
    }
