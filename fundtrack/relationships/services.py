"""Relationships (Den Gyldne Donation): one row per funder and organisation, kept up to date when their
applications change, and read back as the portfolio, the ask-again list, the metrics, stewardship and
interactions.

What every list needs to filter and sort by (how many gifts, the last one, in how many fiscal years,
the funder's usual cycle, when the organisation may ask again) is written on the row when an application
of the pair changes, so that a page of relationships costs the same whatever the number of applications.
What only a shown row needs (its next round and call, the suggested amount) is worked out for that page.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, Value, fn

from fundtrack import clock, config
from fundtrack.applications import events as application_events
from fundtrack.applications import gifts
from fundtrack.applications.models import Application
from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.config import RelationshipSettings
from fundtrack.db import days_between, db
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.funders import events as funder_events
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.relationships import history
from fundtrack.relationships.history import Gift
from fundtrack.relationships.models import INTERACTION_KINDS, STATUSES, Interaction, Relationship
from fundtrack.validation import ValidationError, check_day

PAGE_SIZE = 50


def visible_relationships(user):
    """Members see their own organisation's relationships; fundraisers and viewers see all."""
    query = Relationship.select()
    if user.is_member:
        query = query.where(Relationship.organisation == user.organisation_id)
    return query


# Keeping the rows up to date.

@dataclass
class Histories:
    """Gifts and rejections per (funder, organisation), and the gaps between gifts per funder."""

    gifts: dict[tuple[int, int], list[Gift]] = field(default_factory=lambda: defaultdict(list))
    rejections: dict[tuple[int, int], list[dt.date]] = field(default_factory=lambda: defaultdict(list))

    def gaps_by_funder(self) -> dict[int, list[int]]:
        """Every gap between two gifts of the same pair, per funder: one pass over the gifts."""
        gaps: dict[int, list[int]] = defaultdict(list)
        for (funder_id, _), pair_gifts in self.gifts.items():
            gaps[funder_id].extend(history.gaps_in_days(pair_gifts))
        return gaps


def load_histories(*, funder_ids=None, pairs=None, organisation_id: int | None = None) -> Histories:
    """The gifts (as `gifts` defines them) and rejections of the given funders, pairs or organisation, in one query."""
    query = (Application.select(Application.id, Application.funder, Application.organisation, Application.stage,
                                Application.decided_on, Application.amount_granted_ore, Application.reclaimed_ore,
                                Application.round, Application.project_end_on)
             .where(gifts.condition() | ((Application.stage == "rejected") & Application.decided_on.is_null(False))))
    if funder_ids is not None:
        query = query.where(Application.funder.in_(list(funder_ids)))
    if organisation_id is not None:
        query = query.where(Application.organisation == organisation_id)
    wanted = set(pairs) if pairs is not None else None
    if wanted is not None:
        query = query.where(Application.funder.in_({f for f, _ in wanted}))
    result = Histories()
    for application in query:
        pair = (application.funder_id, application.organisation_id)
        if wanted is not None and pair not in wanted:
            continue
        if application.stage == "rejected":
            result.rejections[pair].append(application.decided_on)
            continue
        day, amount = gifts.of(application)
        result.gifts[pair].append(Gift(application.id, day, amount, application.round_id, application.project_end_on))
    for pair_gifts in result.gifts.values():
        pair_gifts.sort(key=lambda g: g.on)
    return result


def _summary(pair_gifts: list[Gift], rejections: list[dt.date], funder: Funder, start_month: int) -> dict:
    """The stored columns of one relationship, from its gifts and rejections."""
    last = pair_gifts[-1] if pair_gifts else None
    ask = history.ask_from(pair_gifts, rejections, cooldown_after_grant_months=funder.cooldown_after_grant_months,
                           cooldown_after_rejection_months=funder.cooldown_after_rejection_months)
    return {
        "gifts": len(pair_gifts), "lifetime_ore": sum(g.amount_ore for g in pair_gifts),
        "first_gift_on": pair_gifts[0].on if pair_gifts else None, "last_gift_on": last.on if last else None,
        "last_gift_ore": last.amount_ore if last else None,
        "gift_years": len({history.fiscal_year(g.on, start_month) for g in pair_gifts}),
        "gift_rounds": len({g.round_id for g in pair_gifts if g.round_id is not None}),
        "last_rejection_on": max(rejections) if rejections else None, "ask_from_on": ask,
    }


def refresh_pairs(pairs, *, now: dt.datetime) -> int:
    """Recompute the stored figures of these (funder, organisation) pairs, and the usual cycle of their funders."""
    pairs = {pair for pair in pairs if pair[0] and pair[1]}
    if not pairs:
        return 0
    funder_ids = {f for f, _ in pairs}
    start_month = config.active().relationships.fiscal_year_start_month
    everything = load_histories(funder_ids=funder_ids)
    funders = {f.id: f for f in Funder.select().where(Funder.id.in_(list(funder_ids)))}
    with db.atomic():
        for funder_id, organisation_id in pairs:
            pair = (funder_id, organisation_id)
            values = _summary(everything.gifts.get(pair, []), everything.rejections.get(pair, []), funders[funder_id],
                              start_month)
            (Relationship.update(**values).where((Relationship.funder == funder_id)
                                                 & (Relationship.organisation == organisation_id)).execute())
        _refresh_cycles(everything, funder_ids)
    return len(pairs)


def _refresh_cycles(histories: Histories, funder_ids) -> None:
    """Each funder's usual time between gifts (the median of its repeat gifts' gaps), on all its relationships."""
    gaps = histories.gaps_by_funder()
    for funder_id in funder_ids:
        found = gaps.get(funder_id)
        cycle = int(statistics.median(found)) if found else None
        Relationship.update(cycle_days=cycle).where(Relationship.funder == funder_id).execute()


def ensure_pair(funder_id: int, organisation_id: int, now: dt.datetime) -> None:
    """The relationship of a funder and an organisation that have an application together (created if new)."""
    Relationship.insert(funder=funder_id, organisation=organisation_id, created_at=now, updated_at=now,
                        next_step="", notes="").on_conflict_ignore().execute()


def refresh_all(*, now: dt.datetime) -> int:
    """The catch-up job: a relationship for every pair with an application, and every stored figure afresh
    (run nightly, and after an upgrade; what a crash or a change of settings left behind is mended)."""
    pairs = (Application.select(Application.funder, Application.organisation, fn.MIN(Application.created_at),
                                fn.MIN(Application.created_at), Value(""), Value(""))
             .group_by(Application.funder, Application.organisation))
    # INSERT ... SELECT skips Python defaults: every NOT NULL column without a database default is given here.
    (Relationship.insert_from(pairs, [Relationship.funder, Relationship.organisation, Relationship.created_at,
                                      Relationship.updated_at, Relationship.next_step, Relationship.notes])
     .on_conflict_ignore().execute())
    start_month = config.active().relationships.fiscal_year_start_month
    everything = load_histories()
    funders = {f.id: f for f in Funder.select()}
    rows = list(Relationship.select(Relationship.id, Relationship.funder, Relationship.organisation).tuples())
    with db.atomic():
        for relationship_id, funder_id, organisation_id in rows:
            pair = (funder_id, organisation_id)
            values = _summary(everything.gifts.get(pair, []), everything.rejections.get(pair, []), funders[funder_id],
                              start_month)
            Relationship.update(**values).where(Relationship.id == relationship_id).execute()
        _refresh_cycles(everything, funders)
    return len(rows)


def _pair(application) -> tuple[int, int]:
    return application.funder_id, application.organisation_id


@application_events.created.connect
def _on_created(application, *, now, **rest):
    ensure_pair(application.funder_id, application.organisation_id, now)
    if gifts.of(application) or application.stage == "rejected":
        refresh_pairs([_pair(application)], now=now)


@application_events.changed.connect
def _on_changed(application, *, changes, now, **rest):
    pairs = {_pair(application)}
    old_funder = changes.get("funder", [application.funder_id])[0]
    old_organisation = changes.get("organisation", [application.organisation_id])[0]
    pairs.add((old_funder, old_organisation))
    ensure_pair(application.funder_id, application.organisation_id, now)
    refresh_pairs(pairs, now=now)


@application_events.moved.connect
def _on_moved(application, *, now, **rest):
    refresh_pairs([_pair(application)], now=now)


@application_events.reclaimed.connect
def _on_reclaimed(application, *, now, **rest):
    refresh_pairs([_pair(application)], now=now)


@funder_events.changed.connect
def _on_funder_changed(funder, *, changes, now, **rest):
    if {"cooldown_after_grant_months", "cooldown_after_rejection_months"} & set(changes):
        organisations = Relationship.select(Relationship.organisation).where(Relationship.funder == funder.id)
        refresh_pairs([(funder.id, row.organisation_id) for row in organisations], now=now)


# Reading: the status as SQL, for lists of any length.

def status_sql(today: dt.date, settings: RelationshipSettings):
    """SQL: a relationship's status today, from its stored figures, by the same rules as `history.classify`."""
    default_cycle = history.default_cycle_days(settings.default_cycle_months)
    cycle = fn.COALESCE(Relationship.cycle_days, default_cycle)
    silent = days_between(today, Relationship.last_gift_on)
    return Case(None, [
        (Relationship.gifts == 0, "prospect"),
        (silent > cycle * settings.lapsed_after_cycles, "lapsed"),
        (silent > cycle * settings.lapsing_after_cycles, "lapsing"),
        ((Relationship.gift_years >= settings.golden_min_years) | (Relationship.gift_rounds >= settings.golden_min_years),
         "golden"),
        (Relationship.gifts >= 2, "repeat"),
    ], "first_gift")


STATUS_ORDER = ["golden"] + [code for code in STATUSES if code != "golden"]


def _status_rank(status):
    return Case(status, [(code, index) for index, code in enumerate(STATUS_ORDER)], len(STATUS_ORDER))


def with_parties(query):
    """Relationships with their funder, organisation and steward joined (no query per row)."""
    return (query.select(Relationship, Funder, Organisation, User).join(Funder).switch(Relationship)
            .join(Organisation).switch(Relationship).join(User, JOIN.LEFT_OUTER))


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
        return self.gifts[-1] if self.gifts else None

    @property
    def change(self) -> float | None:
        return history.change_from_previous(self.gifts)


def overviews(relationships: list[Relationship], today: dt.date, settings: RelationshipSettings) -> list[Overview]:
    """Status, next ask and figures of each of these relationships (a page's worth), from their gifts.

    A handful of queries whatever the number: the pairs' gifts, their funders' next rounds and open calls.
    """
    if not relationships:
        return []
    pairs = {(r.funder_id, r.organisation_id) for r in relationships}
    funder_ids = {f for f, _ in pairs}
    histories = load_histories(pairs=pairs)
    this_year = history.fiscal_year(today, settings.fiscal_year_start_month)
    default_cycle = history.default_cycle_days(settings.default_cycle_months)
    rounds = defaultdict(list)
    for round_, day in funder_services.upcoming_rounds(today, funder_ids=funder_ids, per_round=6):
        rounds[round_.funder_id].append((round_, day))
    calls = defaultdict(list)
    open_calls = (CallDeadline.select(CallDeadline, Call).join(Call)
                  .where(Call.funder.in_(list(funder_ids)) & (Call.status != "dismissed") & (CallDeadline.due_on >= today))
                  .order_by(CallDeadline.due_on))
    for deadline in open_calls:
        calls[deadline.call.funder_id].append((deadline.call, deadline.due_on))
    result = []
    for relationship in relationships:
        pair = (relationship.funder_id, relationship.organisation_id)
        pair_gifts = histories.gifts.get(pair, [])
        funder = relationship.funder
        cycle = relationship.cycle_days or default_cycle
        ask = history.next_ask(pair_gifts, histories.rejections.get(pair, []), today,
                               cooldown_after_grant_months=funder.cooldown_after_grant_months,
                               cooldown_after_rejection_months=funder.cooldown_after_rejection_months)
        years = {history.fiscal_year(g.on, settings.fiscal_year_start_month) for g in pair_gifts}
        result.append(Overview(
            relationship=relationship, gifts=pair_gifts,
            status=history.classify(pair_gifts, today, cycle, settings),
            next_ask=ask,
            next_round=next(((r, day) for r, day in rounds.get(relationship.funder_id, []) if day >= ask.on), None),
            next_call=next(((c, day) for c, day in calls.get(relationship.funder_id, []) if day >= ask.on), None),
            suggested_ore=history.suggested_amount(pair_gifts, funder.grant_max_ore),
            cycle_days=cycle, years=years, consecutive_years=history.consecutive_years(years, this_year),
        ))
    return result


@dataclass
class Listing:
    """A page of relationships: the overviews shown, the count of all that match, and the counts per status."""

    rows: list[Overview]
    number: int
    size: int
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _filtered(user, *, steward_id=None, funder_id=None, organisation_id=None):
    query = visible_relationships(user)
    if steward_id is not None:
        query = query.where(Relationship.steward == steward_id)
    if funder_id is not None:
        query = query.where(Relationship.funder == funder_id)
    if organisation_id is not None:
        query = query.where(Relationship.organisation == organisation_id)
    return query


def _page(query, ordering, today, settings, number: int, size: int) -> tuple[list[Overview], int, int]:
    total = query.count()
    pages = max(1, -(-total // size))
    number = min(max(number, 1), pages)
    rows = list(with_parties(query).order_by(*ordering).paginate(number, size))
    return overviews(rows, today, settings), total, number


def portfolio(user, today: dt.date, settings: RelationshipSettings, *, status: str = "", steward_id: int | None = None,
              funder_id: int | None = None, organisation_id: int | None = None, page: int = 1,
              size: int = PAGE_SIZE) -> Listing:
    """The relationships the user may see, golden first, then by status, funder and organisation; one page of
    them, filtered by status and steward, with the counts per status."""
    base = _filtered(user, steward_id=steward_id, funder_id=funder_id, organisation_id=organisation_id)
    current = status_sql(today, settings)
    counts = {code: 0 for code in STATUSES}
    for code, count in base.select(current.alias("status"), fn.COUNT(Relationship.id)).group_by(SQL("1")).tuples():
        counts[code] = count
    query = base.where(current == status) if status in STATUSES else base
    rows, total, number = _page(query, (_status_rank(current), Funder.name, Organisation.name, Relationship.id),
                                today, settings, page, size)
    return Listing(rows, number, size, total, counts)


def everything(user, today: dt.date, settings: RelationshipSettings, **filters) -> list[Overview]:
    """Every relationship of the portfolio at once (for the export), in the portfolio's order."""
    listing = portfolio(user, today, settings, size=10**9, **filters)
    return listing.rows


def ask_again(user, today: dt.date, settings: RelationshipSettings, days: int, *, page: int = 1,
              size: int = PAGE_SIZE) -> Listing:
    """Relationships with at least one gift whose window to ask again opens within `days` (or is open),
    soonest first."""
    horizon = today + dt.timedelta(days=days)
    opens = Case(None, [(Relationship.ask_from_on.is_null() | (Relationship.ask_from_on < today), today)],
                 Relationship.ask_from_on)
    query = visible_relationships(user).where((Relationship.gifts > 0) & (
        Relationship.ask_from_on.is_null() | (Relationship.ask_from_on <= horizon)))
    rows, total, number = _page(query, (opens, Funder.name, Organisation.name, Relationship.id), today, settings,
                                page, size)
    return Listing(rows, number, size, total)


def possible_stewards(user):
    """The people `user` may choose as a steward: active fundraisers and members, and for a member only
    the fundraisers and their own colleagues (never another organisation's staff)."""
    query = User.select().where(User.role.in_(["fundraiser", "member"]) & User.active).order_by(User.name)
    if user.is_member:
        query = query.where((User.role == "fundraiser") | (User.organisation == user.organisation_id))
    return query


def set_stewardship(relationship: Relationship, *, steward: User | None, next_step: str, next_step_on: dt.date | None,
                    notes: str, now: dt.datetime, actor=None) -> None:
    """Who looks after the relationship, and the next step; on the record."""
    errors: dict = {}
    if steward is not None and steward.role == "viewer":
        errors["steward"] = N_("A viewer cannot steward a relationship.")
    check_day(errors, "next_step_on", next_step_on)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(relationship, {"steward": steward, "next_step": (next_step or "").strip(),
                                          "next_step_on": next_step_on, "notes": (notes or "").strip()},
                           actor=actor, now=now)


def log_interaction(relationship: Relationship, *, kind: str, happened_on: dt.date, text: str, actor,
                    now: dt.datetime) -> Interaction:
    """A meeting, call, thank-you or note in the relationship; on the record."""
    errors: dict = {}
    if kind not in INTERACTION_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if happened_on is None:
        errors["happened_on"] = N_("This field is required.")
    elif happened_on > clock.to_local(now).date() + dt.timedelta(days=1):
        errors["happened_on"] = N_("An interaction cannot lie in the future; put plans in the next step.")
    else:
        check_day(errors, "happened_on", happened_on)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        interaction = Interaction.create(relationship=relationship, kind=kind, happened_on=happened_on,
                                         text=(text or "").strip(), actor=actor, created_at=now)
        interaction.relationship = relationship
        audit.record_create(actor, interaction, now)
    return interaction


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
    """On-time share of report deadlines due in the period (and already due today), per funder and organisation:
    one pass over plain rows (on time is the local day it was done, compared with the due date)."""
    last_due = min(end, today - dt.timedelta(days=1))
    query = (Deadline.select(Deadline.due_on, Deadline.done_at, Funder.name, Organisation.name)
             .join(Application).join(Funder).switch(Application).join(Organisation)
             .where(Deadline.kind.in_(list(REPORT_KINDS)) & Deadline.deleted_at.is_null()
                    & Deadline.due_on.between(start, last_due)))
    if organisation_id is not None:
        query = query.where(Application.organisation == organisation_id)
    per_funder: dict[str, Reliability] = defaultdict(Reliability)
    per_organisation: dict[str, Reliability] = defaultdict(Reliability)
    overall = Reliability()
    done_field = Deadline.done_at
    for due_on, done_at, funder_name, organisation_name in query.tuples():
        done_at = done_field.python_value(done_at)
        on_time = done_at is not None and clock.to_local(done_at).date() <= _day(due_on)
        for bucket in (per_funder[funder_name], per_organisation[organisation_name], overall):
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
    lybunt: Listing
    sybunt: Listing
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


def _gifts_between(start: dt.date, end: dt.date, organisation_id: int | None, model=Application):
    query = model.select().where(gifts.condition(model) & gifts.day(model).between(start, end))
    if organisation_id is not None:
        query = query.where(model.organisation == organisation_id)
    return query


def metrics(user, start: dt.date, end: dt.date, today: dt.date, settings: RelationshipSettings, *,
            lybunt_page: int = 1, sybunt_page: int = 1) -> Metrics:
    """The golden-donation figures for a period, grouped in the database; LYBUNT and SYBUNT are about this
    fiscal year, one page of each."""
    organisation_id = user.organisation_id if user.is_member else None
    earlier = Application.alias("earlier")
    previous_gift = (earlier.select(fn.MAX(gifts.day(earlier)))
                     .where((earlier.funder == Application.funder) & (earlier.organisation == Application.organisation)
                            & gifts.condition(earlier) & (gifts.day(earlier) < gifts.day(Application))))
    rows = list(_gifts_between(start, end, organisation_id)
                .select(Application.id, Application.funder, Application.organisation, Application.decided_on,
                        gifts.amount().alias("amount"), previous_gift.alias("previous_on")).dicts())
    repeat = [row for row in rows if row["previous_on"] is not None]
    previous_amounts = _amounts_on({(row["funder"], row["organisation"], _day(row["previous_on"])) for row in repeat})
    gaps, upgrades, downgrades = [], 0, 0
    for row in repeat:
        previous_on = _day(row["previous_on"])
        gaps.append((_day(row["decided_on"]) - previous_on).days)
        before = previous_amounts[(row["funder"], row["organisation"], previous_on)]
        upgrades += row["amount"] > before
        downgrades += row["amount"] < before
    before_start, before_end = previous_period(start, end, settings.fiscal_year_start_month)
    gave_before = {(r.funder_id, r.organisation_id) for r in _gifts_between(before_start, before_end, organisation_id)
                   .select(Application.funder, Application.organisation).distinct()}
    gave_now = {(row["funder"], row["organisation"]) for row in rows}
    this_year = history.fiscal_year(today, settings.fiscal_year_start_month)
    this_start, _ = history.fiscal_year_bounds(this_year, settings.fiscal_year_start_month)
    last_start, _ = history.fiscal_year_bounds(this_year - 1, settings.fiscal_year_start_month)
    visible = visible_relationships(user)
    lybunt_query = visible.where((Relationship.last_gift_on >= last_start) & (Relationship.last_gift_on < this_start))
    sybunt_query = visible.where(Relationship.last_gift_on < last_start)
    order = (Funder.name, Organisation.name, Relationship.id)
    lybunt_rows, lybunt_total, lybunt_number = _page(lybunt_query, order, today, settings, lybunt_page, PAGE_SIZE)
    sybunt_rows, sybunt_total, sybunt_number = _page(sybunt_query, order, today, settings, sybunt_page, PAGE_SIZE)
    amounts = [row["amount"] for row in rows]
    return Metrics(
        start=start, end=end, gifts=len(rows), repeat_gifts=len(repeat), money_ore=sum(amounts),
        repeat_money_ore=sum(row["amount"] for row in repeat), retained=len(gave_before & gave_now),
        retainable=len(gave_before), upgrades=upgrades, downgrades=downgrades,
        average_gift_ore=sum(amounts) // len(amounts) if amounts else None,
        median_days_between_gifts=int(statistics.median(gaps)) if gaps else None,
        lybunt=Listing(lybunt_rows, lybunt_number, PAGE_SIZE, lybunt_total),
        sybunt=Listing(sybunt_rows, sybunt_number, PAGE_SIZE, sybunt_total),
        reliability=reliability(start, end, today, organisation_id),
    )


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _amounts_on(keys) -> dict:
    """The amount of each pair's gift on a given day (the gift before a repeat gift), in one query."""
    if not keys:
        return {}
    query = (Application.select(Application.funder, Application.organisation, Application.decided_on,
                                gifts.amount().alias("amount"))
             .where(gifts.condition() & Application.funder.in_({f for f, _, _ in keys})
                    & Application.decided_on.in_({d for _, _, d in keys})))
    found: dict = {}
    for funder_id, organisation_id, day, amount in query.tuples():
        key = (funder_id, organisation_id, _day(day))
        if key in keys:
            found[key] = max(found.get(key, 0), amount)
    return found

