"""What a relationship's giving history means: its status and why, when to ask again, and for how much.

Plain functions over plain data (gifts, rejections, dates), so that every rule can be checked by hand.
A gift is what `fundtrack.applications.gifts` says it is.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from itertools import pairwise

from dateutil.relativedelta import relativedelta

from fundtrack.config import RelationshipSettings as Thresholds  # the configurable limits: [relationships]
from fundtrack.i18n_markers import N_
from fundtrack.periods import days_after, months_after

ROUND_TO_ORE = 5_000_00  # suggested amounts are rounded to 5.000 kr.


@dataclass(frozen=True)
class Gift:
    application_id: int
    on: dt.date
    amount_ore: int
    round_id: int | None = None
    project_end_on: dt.date | None = None


@dataclass
class Status:
    code: str
    reason: str
    params: dict = field(default_factory=dict)


@dataclass
class NextAsk:
    """When the organisation may ask this funder again, and why that date."""

    on: dt.date
    reasons: list[tuple[str, dict]] = field(default_factory=list)


def fiscal_year(day: dt.date, start_month: int = 1) -> int:
    """The fiscal year a day belongs to, named by the calendar year it starts in."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(year: int, start_month: int = 1) -> tuple[dt.date, dt.date]:
    start = dt.date(year, start_month, 1)
    return start, start + relativedelta(years=1) - dt.timedelta(days=1)


def gaps_in_days(gifts: list[Gift]) -> list[int]:
    ordered = sorted(g.on for g in gifts)
    return [(later - earlier).days for earlier, later in pairwise(ordered)]


def default_cycle_days(default_months: int) -> int:
    """The usual time between gifts of a funder that has not yet given twice to anyone."""
    return int(default_months * 30.44)


def usual_cycle_days(gaps: list[int]) -> int | None:
    """A funder's usual time between gifts: the median of its repeat gifts' gaps; None before any repeat gift
    (the default cycle applies then)."""
    return int(statistics.median(gaps)) if gaps else None


def status_code(
    gifts: int,
    last_gift_on: dt.date | None,
    gift_years: int,
    gift_rounds: int,
    today: dt.date,
    cycle_days: int,
    thresholds: Thresholds,
) -> str:
    """The relationship's status today, from its counts: the one rule the stored status and `classify` share.

    Time since the last gift is checked first: a golden relationship that has gone quiet is lapsing,
    which is what its steward needs to know.
    """
    if not gifts:
        return "prospect"
    silent_days = (today - last_gift_on).days
    if silent_days > cycle_days * thresholds.lapsed_after_cycles:
        return "lapsed"
    if silent_days > cycle_days * thresholds.lapsing_after_cycles:
        return "lapsing"
    if gift_years >= thresholds.golden_min_years or gift_rounds >= thresholds.golden_min_years:
        return "golden"
    return "repeat" if gifts >= 2 else "first_gift"


def explain_status(
    code: str,
    *,
    gifts: int,
    last_gift_on: dt.date | None,
    gift_years: int,
    gift_rounds: int,
    today: dt.date,
    cycle_days: int,
    thresholds: Thresholds,
) -> Status:
    """The reason for a status, from a relationship's counts alone (for the rows of a list)."""
    if code == "prospect":
        return Status(code, N_("No gift yet."))
    if code in ("lapsed", "lapsing"):
        silent_days = (today - last_gift_on).days
        return Status(
            code,
            N_("The last gift was %(months)d months ago; this funder usually gives every %(cycle)d months."),
            {"months": round(silent_days / 30.44), "cycle": round(cycle_days / 30.44)},
        )
    if code == "golden" and gift_years >= thresholds.golden_min_years:
        return Status(code, N_("Gifts in %(count)d different years."), {"count": gift_years})
    if code == "golden":
        return Status(code, N_("Gifts in %(count)d different rounds."), {"count": gift_rounds})
    if code == "repeat":
        return Status(code, N_("%(count)d gifts."), {"count": gifts})
    return Status(code, N_("One gift, on %(date)s."), {"date": last_gift_on.isoformat()})


def classify(gifts: list[Gift], today: dt.date, cycle_days: int, thresholds: Thresholds) -> Status:
    """The relationship's status today, with the reason that decides it (see `status_code`)."""
    if not gifts:
        return Status("prospect", N_("No gift yet."))
    last = max(g.on for g in gifts)
    years = sorted({fiscal_year(g.on, thresholds.fiscal_year_start_month) for g in gifts})
    rounds = {g.round_id for g in gifts if g.round_id is not None}
    code = status_code(len(gifts), last, len(years), len(rounds), today, cycle_days, thresholds)
    silent_days = (today - last).days
    if code in ("lapsed", "lapsing"):
        return Status(
            code,
            N_("The last gift was %(months)d months ago; this funder usually gives every %(cycle)d months."),
            {"months": round(silent_days / 30.44), "cycle": round(cycle_days / 30.44)},
        )
    if code == "golden" and len(years) >= thresholds.golden_min_years:
        return Status(
            "golden",
            N_("Gifts in %(count)d different years: %(years)s."),
            {"count": len(years), "years": ", ".join(map(str, years))},
        )
    if code == "golden":
        return Status("golden", N_("Gifts in %(count)d different rounds."), {"count": len(rounds)})
    if code == "repeat":
        return Status("repeat", N_("%(count)d gifts."), {"count": len(gifts)})
    return Status("first_gift", N_("One gift, on %(date)s."), {"date": last.isoformat()})


def status_changes_on(last_gift_on: dt.date, cycle_days: int, thresholds: Thresholds) -> tuple[dt.date, dt.date]:
    """The days a relationship turns lapsing and lapsed if no gift comes: the first day more than one and
    two cycles (as configured) have passed since the last gift, by the same rule as `classify`."""
    lapsing = int(cycle_days * thresholds.lapsing_after_cycles) + 1
    lapsed = int(cycle_days * thresholds.lapsed_after_cycles) + 1
    return days_after(last_gift_on, lapsing), days_after(last_gift_on, lapsed)


def ask_from(
    gifts: list[Gift],
    rejections: list[dt.date],
    *,
    cooldown_after_grant_months: int | None,
    cooldown_after_rejection_months: int | None,
) -> dt.date | None:
    """The first day the organisation may ask again whatever today is: after the cool-downs and the grant it
    runs now; None when nothing holds it back (kept on the relationship, for the ask-again list)."""
    days = [
        day
        for day, _text, _params in _holds(gifts, rejections, None, cooldown_after_grant_months, cooldown_after_rejection_months)
    ]
    return max(days) if days else None


def _holds(gifts, rejections, today, cooldown_after_grant_months, cooldown_after_rejection_months):
    """What keeps the organisation from asking, each with the day it ends and why."""
    holds: list[tuple[dt.date, str, dict]] = []
    if gifts:
        last = max(gifts, key=lambda g: g.on)
        if cooldown_after_grant_months:
            holds.append(
                (
                    months_after(last.on, cooldown_after_grant_months),
                    N_("%(months)d months after the last grant (%(date)s)."),
                    {"months": cooldown_after_grant_months, "date": last.on.isoformat()},
                )
            )
        running = [g.project_end_on for g in gifts if g.project_end_on and (today is None or g.project_end_on >= today)]
        if running:
            end = max(running)
            holds.append((days_after(end, 1), N_("The current grant runs until %(date)s."), {"date": end.isoformat()}))
    if rejections and cooldown_after_rejection_months:
        last_rejection = max(rejections)
        holds.append(
            (
                months_after(last_rejection, cooldown_after_rejection_months),
                N_("%(months)d months after the last rejection (%(date)s)."),
                {"months": cooldown_after_rejection_months, "date": last_rejection.isoformat()},
            )
        )
    return holds


def next_ask(
    gifts: list[Gift],
    rejections: list[dt.date],
    today: dt.date,
    *,
    cooldown_after_grant_months: int | None,
    cooldown_after_rejection_months: int | None,
) -> NextAsk:
    """The first day the organisation may apply again: after the cool-down since the last gift or
    rejection, and not before the grant it is running now has ended."""
    candidates: list[tuple[dt.date, str, dict]] = [(today, N_("Nothing stands in the way."), {})]
    candidates += _holds(gifts, rejections, today, cooldown_after_grant_months, cooldown_after_rejection_months)
    latest = max(day for day, _, _ in candidates)
    reasons = [(text, params) for day, text, params in candidates if day == latest and day > today]
    return NextAsk(on=latest, reasons=reasons or [(N_("Nothing stands in the way."), {})])


def suggested_amount(gifts: list[Gift], grant_max_ore: int | None = None) -> int | None:
    """What to ask for next: the last gift, moved by the average change over the last three gifts,
    rounded to 5.000 kr. and kept within the funder's largest typical grant."""
    if not gifts:
        return None
    amounts = [g.amount_ore for g in sorted(gifts, key=lambda g: g.on)][-3:]
    suggestion = amounts[-1]
    if len(amounts) >= 2:
        changes = [(later - earlier) / earlier for earlier, later in pairwise(amounts) if earlier]
        if changes:
            suggestion = amounts[-1] * (1 + sum(changes) / len(changes))
    suggestion = max(ROUND_TO_ORE, int(round(suggestion / ROUND_TO_ORE)) * ROUND_TO_ORE)
    if grant_max_ore:
        suggestion = min(suggestion, grant_max_ore)
    return suggestion


def change_from_previous(gifts: list[Gift]) -> float | None:
    """Upgrade (positive) or downgrade (negative) of the last gift against the one before, as a fraction."""
    ordered = sorted(gifts, key=lambda g: g.on)
    if len(ordered) < 2 or not ordered[-2].amount_ore:
        return None
    return (ordered[-1].amount_ore - ordered[-2].amount_ore) / ordered[-2].amount_ore


def consecutive_years(gift_years: set[int], this_year: int) -> int:
    """Fiscal years in a row with a gift, counting back from this year (or from last year, when this
    year has no gift yet: the streak is not broken before the year is over)."""
    year = this_year if this_year in gift_years else this_year - 1
    count = 0
    while year in gift_years:
        count += 1
        year -= 1
    return count
