"""Applications: creating them, moving them through their stages, the money that arrives or goes back,
and the queries behind the list and the board.

A move is checked against the pipeline (TRANSITIONS) and then by the domains above (`events.moving`: the
checklist gate, open reports before closing) before anything is written. What follows from a write
(deadlines, fees, relationships) is theirs too: they hear it through `events`, inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, fn

from fundtrack import clock
from fundtrack.applications import events, shares
from fundtrack.applications.models import (
    REJECTION_REASONS,
    STAGES,
    TRANSITIONS,
    WON_STAGES,
    Application,
    Partner,
    Reclaim,
    StageChange,
)
from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.db import db
from fundtrack.events import Notice, answers
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import folded_contains
from fundtrack.validation import LARGEST_ORE, ValidationError, check_amount, check_day, require

APPLICATION_FIELDS = (
    "organisation",
    "funder",
    "round",
    "title",
    "purpose",
    "amount_requested_ore",
    "amount_granted_ore",
    "owner",
    "project_start_on",
    "project_end_on",
    "cosigned_on",
    "cosigned_by",
    "notes",
)
DATE_FIELDS = ("project_start_on", "project_end_on", "cosigned_on", "submitted_on", "decided_on")
DECIDED_STAGES = (*WON_STAGES, "rejected", "withdrawn")


class StageMoveRefused(Exception):
    """A stage move that the pipeline does not allow; the message says why (and `missing` lists the
    checklist items that stand in the way of a submission)."""

    def __init__(self, message: str, params: dict | None = None, missing: list | None = None):
        self.message = message
        self.params = params or {}
        self.missing = missing or []
        super().__init__(message % self.params if self.params else message)


@dataclass(frozen=True)
class SubmissionDeadline:
    """The submission deadline an application is created with (from a spreadsheet or a call); without one,
    an application made for a round gets the round's next date."""

    due_on: dt.date
    due_at: dt.datetime | None = None
    title: str = ""


def visible_applications(user):
    """Members see their own organisation's applications and the joint applications it is a partner of;
    fundraisers and viewers see all."""
    query = Application.select()
    if user.is_member:
        query = query.where(shares.involves(user.organisation_id))
    return query


def changeable_applications(user):
    """The applications `user` may change: a member only their own organisation's (a partner reads a joint
    application); fundraisers all; viewers none (their role stops them before this)."""
    query = Application.select()
    if user.is_member:
        query = query.where(Application.organisation == user.organisation_id)
    return query


def may_change(user, application: Application) -> bool:
    """The same rule as `changeable_applications`, for one application already loaded (what a page offers)."""
    if user.is_fundraiser:
        return True
    return user.is_member and application.organisation_id == user.organisation_id


def validate_application(data: dict) -> dict:
    """The cleaned values of an application, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    require(errors, "organisation", data.get("organisation"))
    require(errors, "funder", data.get("funder"))
    require(errors, "title", data.get("title"))
    for name in ("amount_requested_ore", "amount_granted_ore"):
        check_amount(errors, name, data.get(name))
    for name in DATE_FIELDS:
        check_day(errors, name, data.get(name))
    start, end = data.get("project_start_on"), data.get("project_end_on")
    if start and end and end < start and "project_end_on" not in errors:
        errors["project_end_on"] = N_("The project cannot end before it starts.")
    round_ = data.get("round")
    if round_ is not None and data.get("funder") is not None and round_.funder_id != data["funder"].id:
        errors["round"] = N_("The round belongs to another funder.")
    if errors:
        raise ValidationError(errors)
    values = {key: data[key] for key in APPLICATION_FIELDS if key in data}
    values["title"] = values["title"].strip()
    for key in ("purpose", "notes", "cosigned_by"):
        if key in values:
            values[key] = (values[key] or "").strip()
    return values


def create_application(
    data: dict, *, actor, now: dt.datetime, submission: SubmissionDeadline | None = None, history_note: str = ""
) -> Application:
    """A new application (in `idea` unless a stage is given), with its first history entry.

    Made for a round, it takes the round's funder; the domains above hear of it (its submission deadline,
    its relationship). An imported one may come in a later stage, with the days it was submitted and decided.
    """
    data = dict(data)
    round_ = data.get("round")
    if round_ is not None and data.get("funder") is None:
        data["funder"] = round_.funder
    values = validate_application(data)
    stage = data.get("stage", "idea")
    if stage not in STAGES:
        raise ValidationError({"stage": N_("Unknown stage.")})
    for name in ("submitted_on", "decided_on"):
        if data.get(name) is not None:
            values[name] = data[name]
    with db.atomic():
        application = Application.create(**values, stage=stage, stage_changed_at=now, created_at=now, updated_at=now)
        StageChange.create(
            application=application, from_stage=None, to_stage=stage, actor=actor, changed_at=now, reason=history_note
        )
        audit.record_create(actor, application, now)
        events.created.send(application, actor=actor, now=now, submission=submission)
    return application


def update_application(application: Application, data: dict, *, actor, now: dt.datetime) -> Application:
    """Change an application's fields; the domains above hear what changed (a corrected amount, a new funder)."""
    merged = {key: getattr(application, key) for key in APPLICATION_FIELDS}
    merged.update({key: value for key, value in data.items() if key in APPLICATION_FIELDS})
    values = validate_application(merged)
    lead = values.get("organisation")
    if (
        lead is not None
        and Partner.select().where((Partner.application == application) & (Partner.organisation == lead)).exists()
    ):
        raise ValidationError(
            {"organisation": N_("This organisation is a partner of the application; remove it as a partner first.")}
        )
    with db.atomic():
        changes = audit.save_changes(application, values, actor=actor, now=now)
        if changes:
            events.changed.send(application, changes=changes, actor=actor, now=now)
    return application


def allowed_moves(application: Application) -> tuple[str, ...]:
    """The stages this application may move to from where it stands (the board offers only these)."""
    return TRANSITIONS[application.stage]


def check_move(
    application: Application,
    to_stage: str,
    *,
    reason_code: str = "",
    amount_granted_ore: int | None = None,
    actor=None,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> list[Notice]:
    """Raise StageMoveRefused unless `to_stage` may follow now, with what that stage needs.

    After the pipeline's own rules, the domains above may refuse (`events.moving`); what they answer
    (a fundraiser's override of the checklist gate) is returned, for the history.
    """
    if to_stage not in STAGES:
        raise StageMoveRefused(N_("Unknown stage: %(stage)s."), {"stage": to_stage})
    if to_stage == application.stage:
        raise StageMoveRefused(N_("The application is already in this stage."))
    if to_stage not in TRANSITIONS[application.stage]:
        allowed = ", ".join(STAGES[s] for s in TRANSITIONS[application.stage])
        if allowed:
            raise StageMoveRefused(
                N_("An application cannot move from %(from)s to %(to)s. From here it can move to: %(allowed)s."),
                {"from": STAGES[application.stage], "to": STAGES[to_stage], "allowed": allowed},
            )
        raise StageMoveRefused(
            N_("An application cannot move from %(from)s to %(to)s; %(from)s is final."),
            {"from": STAGES[application.stage], "to": STAGES[to_stage]},
        )
    if to_stage == "rejected" and reason_code not in REJECTION_REASONS:
        raise StageMoveRefused(N_("A rejection needs a reason from the list."))
    if (
        to_stage == "granted"
        and amount_granted_ore is None
        and application.amount_granted_ore is None
        and application.amount_requested_ore is None
    ):
        raise StageMoveRefused(N_("Enter the amount granted."))
    if amount_granted_ore is not None and not 0 <= amount_granted_ore <= LARGEST_ORE:
        raise StageMoveRefused(N_("An amount is at most 100 billion kr."))
    return answers(
        events.moving, application, to_stage=to_stage, actor=actor, override_reason=override_reason, now=now or clock.now()
    )


def move_stage(
    application: Application,
    to_stage: str,
    *,
    actor,
    now: dt.datetime,
    reason: str = "",
    reason_code: str = "",
    amount_granted_ore: int | None = None,
    decided_on: dt.date | None = None,
    override_reason: str = "",
) -> StageChange:
    """Move to `to_stage` if the pipeline allows it, recording who, when and why; the domains above do the rest."""
    notes = check_move(
        application,
        to_stage,
        reason_code=reason_code,
        amount_granted_ore=amount_granted_ore,
        actor=actor,
        override_reason=override_reason,
        now=now,
    )
    for note in notes:
        reason_code = note.params.get("reason_code", reason_code)
        reason = note.params.get("reason", reason)
    day = decided_on or clock.to_local(now).date()
    if decided_on is not None:
        errors: dict = {}
        check_day(errors, "decided_on", decided_on)
        if errors:
            raise ValidationError(errors)
    values: dict = {"stage": to_stage, "stage_changed_at": now}
    if to_stage == "submitted":
        values["submitted_on"] = application.submitted_on or day
    if to_stage in ("granted", "rejected", "withdrawn"):
        values["decided_on"] = day
    if to_stage == "granted":
        if amount_granted_ore is not None:
            values["amount_granted_ore"] = amount_granted_ore
        elif application.amount_granted_ore is None:
            values["amount_granted_ore"] = application.amount_requested_ore
    return _record_move(
        application, to_stage, values, actor=actor, now=now, day=day, reason=reason, reason_code=reason_code, action="move"
    )


def _record_move(application, to_stage, values, *, actor, now, day, reason, action, reason_code="", **told) -> StageChange:
    """Save a stage change with its history row and audit entry, and tell the listeners."""
    from_stage = application.stage
    with db.atomic():
        change = StageChange.create(
            application=application,
            from_stage=from_stage,
            to_stage=to_stage,
            actor=actor,
            changed_at=now,
            reason=(reason or "").strip(),
            reason_code=reason_code,
        )
        explained = {"reason": [None, reason.strip()]} if (reason or "").strip() else {}
        if reason_code in REJECTION_REASONS:
            explained["reason_code"] = [None, reason_code]
        audit.save_changes(application, values, actor=actor, now=now, action=action, extra=explained)
        events.moved.send(application, from_stage=from_stage, to_stage=to_stage, on=day, actor=actor, now=now, **told)
    return change


# Where a final stage goes back to when its history does not say (an imported application, say).
REOPEN_TO = {"rejected": "submitted", "withdrawn": "drafting", "closed": "reporting"}


def reopen(application: Application, *, actor, now: dt.datetime, reason: str = "") -> StageChange:
    """Take an application out of a final stage, back to the stage it came from, kept in the history.

    The views let a fundraiser do it, and anyone undo their own withdrawal. The decision day of a rejection or
    withdrawal is cleared, and what the final stage settled (the expected decision, the open deadlines of a
    withdrawal) is opened again."""
    if application.stage not in REOPEN_TO:
        raise StageMoveRefused(N_("Only a final stage can be reopened."))
    came_from = (
        StageChange.select(StageChange.from_stage)
        .where((StageChange.application == application) & (StageChange.to_stage == application.stage))
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .scalar()
    )
    from_stage, since = application.stage, application.stage_changed_at
    to_stage = came_from if came_from and came_from not in REOPEN_TO else REOPEN_TO[from_stage]
    values: dict = {"stage": to_stage, "stage_changed_at": now}
    if from_stage in ("rejected", "withdrawn"):
        values["decided_on"] = None
    return _record_move(
        application,
        to_stage,
        values,
        actor=actor,
        now=now,
        day=clock.to_local(now).date(),
        reason=reason,
        action="reopen",
        reopened_since=since,
    )


def record_money_received(application: Application, on: dt.date, *, actor, now: dt.datetime) -> None:
    """The granted money has arrived; a fee triggered by the money falls due."""
    errors: dict = {}
    if application.stage not in WON_STAGES:
        errors["money_received_on"] = N_("Only a granted application receives money.")
    check_day(errors, "money_received_on", on)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(application, {"money_received_on": on}, actor=actor, now=now, action="money_received")
        events.money_received.send(application, on=on, actor=actor, now=now)


def record_reclaim(
    application: Application, amount_ore: int, on: dt.date, *, reason: str, actor, now: dt.datetime
) -> list[Notice]:
    """The funder takes money back: the grant counts net of it; returns what the domains above did about it."""
    errors: dict = {}
    if application.stage not in WON_STAGES:
        errors["amount"] = N_("Only a granted application can have money reclaimed.")
    elif amount_ore is None or amount_ore <= 0:
        errors["amount"] = N_("Give the amount reclaimed.")
    elif application.reclaimed_ore + amount_ore > (application.amount_granted_ore or 0):
        errors["amount"] = N_("More cannot be reclaimed than was granted.")
    check_day(errors, "reclaimed_on", on)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(
            application,
            {"reclaimed_ore": application.reclaimed_ore + amount_ore, "reclaimed_on": on},
            actor=actor,
            now=now,
            action="reclaim",
        )
        StageChange.create(
            application=application,
            from_stage=application.stage,
            to_stage=application.stage,
            actor=actor,
            changed_at=now,
            reason_code="reclaimed",
            reason=reason.strip(),
        )
        entry = Reclaim.create(
            application=application, amount_ore=amount_ore, reclaimed_on=on, reason=reason.strip(), actor=actor, created_at=now
        )
        audit.record_create(actor, entry, now)
        return answers(events.reclaimed, application, amount_ore=amount_ore, on=on, actor=actor, now=now)


def days_in_stage(application: Application, now: dt.datetime) -> int:
    """Whole days since the last stage move: how long a card has stood still."""
    return max(0, (now - application.stage_changed_at).days)


def stage_history(application: Application):
    """Every stage move of the application, oldest first, with who made it."""
    return list(
        StageChange.select(StageChange, User)
        .join(User, JOIN.LEFT_OUTER)
        .where(StageChange.application == application)
        .order_by(StageChange.changed_at, StageChange.id)
    )


def stage_durations(history: list[StageChange], now: dt.datetime) -> list[tuple[StageChange, int]]:
    """Each history entry with the whole days the application then stayed in that stage."""
    moves = [change for change in history if change.reason_code != "reclaimed"]
    durations = []
    for index, change in enumerate(moves):
        until = moves[index + 1].changed_at if index + 1 < len(moves) else now
        durations.append((change, max(0, (until - change.changed_at).days)))
    return durations


def stage_counts(query) -> dict[str, int]:
    """How many applications of `query` are in each stage, counted in one SQL query."""
    rows = query.select(Application.stage, fn.COUNT(Application.id).alias("n")).group_by(Application.stage).order_by().dicts()
    counts = {stage: 0 for stage in STAGES}
    for row in rows:
        counts[row["stage"]] = row["n"]
    return counts


# The list and the board.


@dataclass
class ListFilters:
    """The list's and the board's own filters; `conditions` are those the domains above add."""

    organisation_id: int | None = None
    funder_id: int | None = None
    funder_name: str = ""
    owner_id: int | None = None
    stage: str = ""
    text: str = ""
    conditions: list = field(default_factory=list)


SORTS = {
    "title": Application.title,
    "organisation": Organisation.name,
    "funder": Funder.name,
    "stage": Application.stage,
    "requested": Application.amount_requested_ore,
    "granted": Application.amount_granted_ore,
    "updated": Application.updated_at,
}
DESCENDING_FIRST = ("updated", "requested", "granted")
BOARD_STAGES = ("idea", "drafting", "submitted", "granted", "reporting")
FINAL_STAGES = ("rejected", "withdrawn", "closed")
BOARD_CARDS = 50
FINAL_CARDS = 10
# A card needs only these: selecting less keeps a full board cheap.
CARD_FIELDS = (
    Application.id,
    Application.title,
    Application.stage,
    Application.stage_changed_at,
    Application.amount_requested_ore,
    Application.amount_granted_ore,
    Organisation.id,
    Organisation.name,
    Funder.id,
    Funder.name,
)


def filtered(user, filters: ListFilters):
    """The applications `user` may see that pass every filter."""
    query = visible_applications(user)
    if filters.organisation_id is not None:  # the organisation's own applications and the joint ones it is part of
        query = query.where(shares.involves(filters.organisation_id))
    if filters.funder_id is not None:
        query = query.where(Application.funder == filters.funder_id)
    if filters.funder_name:
        query = query.where(
            Application.funder.in_(Funder.select(Funder.id).where(folded_contains(Funder.name, filters.funder_name)))
        )
    if filters.owner_id is not None:
        query = query.where(Application.owner == filters.owner_id)
    if filters.stage:
        query = query.where(Application.stage == filters.stage)
    if filters.text:
        query = query.where(folded_contains(Application.title, filters.text) | folded_contains(Application.purpose, filters.text))
    for condition in filters.conditions:
        query = query.where(condition)
    return query


def listed(user, filters: ListFilters, *, sort: str, descending: bool, extra_sorts: dict | None = None):
    """The list's rows with their organisation and funder, in the order asked for (a sort another domain
    offers, such as the next deadline, comes in `extra_sorts`)."""
    query = (
        filtered(user, filters)
        .select(Application, Organisation, Funder)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .switch(Application)
    )
    column = (extra_sorts or {}).get(sort) or SORTS.get(sort, Application.updated_at)
    order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    return query.order_by(order, Application.id.desc())


def board(user, filters: ListFilters) -> tuple[dict[str, int], dict[str, list]]:
    """Counts per stage, and each stage's most recently moved cards (one query per stage, whatever the size)."""
    base = filtered(user, filters)
    counts = stage_counts(base)
    columns = {}
    for stage in BOARD_STAGES + FINAL_STAGES:
        limit = BOARD_CARDS if stage in BOARD_STAGES else FINAL_CARDS
        columns[stage] = list(
            base.select(*CARD_FIELDS)
            .join(Organisation)
            .switch(Application)
            .join(Funder)
            .where(Application.stage == stage)
            .order_by(Application.stage_changed_at.desc(), Application.id.desc())
            .limit(limit)
        )
    return counts, columns


def possible_owners():
    """The people an application may be owned by: active fundraisers."""
    return User.select().where((User.role == "fundraiser") & User.active).order_by(User.name)
