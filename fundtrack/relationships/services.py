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
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, Value, chunked, fn

from fundtrack import clock, config
from fundtrack.applications import events as application_events
from fundtrack.applications import gifts
from fundtrack.applications.models import Application
from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.config import RelationshipSettings
from fundtrack.db import bulk_insert, days_apart, db
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.funders import events as funder_events
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.periods import current_period
from fundtrack.relationships import history
from fundtrack.relationships.history import Gift
from fundtrack.relationships.models import INTERACTION_KINDS, STATUSES, Interaction, Relationship
from fundtrack.relationships.models import Gift as GiftRow
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
    query = Application.select(
        Application.id,
        Application.funder,
        Application.organisation,
        Application.stage,
        Application.decided_on,
        Application.amount_granted_ore,
        Application.reclaimed_ore,
        Application.round,
        Application.project_end_on,
    ).where(gifts.condition() | ((Application.stage == "rejected") & Application.decided_on.is_null(False)))
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


STATUS_ORDER = ["golden"] + [code for code in STATUSES if code != "golden"]  # how lists are ordered
SORT_SEPARATOR = "\x1f"


def sort_key(funder_name: str, organisation_name: str) -> str:
    """What lists of relationships are ordered by after the status: the funder's name, then the organisation's."""
    return f"{funder_name.lower()}{SORT_SEPARATOR}{organisation_name.lower()}"[:500]


def _summary(pair_gifts: list[Gift], rejections: list[dt.date], funder: Funder, start_month: int) -> dict:
    """The stored columns of one relationship that come from its gifts and rejections."""
    last = pair_gifts[-1] if pair_gifts else None
    ask = history.ask_from(
        pair_gifts,
        rejections,
        cooldown_after_grant_months=funder.cooldown_after_grant_months,
        cooldown_after_rejection_months=funder.cooldown_after_rejection_months,
    )
    return {
        "gifts": len(pair_gifts),
        "lifetime_ore": sum(g.amount_ore for g in pair_gifts),
        "first_gift_on": pair_gifts[0].on if pair_gifts else None,
        "last_gift_on": last.on if last else None,
        "last_gift_ore": last.amount_ore if last else None,
        "gift_years": len({history.fiscal_year(g.on, start_month) for g in pair_gifts}),
        "gift_rounds": len({g.round_id for g in pair_gifts if g.round_id is not None}),
        "last_rejection_on": max(rejections) if rejections else None,
        # A relationship with a gift may ask again from this day (its last gift's, when nothing holds it back);
        # one without has none, and is on no ask-again list.
        "ask_from_on": (ask or last.on) if last else None,
    }


def status_of(values: dict, today: dt.date, settings: RelationshipSettings) -> dict:
    """The stored status of a relationship from its stored figures, and the day it changes by time alone."""
    gifts, last = values["gifts"], values["last_gift_on"]
    cycle = values.get("cycle_days") or history.default_cycle_days(settings.default_cycle_months)
    code = history.status_code(gifts, last, values["gift_years"], values["gift_rounds"], today, cycle, settings)
    until = None
    if gifts:
        lapsing_on, lapsed_on = history.status_changes_on(last, cycle, settings)
        until = next((day for day in (lapsing_on, lapsed_on) if day > today), None)
    return {"status": code, "status_rank": STATUS_ORDER.index(code), "status_until": until}


STATUS_FIELDS = ("gifts", "last_gift_on", "gift_years", "gift_rounds", "cycle_days")


def _gift_rows(relationship_id: int, organisation_id: int, pair_gifts: list[Gift]) -> list[dict]:
    rows, previous = [], None
    for gift in pair_gifts:
        rows.append(
            {
                "application": gift.application_id,
                "relationship": relationship_id,
                "organisation": organisation_id,
                "given_on": gift.on,
                "amount_ore": gift.amount_ore,
                "previous_on": previous.on if previous else None,
                "previous_ore": previous.amount_ore if previous else None,
            }
        )
        previous = gift
    return rows


def _write(relationships: list[Relationship], everything: Histories, funders: dict, now: dt.datetime) -> None:
    """Write the figures, the status and the gifts of these relationships (inside a transaction)."""
    settings = config.active().relationships
    today = clock.to_local(now).date()
    ids = [r.id for r in relationships]
    for batch in chunked(ids, 500):
        GiftRow.delete().where(GiftRow.relationship.in_(batch)).execute()
    rows = []
    for relationship in relationships:
        pair = (relationship.funder_id, relationship.organisation_id)
        pair_gifts = everything.gifts.get(pair, [])
        values = _summary(
            pair_gifts, everything.rejections.get(pair, []), funders[relationship.funder_id], settings.fiscal_year_start_month
        )
        values.update(status_of({**values, "cycle_days": relationship.cycle_days}, today, settings))
        Relationship.update(**values).where(Relationship.id == relationship.id).execute()
        rows.extend(_gift_rows(relationship.id, relationship.organisation_id, pair_gifts))
    bulk_insert(GiftRow, rows)


def refresh_pairs(pairs, *, now: dt.datetime) -> int:
    """Recompute the stored figures, status and gifts of these (funder, organisation) pairs, and the usual cycle
    of their funders (with the statuses that depend on it)."""
    pairs = {pair for pair in pairs if pair[0] and pair[1]}
    if not pairs:
        return 0
    funder_ids = {f for f, _ in pairs}
    everything = load_histories(funder_ids=funder_ids)
    funders = {f.id: f for f in Funder.select().where(Funder.id.in_(list(funder_ids)))}
    with db.atomic():
        changed = _refresh_cycles(everything, funder_ids)
        relationships = [
            r
            for r in Relationship.select().where(Relationship.funder.in_(list(funder_ids)))
            if (r.funder_id, r.organisation_id) in pairs
        ]
        _write(relationships, everything, funders, now)
        if changed:
            refresh_statuses(clock.to_local(now).date(), funder_ids=changed)
    return len(pairs)


def _refresh_cycles(histories: Histories, funder_ids) -> set[int]:
    """Each funder's usual time between gifts (the median of its repeat gifts' gaps), on all its relationships;
    returns the funders whose cycle changed."""
    gaps = histories.gaps_by_funder()
    changed = set()
    for funder_id in funder_ids:
        cycle = history.usual_cycle_days(gaps.get(funder_id, []))
        updated = (
            Relationship.update(cycle_days=cycle)
            .where(
                (Relationship.funder == funder_id)
                & ((Relationship.cycle_days != cycle) if cycle is not None else Relationship.cycle_days.is_null(False))
            )
            .execute()
        )
        if updated:
            changed.add(funder_id)
    return changed


def refresh_statuses(today: dt.date, *, funder_ids=None) -> int:
    """The status of every relationship whose status changes by today (a lapse), or of the given funders':
    from the stored figures alone. Run just after midnight; returns how many changed."""
    settings = config.active().relationships
    query = Relationship.select(Relationship.id, Relationship.status, *[getattr(Relationship, f) for f in STATUS_FIELDS])
    if funder_ids is not None:
        query = query.where(Relationship.funder.in_(list(funder_ids)))
    else:
        query = query.where(Relationship.status_until <= today)
    changed = 0
    with db.atomic():
        for relationship in query:
            values = status_of({f: getattr(relationship, f) for f in STATUS_FIELDS}, today, settings)
            Relationship.update(**values).where(Relationship.id == relationship.id).execute()
            changed += values["status"] != relationship.status
    return changed


def ensure_pair(funder_id: int, organisation_id: int, now: dt.datetime) -> None:
    """The relationship of a funder and an organisation that have an application together (created if new)."""
    names = {f.id: f.name for f in Funder.select(Funder.id, Funder.name).where(Funder.id == funder_id)}
    organisation = Organisation.get_by_id(organisation_id)
    (
        Relationship.insert(
            funder=funder_id,
            organisation=organisation_id,
            created_at=now,
            updated_at=now,
            next_step="",
            notes="",
            sort_key=sort_key(names[funder_id], organisation.name),
        )
        .on_conflict(conflict_target=[Relationship.funder, Relationship.organisation], action="nothing")
        .execute()
    )


def refresh_all(*, now: dt.datetime) -> int:
    """The catch-up job: a relationship for every pair with an application, and every stored figure, status,
    gift and name afresh (run nightly, and after an upgrade; what a crash or a change of settings left
    behind is mended)."""
    zero = Value(0)
    pairs = (
        Application.select(
            Application.funder,
            Application.organisation,
            fn.MIN(Application.created_at),
            fn.MIN(Application.created_at),
            Value(""),
            Value(""),
            zero,
            zero,
            zero,
            zero,
            Value("prospect"),
            Value(STATUS_ORDER.index("prospect")),
            Value(""),
        )
        .where(SQL("1 = 1"))  # SQLite reads an upsert after a SELECT without WHERE as a join's ON
        .group_by(Application.funder, Application.organisation)
    )
    # INSERT ... SELECT skips Python defaults: every NOT NULL column is given here. Only the pair's uniqueness
    # may make a row be left out (DO NOTHING, not OR IGNORE, which would hide any other failure).
    (
        Relationship.insert_from(
            pairs,
            [
                Relationship.funder,
                Relationship.organisation,
                Relationship.created_at,
                Relationship.updated_at,
                Relationship.next_step,
                Relationship.notes,
                Relationship.gifts,
                Relationship.lifetime_ore,
                Relationship.gift_years,
                Relationship.gift_rounds,
                Relationship.status,
                Relationship.status_rank,
                Relationship.sort_key,
            ],
        )
        .on_conflict(conflict_target=[Relationship.funder, Relationship.organisation], action="nothing")
        .execute()
    )
    everything = load_histories()
    funders = {f.id: f for f in Funder.select()}
    organisations = dict(Organisation.select(Organisation.id, Organisation.name).tuples())
    with db.atomic():
        _refresh_cycles(everything, funders)
        relationships = list(Relationship.select())
        for relationship in relationships:
            relationship.sort_key = sort_key(funders[relationship.funder_id].name, organisations[relationship.organisation_id])
            Relationship.update(sort_key=relationship.sort_key).where(Relationship.id == relationship.id).execute()
        _write(relationships, everything, funders, now)
    return len(relationships)


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
    if "name" in changes:
        for relationship in Relationship.select(Relationship.id, Relationship.organisation).where(
            Relationship.funder == funder.id
        ):
            name = Organisation.get_by_id(relationship.organisation_id).name
            Relationship.update(sort_key=sort_key(funder.name, name)).where(Relationship.id == relationship.id).execute()
    if {"cooldown_after_grant_months", "cooldown_after_rejection_months"} & set(changes):
        organisations = Relationship.select(Relationship.organisation).where(Relationship.funder == funder.id)
        refresh_pairs([(funder.id, row.organisation_id) for row in organisations], now=now)


@organisation_events.changed.connect
def _on_organisation_renamed(organisation, *, changes, **rest):
    if "name" in changes:
        names = dict(
            Funder.select(Funder.id, Funder.name)
            .join(Relationship, on=(Relationship.funder == Funder.id))
            .where(Relationship.organisation == organisation.id)
            .tuples()
        )
        for funder_id, name in names.items():
            (
                Relationship.update(sort_key=sort_key(name, organisation.name))
                .where((Relationship.funder == funder_id) & (Relationship.organisation == organisation.id))
                .execute()
            )


# Reading.

# What a list of relationships shows of the funder, organisation and steward: selecting less keeps a page cheap.
PARTY_FIELDS = (
    Funder.id,
    Funder.name,
    Funder.cooldown_after_grant_months,
    Funder.cooldown_after_rejection_months,
    Funder.grant_max_ore,
    Organisation.id,
    Organisation.name,
    User.id,
    User.name,
)


def with_parties(query):
    """Relationships with their funder, organisation and steward joined (no query per row)."""
    return (
        query.select(Relationship, *PARTY_FIELDS)
        .join(Funder)
        .switch(Relationship)
        .join(Organisation)
        .switch(Relationship)
        .join(User, JOIN.LEFT_OUTER)
    )


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
    open_calls = (
        CallDeadline.select(CallDeadline, Call)
        .join(Call)
        .where(Call.funder.in_(list(funder_ids)) & (Call.status != "dismissed") & (CallDeadline.due_on >= today))
        .order_by(CallDeadline.due_on)
    )
    for deadline in open_calls:
        calls[deadline.call.funder_id].append((deadline.call, deadline.due_on))
    result = []
    for relationship in relationships:
        pair = (relationship.funder_id, relationship.organisation_id)
        pair_gifts = histories.gifts.get(pair, [])
        funder = relationship.funder
        cycle = relationship.cycle_days or default_cycle
        ask = history.next_ask(
            pair_gifts,
            histories.rejections.get(pair, []),
            today,
            cooldown_after_grant_months=funder.cooldown_after_grant_months,
            cooldown_after_rejection_months=funder.cooldown_after_rejection_months,
        )
        years = {history.fiscal_year(g.on, settings.fiscal_year_start_month) for g in pair_gifts}
        result.append(
            Overview(
                relationship=relationship,
                gifts=pair_gifts,
                status=history.classify(pair_gifts, today, cycle, settings),
                next_ask=ask,
                next_round=next(((r, day) for r, day in rounds.get(relationship.funder_id, []) if day >= ask.on), None),
                next_call=next(((c, day) for c, day in calls.get(relationship.funder_id, []) if day >= ask.on), None),
                suggested_ore=history.suggested_amount(pair_gifts, funder.grant_max_ore),
                cycle_days=cycle,
                years=years,
                consecutive_years=history.consecutive_years(years, this_year),
            )
        )
    return result


@dataclass
class Row:
    """A relationship as a list shows it: from its stored figures alone, so that a page costs the same however
    many gifts lie behind it."""

    relationship: Relationship
    status: history.Status
    ask_on: dt.date | None

    @property
    def gift_count(self) -> int:
        return self.relationship.gifts

    @property
    def lifetime_ore(self) -> int:
        return self.relationship.lifetime_ore

    @property
    def last_gift_on(self) -> dt.date | None:
        return self.relationship.last_gift_on

    @property
    def last_gift_ore(self) -> int | None:
        return self.relationship.last_gift_ore


def rows_of(relationships: list[Relationship], today: dt.date, settings: RelationshipSettings) -> list[Row]:
    """List rows of relationships, with the stored status and its reason, and the day they may ask again."""
    default_cycle = history.default_cycle_days(settings.default_cycle_months)
    result = []
    for r in relationships:
        status = history.explain_status(
            r.status,
            gifts=r.gifts,
            last_gift_on=r.last_gift_on,
            gift_years=r.gift_years,
            gift_rounds=r.gift_rounds,
            today=today,
            cycle_days=r.cycle_days or default_cycle,
            thresholds=settings,
        )
        ask_on = max(today, r.ask_from_on) if r.ask_from_on else (today if r.gifts else None)
        result.append(Row(r, status, ask_on))
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


def _page(query, ordering, today, settings, number: int, size: int, *, full: bool = False):
    """One page of relationships as list rows (or, with `full`, as whole overviews), the total and the page number."""
    total = query.count()
    pages = max(1, -(-total // size))
    number = min(max(number, 1), pages)
    rows = list(with_parties(query).order_by(*ordering).paginate(number, size))
    return (overviews(rows, today, settings) if full else rows_of(rows, today, settings)), total, number


PORTFOLIO_ORDER = (Relationship.status_rank, Relationship.sort_key, Relationship.id)
NAME_ORDER = (Relationship.sort_key, Relationship.id)


def portfolio(
    user,
    today: dt.date,
    settings: RelationshipSettings,
    *,
    status: str = "",
    steward_id: int | None = None,
    funder_id: int | None = None,
    organisation_id: int | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Listing:
    """The relationships the user may see, golden first, then by status, funder and organisation; one page of
    them, filtered by status and steward, with the counts per status (all through indexes on the stored status)."""
    base = _filtered(user, steward_id=steward_id, funder_id=funder_id, organisation_id=organisation_id)
    counts = {code: 0 for code in STATUSES}
    for code, count in base.select(Relationship.status, fn.COUNT(Relationship.id)).group_by(Relationship.status).tuples():
        counts[code] = count
    query = base.where(Relationship.status == status) if status in STATUSES else base
    rows, total, number = _page(query, PORTFOLIO_ORDER, today, settings, page, size)
    return Listing(rows, number, size, total, counts)


def everything(user, today: dt.date, settings: RelationshipSettings, *, status: str = "", **filters) -> list[Overview]:
    """Every relationship of the portfolio at once, as whole overviews (for the export), in the portfolio's order."""
    query = _filtered(user, **filters)
    if status in STATUSES:
        query = query.where(Relationship.status == status)
    return overviews(list(with_parties(query).order_by(*PORTFOLIO_ORDER)), today, settings)


def ask_again(
    user, today: dt.date, settings: RelationshipSettings, days: int, *, page: int = 1, size: int = PAGE_SIZE
) -> Listing:
    """Relationships with at least one gift whose window to ask again opens within `days` (or is open): those
    open longest first, then those that open soonest (in the order of an index)."""
    horizon = today + dt.timedelta(days=days)
    query = visible_relationships(user).where(Relationship.ask_from_on <= horizon)
    rows, total, number = _page(query, (Relationship.ask_from_on, *NAME_ORDER), today, settings, page, size, full=True)
    return Listing(rows, number, size, total)


def possible_stewards(user):
    """The people `user` may choose as a steward: active fundraisers and members, and for a member only
    the fundraisers and their own colleagues (never another organisation's staff)."""
    query = User.select().where(User.role.in_(["fundraiser", "member"]) & User.active).order_by(User.name)
    if user.is_member:
        query = query.where((User.role == "fundraiser") | (User.organisation == user.organisation_id))
    return query


def set_stewardship(
    relationship: Relationship,
    *,
    steward: User | None,
    next_step: str,
    next_step_on: dt.date | None,
    notes: str,
    now: dt.datetime,
    actor=None,
) -> None:
    """Who looks after the relationship, and the next step; on the record."""
    errors: dict = {}
    if steward is not None and steward.role == "viewer":
        errors["steward"] = N_("A viewer cannot steward a relationship.")
    check_day(errors, "next_step_on", next_step_on)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(
            relationship,
            {
                "steward": steward,
                "next_step": (next_step or "").strip(),
                "next_step_on": next_step_on,
                "notes": (notes or "").strip(),
            },
            actor=actor,
            now=now,
        )


def complete_next_step(relationship: Relationship, *, actor, now: dt.datetime) -> bool:
    """The next step is taken: it leaves the lists of what is due (False when there was none)."""
    if not relationship.next_step and relationship.next_step_on is None:
        return False
    with db.atomic():
        audit.save_changes(relationship, {"next_step": "", "next_step_on": None}, actor=actor, now=now, action="next_step_done")
    return True


def log_interaction(
    relationship: Relationship, *, kind: str, happened_on: dt.date, text: str, actor, now: dt.datetime
) -> Interaction:
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
        interaction = Interaction.create(
            relationship=relationship, kind=kind, happened_on=happened_on, text=(text or "").strip(), actor=actor, created_at=now
        )
        interaction.relationship = relationship
        audit.record_create(actor, interaction, now)
    return interaction


def applications_of(relationship: Relationship):
    """Every application of the pair, newest first: the gift timeline with the asks that were not gifts."""
    return (
        Application.select()
        .where((Application.funder == relationship.funder_id) & (Application.organisation == relationship.organisation_id))
        .order_by(Application.decided_on.desc(nulls="FIRST"), Application.created_at.desc())
    )


def report_deadlines_of(relationship: Relationship):
    """The reports the organisation has owed this funder, oldest first: its record of reliability towards the giver."""
    return (
        Deadline.select(Deadline, Application)
        .join(Application)
        .where(
            (Application.funder == relationship.funder_id)
            & (Application.organisation == relationship.organisation_id)
            & Deadline.kind.in_(list(REPORT_KINDS))
            & Deadline.deleted_at.is_null()
        )
        .order_by(Deadline.due_on)
    )


# Metrics.


@dataclass
class Reliability:
    """Report deadlines that fell due: how many were delivered on time."""

    due: int = 0
    on_time: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def reliability(
    start: dt.date,
    end: dt.date,
    today: dt.date,
    organisation_id: int | None = None,
    *,
    funders_page: int = 1,
    organisations_page: int = 1,
    size: int = 25,
) -> dict:
    """On-time share of report deadlines due in the period (and already due today), overall and per funder and
    organisation (a page of each, least reliable first), summed in the database: on time is done on a local
    day no later than the due date."""
    last_due = min(end, today - dt.timedelta(days=1))
    due = Deadline.kind.in_(list(REPORT_KINDS)) & Deadline.deleted_at.is_null() & Deadline.due_on.between(start, last_due)
    if organisation_id is not None:
        due &= Application.organisation == organisation_id
    on_time = fn.SUM(
        Case(None, [(Deadline.done_on.is_null(False) & (Deadline.done_on <= Deadline.due_on), 1)], 0)
    )  # Deadline.delivered_on_time
    count, done = Deadline.select(fn.COUNT(Deadline.id), on_time).join(Application).where(due).scalar(as_tuple=True)
    result = {"overall": Reliability(count or 0, int(done or 0))}
    for key, model, join_on, number in (
        ("per_funder", Funder, Application.funder, funders_page),
        ("per_organisation", Organisation, Application.organisation, organisations_page),
    ):
        grouped = (
            Deadline.select(model.name, fn.COUNT(Deadline.id).alias("due"), on_time.alias("on_time"))
            .join(Application)
            .join(model, on=(join_on == model.id))
            .where(due)
            .group_by(model.id, model.name)
        )
        total = grouped.count()
        pages = max(1, -(-total // size))
        number = min(max(number, 1), pages)
        share = (on_time * 1.0) / fn.COUNT(Deadline.id)
        rows = grouped.order_by(share, model.name).paginate(number, size).tuples()
        result[key] = Listing(
            [(name, Reliability(due_count, int(done or 0))) for name, due_count, done in rows], number, size, total
        )
    return result


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
    funders_retained: int = 0
    funders_retainable: int = 0
    year: int = 0  # the fiscal year LYBUNT and SYBUNT are about: the reader's, never stored
    trend: list = field(default_factory=list)  # Retention of each of the five fiscal years up to `year`

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_gifts / self.gifts if self.gifts else None

    @property
    def retention_rate(self) -> float | None:
        return self.retained / self.retainable if self.retainable else None

    @property
    def funder_retention_rate(self) -> float | None:
        return self.funders_retained / self.funders_retainable if self.funders_retainable else None


@dataclass
class Retention:
    """Of those who gave in the period before, how many gave again: funder-organisation pairs, and funders
    (a funder that gave to any partner in both periods is retained, whichever partner it was)."""

    year: int
    retained: int
    retainable: int
    funders_retained: int
    funders_retainable: int

    @property
    def rate(self) -> float | None:
        return self.retained / self.retainable if self.retainable else None

    @property
    def funder_rate(self) -> float | None:
        return self.funders_retained / self.funders_retainable if self.funders_retainable else None


TREND_YEARS = 5


def previous_period(start: dt.date, end: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The period before: the previous fiscal year for a fiscal year, the previous calendar quarter or half-year
    for one of those (so that 31 December never counts toward the first quarter), else as many days before."""
    year = history.fiscal_year(start, start_month)
    if (start, end) == history.fiscal_year_bounds(year, start_month):
        return history.fiscal_year_bounds(year - 1, start_month)
    for kind in ("Q", "H"):
        period = current_period(kind, start)
        if (period.start, period.end) == (start, end):
            before = period.previous()
            return before.start, before.end
    length = end - start
    return start - length - dt.timedelta(days=1), start - dt.timedelta(days=1)


def retention(start: dt.date, end: dt.date, before: tuple[dt.date, dt.date], organisation_id: int | None, year: int = 0):
    """Retention from the period `before` to `start`..`end`, summed in the database over the gifts."""

    def counted(condition):
        return fn.SUM(Case(None, [(condition, 1)], 0))

    gave_before, gave_now = counted(GiftRow.given_on.between(*before)), counted(GiftRow.given_on.between(start, end))
    scope = GiftRow.given_on.between(before[0], end)
    if organisation_id is not None:
        scope &= GiftRow.organisation == organisation_id
    found = []
    for key, joined in ((GiftRow.relationship, False), (Relationship.funder, True)):
        query = GiftRow.select(key, gave_before.alias("before"), gave_now.alias("now"))
        if joined:
            query = query.join(Relationship)
        pairs = query.where(scope).group_by(key).having(gave_before > 0)
        found += [pairs.count(), pairs.having((gave_before > 0) & (gave_now > 0)).count()]
    retainable, retained, funders_retainable, funders_retained = found
    return Retention(year, retained, retainable, funders_retained, funders_retainable)


def metrics(
    user,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    settings: RelationshipSettings,
    *,
    lybunt_page: int = 1,
    sybunt_page: int = 1,
    funders_page: int = 1,
    organisations_page: int = 1,
) -> Metrics:
    """The golden-donation figures for a period, summed in the database over the gifts (each kept beside the
    gift before it); LYBUNT and SYBUNT are about this fiscal year, one page of each, the latest gift first."""
    organisation_id = user.organisation_id if user.is_member else None
    gifts_in = GiftRow.given_on.between(start, end)
    if organisation_id is not None:
        gifts_in &= GiftRow.organisation == organisation_id
    repeat = GiftRow.previous_on.is_null(False)

    def counted(condition):
        return fn.SUM(Case(None, [(condition, 1)], 0))

    row = (
        GiftRow.select(
            fn.COUNT(GiftRow.id),
            fn.SUM(GiftRow.amount_ore),
            counted(repeat),
            fn.SUM(Case(None, [(repeat, GiftRow.amount_ore)], 0)),
            counted(repeat & (GiftRow.amount_ore > GiftRow.previous_ore)),
            counted(repeat & (GiftRow.amount_ore < GiftRow.previous_ore)),
        )
        .where(gifts_in)
        .tuples()
        .get()
    )
    count, money, repeats, repeat_money, upgrades, downgrades = (int(value or 0) for value in row)
    gaps = [
        int(days)
        for (days,) in GiftRow.select(days_apart(GiftRow.given_on, GiftRow.previous_on)).where(gifts_in & repeat).tuples()
    ]
    start_month = settings.fiscal_year_start_month
    kept = retention(start, end, previous_period(start, end, start_month), organisation_id)
    # LYBUNT and SYBUNT as CiviCRM counts them, for the fiscal year the reader looks at (the period's last):
    # gave in the year before (LYBUNT) or in some year before (SYBUNT, LYBUNT included), and not in that year.
    year = history.fiscal_year(min(end, dt.date(9998, 12, 31)), start_month)
    this_start, this_end = history.fiscal_year_bounds(year, start_month)
    last_start, _ = history.fiscal_year_bounds(year - 1, start_month)
    visible = visible_relationships(user)

    def gave(low, high):
        return GiftRow.select(GiftRow.relationship).where(GiftRow.given_on.between(low, high))

    not_this_year = Relationship.id.not_in(gave(this_start, this_end))
    lybunt_query = visible.where(Relationship.id.in_(gave(last_start, this_start - dt.timedelta(days=1))) & not_this_year)
    sybunt_query = visible.where(Relationship.id.in_(gave(dt.date(1, 1, 1), this_start - dt.timedelta(days=1))) & not_this_year)
    trend = []
    for trend_year in range(year - TREND_YEARS + 1, year + 1):
        bounds = history.fiscal_year_bounds(trend_year, start_month)
        trend.append(retention(*bounds, history.fiscal_year_bounds(trend_year - 1, start_month), organisation_id, trend_year))
    latest_first = (Relationship.last_gift_on.desc(), Relationship.id)
    lybunt_rows, lybunt_total, lybunt_number = _page(lybunt_query, latest_first, today, settings, lybunt_page, PAGE_SIZE)
    sybunt_rows, sybunt_total, sybunt_number = _page(sybunt_query, latest_first, today, settings, sybunt_page, PAGE_SIZE)
    return Metrics(
        start=start,
        end=end,
        gifts=count,
        repeat_gifts=repeats,
        money_ore=money,
        repeat_money_ore=repeat_money,
        retained=kept.retained,
        retainable=kept.retainable,
        funders_retained=kept.funders_retained,
        funders_retainable=kept.funders_retainable,
        year=year,
        trend=trend,
        upgrades=upgrades,
        downgrades=downgrades,
        average_gift_ore=money // count if count else None,
        median_days_between_gifts=history.usual_cycle_days(gaps),
        lybunt=Listing(lybunt_rows, lybunt_number, PAGE_SIZE, lybunt_total),
        sybunt=Listing(sybunt_rows, sybunt_number, PAGE_SIZE, sybunt_total),
        reliability=reliability(
            start, end, today, organisation_id, funders_page=funders_page, organisations_page=organisations_page
        ),
    )
