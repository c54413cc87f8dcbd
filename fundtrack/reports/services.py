"""The overview of a period: its figures and breakdowns, the comparisons, the forecast, the coming
deadlines, the outcomes reported and (for the fundraiser) the fees. Every sum is grouped in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from peewee import SQL, Case, NodeList, fn

from fundtrack.applications import shares
from fundtrack.applications.models import OPEN_STAGES, Application
from fundtrack.checklists import services as checklists
from fundtrack.config import ReportSettings
from fundtrack.deadlines.models import Deadline
from fundtrack.fees import services as fees
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.money import weighted
from fundtrack.organisations.models import Organisation
from fundtrack.periods import Period, quarter_of
from fundtrack.reports import figures
from fundtrack.reports.figures import Figures
from fundtrack.reports.models import UnitCost

CHART_QUARTERS = 8  # money won and success rate over the last two years

# The headline rows: (field, label, how it is shown, the figure whose applications it links to).
HEADLINE = (
    ("submitted", N_("Applications submitted"), "count", "submitted"),
    ("requested_ore", N_("Amount applied for"), "money", "submitted"),
    ("decided", N_("Decisions (granted or rejected)"), "count", "decided"),
    ("granted", N_("Grants"), "count", "granted"),
    ("granted_ore", N_("Amount granted"), "money", "granted"),
    ("rejected", N_("Rejections"), "count", "rejected"),
    ("rejected_ore", N_("Amount applied for and lost"), "money", "rejected"),
    ("withdrawn", N_("Withdrawn"), "count", "withdrawn"),
    ("success_rate", N_("Success rate by count"), "rate", "decided"),
    ("success_rate_amount", N_("Success rate by amount"), "rate", "decided"),
    ("reclaimed_ore", N_("Reclaimed by funders"), "money", "reclaimed"),
    ("net_ore", N_("Amount granted less reclaimed"), "money", "granted"),
    ("received_ore", N_("Money received"), "money", "received"),
    ("allocated_ore", N_("Money allocated to the period"), "money", "allocated"),
    ("repeat_ore", N_("Won from repeat funders"), "money", "repeat"),
    ("new_ore", N_("Won from new funders"), "money", "new"),
    ("golden_share", N_("Golden-donation share of the money won"), "rate", "repeat"),
)
DIMENSION_LABELS = {
    "organisation": N_("By organisation"),
    "funder": N_("By funder"),
    "funder_kind": N_("By funder kind"),
    "un_goal": N_("By UN goal"),
    "theme": N_("By theme"),
}


@dataclass
class Comparison:
    field: str
    label: str
    shown_as: str
    figure: str
    value: int | float | None
    previous: int | float | None
    year_before: int | float | None

    @staticmethod
    def change(value, before):
        """(difference, relative change); rates change in percentage points, so their relative change is None."""
        if value is None or before is None:
            return None, None
        difference = value - before
        if isinstance(value, float) or isinstance(before, float):
            return difference, None
        return difference, (difference / before if before else None)

    @property
    def change_previous(self):
        return self.change(self.value, self.previous)

    @property
    def change_year_before(self):
        return self.change(self.value, self.year_before)


@dataclass
class ForecastRow:
    """Open applications whose decision is expected in one quarter (or later, or at no known date)."""

    quarter: Period | None
    bucket: str  # "quarter", "later" or "unscheduled"
    by_stage: dict[str, tuple[int, int]] = field(default_factory=dict)  # stage -> (count, requested øre)
    weighted_ore: int = 0

    @property
    def count(self) -> int:
        return sum(n for n, _ in self.by_stage.values())

    @property
    def requested_ore(self) -> int:
        return sum(amount for _, amount in self.by_stage.values())


@dataclass
class Overview:
    period: Period
    organisation: Organisation | None
    today: dt.date
    totals: Figures
    previous: Figures
    year_before: Figures
    comparisons: list[Comparison]
    breakdowns: dict[str, list[tuple[str, str, Figures]]]
    series: list[tuple[Period, Figures]]
    forecast: list[ForecastRow]
    probabilities: dict[str, float]
    deadline_quarter: Period
    deadline_counts: dict[str, tuple[int, int]]
    deadlines: list[Deadline]
    outcomes: dict[str, Decimal]
    fees: dict[str, int] | None
    business: BusinessCase | None = None  # for the overview of every organisation: the unit's cost is the unit's

    @property
    def pipeline_by_stage(self) -> dict[str, tuple[int, int]]:
        """Open applications now, per stage: (count, requested øre)."""
        stages = {stage: (0, 0) for stage in OPEN_STAGES}
        for row in self.forecast:
            for stage, (count, amount) in row.by_stage.items():
                n, total = stages[stage]
                stages[stage] = (n + count, total + amount)
        return stages

    @property
    def forecast_weighted_ore(self) -> int:
        return sum(row.weighted_ore for row in self.forecast)

    @property
    def has_data(self) -> bool:
        t = self.totals
        return bool(t.submitted or t.decided or t.withdrawn or t.reclaimed_ore or t.received_ore or t.allocated_ore)


# The outcomes the social bottom line counts, per organisation (checklist indicators).
SOCIAL_INDICATORS = ("participants", "jobs", "flexjobs")


@dataclass
class BusinessCase:
    """What the politicians ask: the external money per krone the municipality spends on the unit, the net to
    the enterprises after the success fees, the fees' share of the money won, and the social bottom line."""

    cost_ore: int | None
    granted_net_ore: int
    received_ore: int
    fees_ore: int | None  # earned in the period; None when the overview leaves the fees out
    social: list[tuple[str, dict[str, Decimal]]]  # (organisation, {indicator: sum}) of the outcomes recorded

    @property
    def granted_per_krone(self) -> float | None:
        return self.granted_net_ore / self.cost_ore if self.cost_ore else None

    @property
    def received_per_krone(self) -> float | None:
        return self.received_ore / self.cost_ore if self.cost_ore else None

    @property
    def net_to_enterprises_ore(self) -> int | None:
        return None if self.fees_ore is None else self.granted_net_ore - self.fees_ore

    @property
    def fee_share(self) -> float | None:
        return self.fees_ore / self.granted_net_ore if self.fees_ore is not None and self.granted_net_ore else None

    @property
    def social_totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for _, values in self.social:
            for indicator, value in values.items():
                totals[indicator] = totals.get(indicator, Decimal(0)) + value
        return totals


def unit_cost(period: Period, settings: ReportSettings) -> int | None:
    """The unit's cost in øre: the period's own entry, else the sum of its quarters, each its own entry or a
    fourth of its year's (entered, else configured). None when nothing is known."""
    codes = {period.code, *(q.code for q in period.quarters()), *(str(q.year) for q in period.quarters())}
    entered = {row.period: row.amount_ore for row in UnitCost.select().where(UnitCost.period.in_(list(codes)))}
    if period.code in entered:
        return entered[period.code] or None
    total = sum(entered.get(q.code, entered.get(str(q.year), settings.unit_cost_per_year * 100) // 4) for q in period.quarters())
    return total or None


def business_case(period: Period, totals: Figures, settings: ReportSettings, fee_sums: dict | None) -> BusinessCase:
    social = checklists.outcomes_by_organisation(period.start, period.end, SOCIAL_INDICATORS)
    fees_ore = fee_sums["earned"] if fee_sums is not None else None
    return BusinessCase(unit_cost(period, settings), totals.net_ore, totals.received_ore, fees_ore, social)


def overview(
    period: Period, *, organisation: Organisation | None, today: dt.date, settings: ReportSettings, with_fees: bool
) -> Overview:
    """Everything the overview page, its exports and the command line show for one period (of one
    organisation, or of all)."""
    organisation_id = organisation.id if organisation is not None else None
    totals = figures.totals(period, organisation_id)
    previous = figures.totals(period.previous(), organisation_id)
    year_before = figures.totals(period.year_before(), organisation_id)
    comparisons = [
        Comparison(name, label, shown_as, figure, *(getattr(f, name) for f in (totals, previous, year_before)))
        for name, label, shown_as, figure in HEADLINE
    ]
    last_quarter = period.quarters()[-1]
    quarters = [last_quarter.shifted(i - CHART_QUARTERS + 1) for i in range(CHART_QUARTERS)]
    next_quarter = period.next_quarter()
    counts, listed = next_deadlines(next_quarter, organisation_id)
    fee_sums = fee_totals(period, organisation_id) if with_fees else None
    return Overview(
        period=period,
        organisation=organisation,
        today=today,
        totals=totals,
        previous=previous,
        year_before=year_before,
        comparisons=comparisons,
        breakdowns={d: figures.breakdown(period, d, organisation_id) for d in figures.DIMENSIONS},
        series=figures.by_quarter(quarters, organisation_id),
        forecast=forecast(today, settings, organisation_id),
        probabilities=probabilities(settings),
        deadline_quarter=next_quarter,
        deadline_counts=counts,
        deadlines=listed,
        outcomes=checklists.outcome_totals(period.start, period.end, organisation_id),
        fees=fee_sums,
        business=business_case(period, totals, settings, fee_sums) if organisation is None else None,
    )


def probabilities(settings: ReportSettings) -> dict[str, float]:
    """The chance of a grant from each open stage, from the configuration: the forecast's weights."""
    return {stage: settings.probability(stage) for stage in OPEN_STAGES}


def _first_open(kind: str):
    """The application's earliest open deadline of one kind (a correlated subquery, usable as a column)."""
    return NodeList(
        (
            Deadline.select(fn.MIN(Deadline.due_on)).where(
                (Deadline.application == Application.id)
                & (Deadline.kind == kind)
                & Deadline.done_at.is_null()
                & Deadline.deleted_at.is_null()
            ),
        )
    )


def _buckets(day, quarters: list[Period], months_before: int = 0):
    """SQL: which of `quarters` the date falls in (the first takes anything earlier: a late decision is
    still expected), len(quarters) when after them all. With `months_before`, the quarters are moved that
    many months earlier, for a date that is that long before the decision."""

    def last_day(quarter):
        return quarter.end + dt.timedelta(days=1) - relativedelta(months=months_before) - dt.timedelta(days=1)

    return Case(None, [(day <= last_day(quarter), index) for index, quarter in enumerate(quarters)], len(quarters))


def forecast_quarters(today: dt.date, settings: ReportSettings) -> list[Period]:
    """The quarters the forecast looks ahead over, this one first."""
    return [quarter_of(today).shifted(i) for i in range(settings.forecast_quarters)]


def expected_bucket(today: dt.date, settings: ReportSettings):
    """SQL: the forecast bucket of an open application: the index of the quarter its decision is expected
    in, len(quarters) for later, -1 for no known date. The decision date is the open "decision expected"
    deadline; else the submission deadline (or the day it was submitted) plus the usual wait."""
    quarters, wait = forecast_quarters(today, settings), settings.decision_months_after_submission
    decision, submission = _first_open("decision_expected"), _first_open("submission")
    return Case(
        None,
        [
            (decision.is_null(False), _buckets(decision, quarters)),
            (submission.is_null(False), _buckets(submission, quarters, wait)),
            (Application.submitted_on.is_null(False), _buckets(Application.submitted_on, quarters, wait)),
        ],
        -1,
    )


def expected_condition(code: str, today: dt.date, settings: ReportSettings):
    """The open applications of one forecast row (`2027-Q1`, `later` or `none`), for the drill-down lists."""
    quarters = [quarter.code for quarter in forecast_quarters(today, settings)]
    index = {"later": len(quarters), "none": -1}.get(code, quarters.index(code) if code in quarters else None)
    if index is None:
        return None
    return Application.stage.in_(OPEN_STAGES) & (expected_bucket(today, settings) == index)


def forecast(today: dt.date, settings: ReportSettings, organisation_id: int | None = None) -> list[ForecastRow]:
    """The weighted pipeline: open applications by the quarter their decision is expected in (see
    `expected_bucket`), each stage's requested money weighted by its configured probability."""
    quarters = forecast_quarters(today, settings)
    requested = figures.REQUESTED
    if organisation_id is not None:  # the organisation's part of it, a joint application by its share
        requested = shares.part(requested, shares.share_of(organisation_id))
    query = (
        Application.select(
            expected_bucket(today, settings).alias("bucket"),
            Application.stage,
            fn.COUNT(Application.id).alias("n"),
            fn.SUM(requested).alias("requested"),
        )
        .where(Application.stage.in_(OPEN_STAGES))
        .group_by(SQL("1"), SQL("2"))
    )  # by position: see figures.by_quarter
    if organisation_id is not None:
        query = query.where(shares.involves(organisation_id))
    rows = [ForecastRow(quarter, "quarter") for quarter in quarters]
    rows += [ForecastRow(None, "later"), ForecastRow(None, "unscheduled")]
    chances = probabilities(settings)
    for found in query.dicts():
        row = rows[-1] if found["bucket"] == -1 else rows[found["bucket"]]
        amount = int(found["requested"] or 0)
        row.by_stage[found["stage"]] = (found["n"], amount)
        row.weighted_ore += weighted(amount, chances[found["stage"]])
    for row in rows:
        row.by_stage = {stage: row.by_stage.get(stage, (0, 0)) for stage in OPEN_STAGES}
    return rows


def due_condition(period: Period, kind: str):
    """Applications with a deadline of `kind` in the period (the coming deadlines' drill-down)."""
    return Application.id.in_(
        Deadline.select(Deadline.application).where(
            Deadline.due_on.between(period.start, period.end) & (Deadline.kind == kind) & Deadline.deleted_at.is_null()
        )
    )


def next_deadlines(quarter: Period, organisation_id: int | None = None, limit: int = 50):
    """The deadlines of the quarter after the period: per kind (all, still open), and the first `limit` of them."""
    base = (
        Deadline.select()
        .join(Application)
        .where(Deadline.due_on.between(quarter.start, quarter.end) & Deadline.deleted_at.is_null())
    )
    if organisation_id is not None:
        base = base.where(shares.involves(organisation_id))
    grouped = base.select(
        Deadline.kind, fn.COUNT(Deadline.id).alias("n"), fn.SUM(Case(None, [(Deadline.done_at.is_null(), 1)], 0)).alias("open")
    ).group_by(Deadline.kind)
    counts = {row["kind"]: (row["n"], int(row["open"] or 0)) for row in grouped.dicts()}
    listed = list(
        base.select(Deadline, Application, Organisation, Funder)
        .switch(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .order_by(Deadline.due_on, Deadline.id)
        .limit(limit)
    )
    return counts, listed


def fee_totals(period: Period, organisation_id: int | None = None) -> dict[str, int]:
    """The fundraiser's fees in the period: earned (fallen due, adjusted, clawed back), invoiced and paid."""
    overall = fees.ledger_totals(period.start, period.end, organisation_id)["overall"]
    return {
        "earned": overall["earned"],
        "invoiced": overall.get("invoiced", 0),
        "paid": overall.get("paid", 0),
        "written_off": overall.get("written_off", 0),
    }
