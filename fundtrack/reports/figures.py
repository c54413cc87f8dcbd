"""What each figure of an overview means, once, as SQL conditions; and the grouped sums built on them.

An application counts in a period as
- *submitted* when it was submitted in the period (whatever happened later),
- *granted*, *rejected* or *withdrawn* when that decision fell in the period (a grant stays a grant
  through reporting and closing),
- *decided* when granted or rejected in the period (a withdrawal is no decision: it leaves the success rate alone),
- a *repeat* grant when the same funder had already given the same organisation a gift (as
  `applications.gifts` defines it: Den Gyldne Donation); otherwise a grant from a *new* funder,
- *reclaimed* when the funder took money back in the period (whenever the grant was made),
- *received* when an instalment of its grant arrived in the period,
- *allocated* when part of its grant belongs to the period: a grant is spread over its project period by
  its schedule (the instalments' planned dates), evenly by day when it has no schedule, and falls on the
  decision day when it has neither.

A joint application counts once in the totals of all organisations, and under each of its organisations (the
lead and every partner) by that organisation's share of the budget: its money by the share, its count whole.

Every amount stays in the period of the event it counts, so a period's figures, once reported, change
only when the data of that period is corrected. Money is summed in øre by the database: requested
amounts of the submitted, granted amounts as decided, reclaims on their own day. The drill-down lists
filter with the same conditions (`condition`), so every number on the page is the length of the list it
links to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from peewee import JOIN, SQL, Case, Expression, Node, Value, fn

from fundtrack.applications import gifts, shares
from fundtrack.applications.models import WON_STAGES, Application, Partner, Reclaim
from fundtrack.checklists.models import Answer, Checklist, Outcome, TemplateItem
from fundtrack.db import days_apart, list_contains, list_items
from fundtrack.deadlines.models import Deadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.instalments.models import Instalment
from fundtrack.organisations.models import Organisation
from fundtrack.periods import Period
from fundtrack.validation import parse_id

FIGURE_LABELS = {
    "submitted": N_("Submitted"),
    "decided": N_("Decided"),
    "granted": N_("Granted"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "repeat": N_("Granted by a repeat funder"),
    "new": N_("Granted by a new funder"),
    "reclaimed": N_("Reclaimed by funders"),
    "received": N_("Received"),
    "allocated": N_("Allocated to the period"),
}
FIGURES = tuple(FIGURE_LABELS)
DIMENSIONS = ("organisation", "funder", "funder_kind", "un_goal", "theme")
REQUESTED = fn.COALESCE(Application.amount_requested_ore, 0)
GRANTED = fn.COALESCE(Application.amount_granted_ore, 0)


def _earlier_gift_exists() -> Expression:
    """True when the same funder had already given the same organisation a gift."""
    earlier = Application.alias("earlier")
    return fn.EXISTS(
        earlier.select(SQL("1")).where(
            (earlier.funder == Application.funder)
            & (earlier.organisation == Application.organisation)
            & gifts.condition(earlier)
            & (gifts.day(earlier) < gifts.day(Application))
        )
    )


def _in(period: Period, day) -> Expression:
    return day.between(period.start, period.end)


def _sum_in(period: Period, amount, day):
    """SQL: the application's sum of `amount` over the rows of its model (reclaims, instalments) dated
    `day` in the period (a correlated subquery, 0 when there is none)."""
    model = amount.model
    return fn.COALESCE(model.select(fn.SUM(amount)).where((model.application == Application.id) & _in(period, day)), 0)


def reclaimed_in(period: Period):
    """SQL: the money the funder took back from the application in the period."""
    return _sum_in(period, Reclaim.amount_ore, Reclaim.reclaimed_on)


def received_in(period: Period):
    """SQL: the money of the application's instalments received in the period."""
    return _sum_in(period, Instalment.received_ore, Instalment.received_on)


def _has_schedule() -> Expression:
    return fn.EXISTS(Instalment.select(SQL("1")).where(Instalment.application == Application.id))


def _has_project_period() -> Expression:
    return (
        Application.project_start_on.is_null(False)
        & Application.project_end_on.is_null(False)
        & (Application.project_end_on >= Application.project_start_on)
    )


def _project_days() -> Node:
    return days_apart(Application.project_end_on, Application.project_start_on) + 1


def _project_days_through(day) -> Node:
    """SQL: the days of the project period up to and including `day` (0 before it, all of them after)."""
    total = _project_days()
    through = days_apart(Value(day), Application.project_start_on) + 1
    return Case(None, [(through < 0, 0), (through > total, total)], through)


def allocated_in(period: Period):
    """SQL: the part of a won application's grant that belongs to the period. With a schedule, the
    instalments planned in the period; else, over a project period, the share of its days in the period
    (each period's part is the difference of the rounded-down parts up to its end and up to its start, so
    the parts of all periods add up to the grant exactly); else the grant on the decision day."""
    planned = _sum_in(period, Instalment.planned_ore, Instalment.planned_on)
    total = _project_days()
    spread = (
        GRANTED * _project_days_through(period.end) / total
        - GRANTED * _project_days_through(period.start - dt.timedelta(days=1)) / total
    )
    return Case(
        None,
        [
            (~Application.stage.in_(WON_STAGES) | Application.decided_on.is_null(), 0),
            (_has_schedule(), planned),
            (_has_project_period(), spread),
            (_in(period, Application.decided_on), GRANTED),
        ],
        0,
    )


def _planned_in(period: Period) -> Expression:
    """Applications with an instalment planned in the period."""
    return Application.id.in_(Instalment.select(Instalment.application).where(_in(period, Instalment.planned_on)))


def _project_overlaps(period: Period) -> Expression:
    return (Application.project_start_on <= period.end) & (Application.project_end_on >= period.start)


def _allocated_condition(period: Period) -> Expression:
    """Won applications with a part of their grant in the period (the same cases as `allocated_in`)."""
    planned, overlaps = _planned_in(period), _project_overlaps(period)
    scheduled, spread = _has_schedule(), _has_project_period()
    return (
        Application.stage.in_(WON_STAGES)
        & Application.decided_on.is_null(False)
        & (
            (scheduled & planned)
            | (~scheduled & spread & overlaps)
            | (~scheduled & ~spread & _in(period, Application.decided_on))
        )
    )


def _with_money_in(period: Period):
    """The ids of the applications with a reclaim, an instalment or a day of their project in the period: with
    the submitted and the decided, every application a figure of the period counts. One list, each part
    found by an index, so that the database still starts from the period's few applications."""
    project = Application.alias("project")
    return (
        Reclaim.select(Reclaim.application)
        .where(_in(period, Reclaim.reclaimed_on))
        .union(
            Instalment.select(Instalment.application).where(
                _in(period, Instalment.received_on) | _in(period, Instalment.planned_on)
            )
        )
        .union(
            project.select(project.id).where((project.project_start_on <= period.end) & (project.project_end_on >= period.start))
        )
    )


def conditions(period: Period) -> dict[str, Expression]:
    submitted = _in(period, Application.submitted_on)
    decided_in = _in(period, Application.decided_on)
    granted = decided_in & Application.stage.in_(WON_STAGES)
    earlier_gift = _earlier_gift_exists()
    reclaimed = Application.id.in_(Reclaim.select(Reclaim.application).where(_in(period, Reclaim.reclaimed_on)))
    received = Application.id.in_(
        Instalment.select(Instalment.application).where(
            _in(period, Instalment.received_on) & Instalment.received_ore.is_null(False)
        )
    )
    return {
        "submitted": submitted,
        "decided": decided_in & Application.stage.in_((*WON_STAGES, "rejected")),
        "granted": granted,
        "rejected": decided_in & (Application.stage == "rejected"),
        "withdrawn": decided_in & (Application.stage == "withdrawn"),
        "repeat": granted & earlier_gift,
        "new": granted & ~earlier_gift,
        "reclaimed": reclaimed,
        "received": received,
        "allocated": _allocated_condition(period),
        "any": submitted | decided_in | Application.id.in_(_with_money_in(period)),
    }


def condition(figure: str, period: Period) -> Expression:
    """The SQL condition behind one figure of a period (for the drill-down lists)."""
    return conditions(period)[figure]


def dimension_condition(dimension: str, value: str) -> Expression | None:
    """The applications under one row of a breakdown (for the drill-down lists); None for a bad value."""
    number = parse_id(value)
    if dimension == "organisation" and number:
        return shares.involves(number)
    if dimension == "funder" and number:
        return Application.funder == number
    if dimension == "funder_kind" and value:
        return Application.funder.in_(Funder.select(Funder.id).where(Funder.kind == value))
    if dimension == "un_goal" and number and number <= 17:
        with_goal = (
            Checklist.select(Checklist.application)
            .join(Answer)
            .join(TemplateItem)
            .where((TemplateItem.kind == "goals") & list_contains(Answer.un_goals, number))
        )
        return Application.id.in_(with_goal)
    if dimension == "theme" and value:
        return Application.organisation.in_(
            Organisation.select(Organisation.id).where(list_contains(Organisation.interests, value))
        )
    return None


def outcome_condition(period: Period) -> Expression:
    """Applications with outcomes recorded against a report due in the period (as `outcome_totals` sums them)."""
    reported = (
        Checklist.select(Checklist.application)
        .join(Outcome)
        .join(Deadline)
        .where(Deadline.due_on.between(period.start, period.end))
    )
    return Application.id.in_(reported)


@dataclass
class Figures:
    """The sums of one row: the whole period, or one organisation, funder, kind, goal or theme of it."""

    submitted: int = 0
    requested_ore: int = 0
    decided: int = 0
    decided_requested_ore: int = 0
    granted: int = 0
    granted_ore: int = 0  # as decided in the period
    reclaimed_ore: int = 0  # taken back in the period, from grants of any period
    received_ore: int = 0
    allocated_ore: int = 0
    rejected: int = 0
    rejected_ore: int = 0
    withdrawn: int = 0
    repeat: int = 0
    repeat_ore: int = 0

    @property
    def new(self) -> int:
        return self.granted - self.repeat

    @property
    def new_ore(self) -> int:
        return self.granted_ore - self.repeat_ore

    @property
    def net_ore(self) -> int:
        """Granted in the period less what funders took back in it."""
        return self.granted_ore - self.reclaimed_ore

    @property
    def success_rate(self) -> float | None:
        """Grants among the decisions, by count."""
        return self.granted / self.decided if self.decided else None

    @property
    def success_rate_amount(self) -> float | None:
        """Money granted against the money asked for in the decided applications."""
        return self.granted_ore / self.decided_requested_ore if self.decided_requested_ore else None

    @property
    def golden_share(self) -> float | None:
        """The share of the money won that came from funders who had given before."""
        return self.repeat_ore / self.granted_ore if self.granted_ore else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(
            net_ore=self.net_ore,
            new=self.new,
            new_ore=self.new_ore,
            success_rate=self.success_rate,
            success_rate_amount=self.success_rate_amount,
            golden_share=self.golden_share,
        )
        return values


def _sums(period: Period, names: tuple[str, ...] | None = None, share=None) -> list:
    """The aggregate columns, each a conditional count or sum named after its Figures field (all, or `names`);
    with `share` (SQL, in basis points) each amount counts by that share of it (one organisation's part of a
    joint application)."""
    c = conditions(period)

    def count(name):
        return fn.SUM(Case(None, [(c[name], 1)], 0))

    def total(name, amount):
        return fn.SUM(Case(None, [(c[name], amount if share is None else shares.part(amount, share))], 0))

    columns = {
        "submitted": count("submitted"),
        "requested_ore": total("submitted", REQUESTED),
        "decided": count("decided"),
        "decided_requested_ore": total("decided", REQUESTED),
        "granted": count("granted"),
        "granted_ore": total("granted", GRANTED),
        "reclaimed_ore": total("reclaimed", reclaimed_in(period)),
        "received_ore": total("received", received_in(period)),
        "allocated_ore": fn.SUM(allocated_in(period) if share is None else shares.part(allocated_in(period), share)),
        "rejected": count("rejected"),
        "rejected_ore": total("rejected", REQUESTED),
        "withdrawn": count("withdrawn"),
        "repeat": count("repeat"),
        "repeat_ore": total("repeat", GRANTED),
    }
    return [column.alias(name) for name, column in columns.items() if names is None or name in names]


FIGURE_FIELDS = tuple(f.name for f in fields(Figures))


def _figures(row: dict) -> Figures:
    return Figures(**{name: int(row.get(name) or 0) for name in FIGURE_FIELDS})


def _base(period: Period, organisation_id: int | None, *columns, names: tuple[str, ...] | None = None, scope: str = "any"):
    """The sums of the period's applications; of one organisation's, by its share, when `organisation_id` is given
    (the applications it leads and the joint applications it is a partner of)."""
    share = shares.share_of(organisation_id) if organisation_id is not None else None
    query = Application.select(*columns, *_sums(period, names, share)).where(conditions(period)[scope])
    if organisation_id is not None:
        query = query.where(shares.involves(organisation_id))
    return query


def _by_organisation(period: Period, organisation_id: int | None) -> list[tuple[str, str, Figures]]:
    """Per organisation: the applications it leads, by the lead's share, and those it is a partner of, by its share
    (a joint application counts under each of its organisations; the counts are whole, the money by share)."""
    key, name, any_ = Organisation.id.alias("key"), Organisation.name.alias("name"), conditions(period)["any"]
    lead = (
        Application.select(key, name, *_sums(period, None, shares.lead_share()))
        .join(Organisation)
        .where(any_)
        .group_by(Organisation.id, Organisation.name)
    )
    partner = (
        Application.select(key, name, *_sums(period, None, Partner.share_bp))
        .join(Partner, on=(Partner.application == Application.id))
        .join(Organisation, on=(Partner.organisation == Organisation.id))
        .where(any_)
        .group_by(Organisation.id, Organisation.name)
    )
    if organisation_id is not None:
        lead = lead.where(Application.organisation == organisation_id)
        partner = partner.where(Partner.organisation == organisation_id)
    found: dict[str, tuple[str, Figures]] = {}
    for row in [*lead.dicts(), *partner.dicts()]:
        figures = _figures(row)
        if str(row["key"]) in found:
            figures = found[str(row["key"])][1] + figures
        found[str(row["key"])] = (str(row["name"]), figures)
    return [(key, name, figures) for key, (name, figures) in found.items()]


def totals(period: Period, organisation_id: int | None = None) -> Figures:
    """The period's figures in one query."""
    row = _base(period, organisation_id).dicts().get()
    return _figures(row)


def breakdown(period: Period, dimension: str, organisation_id: int | None = None) -> list[tuple[str, str, Figures]]:
    """The period's figures per organisation, funder, funder kind, UN goal or theme: (key, name, figures) rows,
    grouped in the database. An application counts under each of its UN goals and each of its themes
    (its organisation's fields of work), so those rows add up to more than the total."""
    if dimension == "organisation":
        rows = _by_organisation(period, organisation_id)
        return sorted(rows, key=lambda r: (-r[2].granted_ore, -r[2].requested_ore, r[1].lower()))
    if dimension == "funder":
        key, name = Funder.id, Funder.name
        query = _base(period, organisation_id, key.alias("key"), name.alias("name")).join(Funder)
    elif dimension == "funder_kind":
        key = name = Funder.kind
        query = _base(period, organisation_id, key.alias("key"), name.alias("name")).join(Funder)
    elif dimension == "un_goal":
        goal = list_items(Answer.un_goals, "goal")
        key = name = SQL("goal.value")
        query = (
            _base(period, organisation_id, key.alias("key"), name.alias("name"))
            .join(Checklist, on=(Checklist.application == Application.id))
            .join(Answer)
            .join(TemplateItem)
            .join(goal, JOIN.CROSS)
            .where(TemplateItem.kind == "goals")
        )
    elif dimension == "theme":
        theme = list_items(Organisation.interests, "theme")
        key = name = SQL("theme.value")
        query = _base(period, organisation_id, key.alias("key"), name.alias("name")).join(Organisation).join(theme, JOIN.CROSS)
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    rows = [(str(row["key"]), str(row["name"]), _figures(row)) for row in query.group_by(key, name).dicts()]
    if dimension == "un_goal":
        return sorted(rows, key=lambda r: int(r[0]))
    return sorted(rows, key=lambda r: (-r[2].granted_ore, -r[2].requested_ore, r[1].lower()))


CHART_FIGURES = ("decided", "decided_requested_ore", "granted", "granted_ore")


def by_quarter(quarters: list[Period], organisation_id: int | None = None) -> list[tuple[Period, Figures]]:
    """The decisions of each quarter in a run of quarters (for the charts: money won, success rates), in one
    grouped query; the other figures of these Figures stay zero."""
    span = _Span(quarters[0].start, quarters[-1].end)
    bucket = Case(None, [(Application.decided_on.between(q.start, q.end), i) for i, q in enumerate(quarters)], -1)
    # Grouped by position: PostgreSQL does not see two copies of a parameterised CASE as the same expression.
    query = _base(span, organisation_id, bucket.alias("bucket"), names=CHART_FIGURES, scope="decided").group_by(SQL("1"))
    found = {row["bucket"]: _figures(row) for row in query.dicts()}
    return [(q, found.get(i, Figures())) for i, q in enumerate(quarters)]


@dataclass(frozen=True)
class _Span:
    """Any run of days, with the bounds a Period has (the charts span eight quarters)."""

    start: object
    end: object
