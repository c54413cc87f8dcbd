"""Relationships from the database: keeping one per funder and organisation, reading their histories,
the portfolio, the ask-again list, the metrics, stewards, next steps and interactions."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import JOIN, Value, fn

from fundtrack import clock
from fundtrack.applications.models import WON_STAGES, Application
from fundtrack.auth.models import User
from fundtrack.config import RelationshipSettings
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.relationships import history
from fundtrack.relationships.history import Gift
from fundtrack.relationships.models import INTERACTION_KINDS, STATUSES, Interaction, Relationship
from fundtrack.validation import ValidationError


def ensure_relationships(now: dt.datetime) -> int:
    """Create the relationship of every funder and organisation that have an application together.

    Called before relationships are read; a read-only check comes first, so that pages do not write
    (and take SQLite's write lock) when every pair already has its relationship.
    """
    missing = (Application.select(Application.id)
               .where(~fn.EXISTS(Relationship.select(Relationship.id).where(
                   (Relationship.funder == Application.funder) & (Relationship.organisation == Application.organisation))))
               .limit(1))
    if not missing.exists():
        return 0
    # INSERT ... SELECT skips Python defaults: every NOT NULL column is given here, or the row would be ignored.
    pairs = (Application.select(Application.funder, Application.organisation, fn.MIN(Application.created_at),
                                fn.MIN(Application.created_at), Value(""), Value(""))
             .group_by(Application.funder, Application.organisation))
    query = (Relationship.insert_from(pairs, [Relationship.funder, Relationship.organisation, Relationship.created_at,
                                              Relationship.updated_at, Relationship.next_step, Relationship.notes])
             .on_conflict_ignore())
    return query.as_rowcount().execute()


def visible_relationships(user):
    """Members see their own organisation's relationships; fundraisers and viewers see all."""
    query = Relationship.select()
    if user.is_member:
        query = query.where(Relationship.organisation == user.organisation_id)
    return query


@dataclass
class Histories:
    """Gifts and rejections per (funder, organisation), and every gift gap per funder (for its usual cycle)."""

    gifts: dict[tuple[int, int], list[Gift]] = field(default_factory=lambda: defaultdict(list))
    rejections: dict[tuple[int, int], list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    titles: dict[int, str] = field(default_factory=dict)

    def gaps_of_funder(self, funder_id: int) -> list[int]:
        gaps = []
        for (funder, _), gifts in self.gifts.items():
            if funder == funder_id:
                gaps.extend(history.gaps_in_days(gifts))
        return gaps


def gift_date(application: Application) -> dt.date:
    return application.decided_on or clock.to_local(application.stage_changed_at).date()


def load_histories(funder_ids=None, organisation_id: int | None = None) -> Histories:
    """Every gift and rejection of the given funders (all when None), in one query."""
    query = (Application.select(Application.id, Application.title, Application.funder, Application.organisation,
                                Application.stage, Application.decided_on, Application.stage_changed_at,
                                Application.amount_granted_ore, Application.amount_requested_ore,
                                Application.reclaimed_ore, Application.round, Application.project_end_on)
             .where(Application.stage.in_(list(WON_STAGES) + ["rejected"])))
    if funder_ids is not None:
        query = query.where(Application.funder.in_(list(funder_ids)))
    if organisation_id is not None:
        query = query.where(Application.organisation == organisation_id)
    result = Histories()
    for application in query:
        pair = (application.funder_id, application.organisation_id)
        if application.stage == "rejected":
            result.rejections[pair].append(gift_date(application))
            continue
        granted = application.amount_granted_ore if application.amount_granted_ore is not None \
            else (application.amount_requested_ore or 0)
        net = granted - (application.reclaimed_ore or 0)
        if net <= 0:
            continue  # reclaimed in full: no gift
        result.gifts[pair].append(Gift(application.id, gift_date(application), net, application.round_id,
                                       application.project_end_on))
        result.titles[application.id] = application.title
    return result


@dataclass
class Overview:
    """A relationship with everything derived from its history."""

    relationship: Relationship
    gifts: list[Gift]
    status: history.Status
    next_ask: history.NextAsk
    next_round: tuple[Round, dt.date] | None
    next_call: tuple[Call, dt.date] | None
    suggested_ore: int | None
    cycle_days: int
    years: set[int]
    consecutive_years: int

    @property
    def lifetime_ore(self) -> int:
        return sum(g.amount_ore for g in self.gifts)

    @property
    def average_ore(self) -> int | None:
        return self.lifetime_ore // len(self.gifts) if self.gifts else None

    @property
    def last_gift(self) -> Gift | None:
        return max(self.gifts, key=lambda g: g.on) if self.gifts else None

    @property
    def change(self) -> float | None:
        return history.change_from_previous(self.gifts)


def overviews(relationships: list[Relationship], today: dt.date, settings: RelationshipSettings,
              histories: Histories | None = None) -> list[Overview]:
    """Derive status, next ask and figures for each relationship, from one load of the histories."""
    thresholds = settings
    funder_ids = {r.funder_id for r in relationships}
    histories = histories or load_histories(funder_ids)
    this_year = history.fiscal_year(today, thresholds.fiscal_year_start_month)
    rounds = defaultdict(list)
    for round_, day in funder_services.upcoming_rounds(today, funder_ids=funder_ids, per_round=6):
        rounds[round_.funder_id].append((round_, day))
    calls = defaultdict(list)
    open_calls = (CallDeadline.select(CallDeadline, Call).join(Call)
                  .where(Call.funder.in_(list(funder_ids)) & (Call.status != "dismissed") & (CallDeadline.due_on >= today))
                  .order_by(CallDeadline.due_on))
    for deadline in open_calls:
        calls[deadline.call.funder_id].append((deadline.call, deadline.due_on))
    cycles = {funder_id: history.usual_cycle_days(histories.gaps_of_funder(funder_id), thresholds.default_cycle_months)
              for funder_id in funder_ids}
    result = []
    for relationship in relationships:
        pair = (relationship.funder_id, relationship.organisation_id)
        gifts = sorted(histories.gifts.get(pair, []), key=lambda g: g.on)
        funder = relationship.funder
        ask = history.next_ask(gifts, histories.rejections.get(pair, []), today,
                               cooldown_after_grant_months=funder.cooldown_after_grant_months,
                               cooldown_after_rejection_months=funder.cooldown_after_rejection_months)
        next_round = next(((r, day) for r, day in rounds.get(relationship.funder_id, []) if day >= ask.on), None)
        next_call = next(((c, day) for c, day in calls.get(relationship.funder_id, []) if day >= ask.on), None)
        years = {history.fiscal_year(g.on, thresholds.fiscal_year_start_month) for g in gifts}
        result.append(Overview(
            relationship=relationship, gifts=gifts,
            status=history.classify(gifts, today, cycles[relationship.funder_id], thresholds),
            next_ask=ask, next_round=next_round, next_call=next_call,
            suggested_ore=history.suggested_amount(gifts, funder.grant_max_ore),
            cycle_days=cycles[relationship.funder_id], years=years,
            consecutive_years=history.consecutive_years(years, this_year),
        ))
    return result


def with_parties(query):
    """Relationships with their funder, organisation and steward joined (no query per row)."""
    return (query.select(Relationship, Funder, Organisation, User).join(Funder).switch(Relationship)
            .join(Organisation).switch(Relationship).join(User, JOIN.LEFT_OUTER))


def portfolio(user, today: dt.date, settings: RelationshipSettings, *, status: str = "", steward_id: int | None = None,
              funder_id: int | None = None, organisation_id: int | None = None) -> list[Overview]:
    """The relationships the user may see, with their status; filtered by status and steward."""
    query = visible_relationships(user)
    if steward_id is not None:
        query = query.where(Relationship.steward == steward_id)
    if funder_id is not None:
        query = query.where(Relationship.funder == funder_id)
    if organisation_id is not None:
        query = query.where(Relationship.organisation == organisation_id)
    rows = list(with_parties(query).order_by(Funder.name, Organisation.name))
    result = overviews(rows, today, settings)
    if status in STATUSES:
        result = [o for o in result if o.status.code == status]
    order = list(STATUSES)
    return sorted(result, key=lambda o: (order.index(o.status.code) if o.status.code != "golden" else -1,
                                         o.relationship.funder.name, o.relationship.organisation.name))


def ask_again(user, today: dt.date, settings: RelationshipSettings, days: int) -> list[Overview]:
    """Relationships with at least one gift whose window to ask again opens within `days` (or is open)."""
    horizon = today + dt.timedelta(days=days)
    candidates = [o for o in portfolio(user, today, settings) if o.gifts and o.next_ask.on <= horizon]
    return sorted(candidates, key=lambda o: (o.next_ask.on, o.relationship.funder.name))


def possible_stewards(user):
    """The people `user` may choose as a steward: active fundraisers and members, and for a member only
    the fundraisers and their own colleagues (never another organisation's staff)."""
    query = User.select().where(User.role.in_(["fundraiser", "member"]) & User.active).order_by(User.name)
    if user.is_member:
        query = query.where((User.role == "fundraiser") | (User.organisation == user.organisation_id))
    return query


def set_stewardship(relationship: Relationship, *, steward: User | None, next_step: str, next_step_on: dt.date | None,
                    notes: str, now: dt.datetime) -> None:
    if steward is not None and steward.role == "viewer":
        raise ValidationError({"steward": N_("A viewer cannot steward a relationship.")})
    relationship.steward = steward
    relationship.next_step = (next_step or "").strip()
    relationship.next_step_on = next_step_on
    relationship.notes = (notes or "").strip()
    relationship.updated_at = now
    relationship.save()


def log_interaction(relationship: Relationship, *, kind: str, happened_on: dt.date, text: str, actor,
                    now: dt.datetime) -> Interaction:
    errors: dict = {}
    if kind not in INTERACTION_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if happened_on is None:
        errors["happened_on"] = N_("This field is required.")
    elif happened_on > clock.to_local(now).date() + dt.timedelta(days=1):
        errors["happened_on"] = N_("An interaction cannot lie in the future; put plans in the next step.")
    if errors:
        raise ValidationError(errors)
    return Interaction.create(relationship=relationship, kind=kind, happened_on=happened_on, text=(text or "").strip(),
                              actor=actor, created_at=now)


def applications_of(relationship: Relationship):
    """Every application of the pair, newest first: the gift timeline with the asks that were not gifts."""
    return (Application.select().where((Application.funder == relationship.funder_id)
                                       & (Application.organisation == relationship.organisation_id))
            .order_by(Application.decided_on.desc(nulls="FIRST"), Application.created_at.desc()))


def report_deadlines_of(relationship: Relationship):
    return (Deadline.select(Deadline, Application).join(Application)
            .where((Application.funder == relationship.funder_id)
                   & (Application.organisation == relationship.organisation_id)
                   & Deadline.kind.in_(list(REPORT_KINDS)) & Deadline.deleted_at.is_null())
            .order_by(Deadline.due_on))


# Metrics.

@dataclass
class Reliability:
    """Report deadlines that fell due: how many were delivered on time."""

    due: int = 0
    on_time: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def delivered_on_time(deadline: Deadline) -> bool:
    return deadline.done_at is not None and clock.to_local(deadline.done_at).date() <= deadline.due_on


def reliability(start: dt.date, end: dt.date, today: dt.date, organisation_id: int | None = None) -> dict:
    """On-time share of report deadlines due in the period (and already due today), per funder and organisation."""
    last_due = min(end, today - dt.timedelta(days=1))
    query = (Deadline.select(Deadline.due_on, Deadline.done_at, Application.funder, Application.organisation,
                             Funder.name, Organisation.name)
             .join(Application).join(Funder).switch(Application).join(Organisation)
             .where(Deadline.kind.in_(list(REPORT_KINDS)) & Deadline.deleted_at.is_null()
                    & Deadline.due_on.between(start, last_due)))
    if organisation_id is not None:
        query = query.where(Application.organisation == organisation_id)
    per_funder: dict[str, Reliability] = defaultdict(Reliability)
    per_organisation: dict[str, Reliability] = defaultdict(Reliability)
    overall = Reliability()
    for deadline in query:
        on_time = delivered_on_time(deadline)
        for bucket in (per_funder[deadline.application.funder.name],
                       per_organisation[deadline.application.organisation.name], overall):
            bucket.due += 1
            bucket.on_time += on_time
    return {"overall": overall, "per_funder": dict(sorted(per_funder.items())),
            "per_organisation": dict(sorted(per_organisation.items()))}


@dataclass
class Metrics:
    start: dt.date
    end: dt.date
    gifts: int
    repeat_gifts: int
    money_ore: int
    repeat_money_ore: int
    retained: int
    retainable: int
    upgrades: int
    downgrades: int
    average_gift_ore: int | None
    median_days_between_gifts: int | None
    lybunt: list[Overview]
    sybunt: list[Overview]
    reliability: dict

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_gifts / self.gifts if self.gifts else None

    @property
    def retention_rate(self) -> float | None:
        return self.retained / self.retainable if self.retainable else None


def previous_period(start: dt.date, end: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The period before: the previous fiscal year for a whole fiscal year, else the same number of days before."""
    year = history.fiscal_year(start, start_month)
    if (start, end) == history.fiscal_year_bounds(year, start_month):
        return history.fiscal_year_bounds(year - 1, start_month)
    length = end - start
    return start - length - dt.timedelta(days=1), start - dt.timedelta(days=1)


def metrics(user, start: dt.date, end: dt.date, today: dt.date, settings: RelationshipSettings) -> Metrics:
    """The golden-donation figures for a period; LYBUNT and SYBUNT are always about this fiscal year."""
    organisation_id = user.organisation_id if user.is_member else None
    histories = load_histories(organisation_id=organisation_id)
    in_period = [(pair, gift) for pair, gifts in histories.gifts.items() for gift in gifts if start <= gift.on <= end]
    repeat = [(pair, gift) for pair, gift in in_period
              if any(other.on < gift.on for other in histories.gifts[pair])]
    gaps, upgrades, downgrades = [], 0, 0
    for pair, gift in repeat:
        previous = max((g for g in histories.gifts[pair] if g.on < gift.on), key=lambda g: g.on)
        gaps.append((gift.on - previous.on).days)
        upgrades += gift.amount_ore > previous.amount_ore
        downgrades += gift.amount_ore < previous.amount_ore
    # Retention: of the pairs that gave in the period before (of the same length), how many gave again in this one.
    before_start, before_end = previous_period(start, end, settings.fiscal_year_start_month)
    gave_before = {pair for pair, gifts in histories.gifts.items() if any(before_start <= g.on <= before_end for g in gifts)}
    gave_now = {pair for pair, _ in in_period}
    relationships = list(with_parties(visible_relationships(user)))
    overview_list = overviews(relationships, today, settings, histories)
    this_year = history.fiscal_year(today, settings.fiscal_year_start_month)
    lybunt = [o for o in overview_list if (this_year - 1) in o.years and this_year not in o.years]
    sybunt = [o for o in overview_list if o.years and not ({this_year, this_year - 1} & o.years)]
    amounts = [gift.amount_ore for _, gift in in_period]
    return Metrics(
        start=start, end=end, gifts=len(in_period), repeat_gifts=len(repeat), money_ore=sum(amounts),
        repeat_money_ore=sum(gift.amount_ore for _, gift in repeat), retained=len(gave_before & gave_now),
        retainable=len(gave_before), upgrades=upgrades, downgrades=downgrades,
        average_gift_ore=sum(amounts) // len(amounts) if amounts else None,
        median_days_between_gifts=int(statistics.median(gaps)) if gaps else None,
        lybunt=lybunt, sybunt=sybunt, reliability=reliability(start, end, today, organisation_id),
    )
