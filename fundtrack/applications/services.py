"""Applications: creating them, moving them through their stages, and what each move sets going.

A move is checked against the pipeline (TRANSITIONS) before anything is written. Its effects
happen in the same transaction: submission deadlines are done once submitted, a grant creates
the report deadlines and may make the success fee due, a withdrawal closes open deadlines.
"""
from __future__ import annotations

import datetime as dt

from peewee import fn

from fundtrack import clock
from fundtrack.applications.models import (
    REJECTION_REASONS,
    STAGES,
    TRANSITIONS,
    WON_STAGES,
    Application,
    StageChange,
)
from fundtrack.audit import services as audit
from fundtrack.checklists import services as checklists
from fundtrack.db import db
from fundtrack.deadlines import services as deadlines
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.fees import services as fees
from fundtrack.funders import services as funders
from fundtrack.i18n_markers import N_
from fundtrack.validation import ValidationError, require

APPLICATION_FIELDS = (
    "organisation", "funder", "round", "title", "purpose", "amount_requested_ore", "amount_granted_ore", "owner",
    "project_start_on", "project_end_on", "cosigned_on", "cosigned_by", "notes",
)


class StageMoveRefused(Exception):
    """A stage move that the pipeline does not allow; the message says why (and `missing` lists the
    checklist items that stand in the way of a submission)."""

    def __init__(self, message: str, params: dict | None = None, missing: list | None = None):
        self.message = message
        self.params = params or {}
        self.missing = missing or []
        super().__init__(message % self.params if self.params else message)


def visible_applications(user):
    """Members see their own organisation's applications; fundraisers and viewers see all."""
    query = Application.select()
    if user.is_member:
        query = query.where(Application.organisation == user.organisation_id)
    return query


def validate_application(data: dict) -> dict:
    """The cleaned values of an application, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    require(errors, "organisation", data.get("organisation"))
    require(errors, "funder", data.get("funder"))
    require(errors, "title", data.get("title"))
    for field in ("amount_requested_ore", "amount_granted_ore"):
        value = data.get(field)
        if value is not None and value < 0:
            errors[field] = N_("An amount cannot be negative.")
    start, end = data.get("project_start_on"), data.get("project_end_on")
    if start and end and end < start:
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


def create_application(data: dict, *, actor, now: dt.datetime) -> Application:
    """A new application (in `idea` unless a stage is given) with its first history entry.

    Created from a round, it takes the round's funder and gets the round's next date as its submission deadline.
    """
    data = dict(data)
    round_ = data.get("round")
    if round_ is not None and data.get("funder") is None:
        data["funder"] = round_.funder
    values = validate_application(data)
    stage = data.get("stage", "idea")
    if stage not in STAGES:
        raise ValidationError({"stage": N_("Unknown stage.")})
    with db.atomic():
        application = Application.create(**values, stage=stage, stage_changed_at=now, created_at=now, updated_at=now)
        StageChange.create(application=application, from_stage=None, to_stage=stage, actor=actor, changed_at=now,
                           reason=data.get("history_note", ""))
        if round_ is not None:
            today = clock.to_local(now).date()
            upcoming = funders.next_dates(round_, today, 1)
            if upcoming:
                deadlines.add_deadline(application, "submission", upcoming[0], now=now,
                                       due_at=funders.deadline_moment(round_, upcoming[0], clock.local_zone()),
                                       title=round_.name)
        audit.record_create(actor, application, now)
    return application


def update_application(application: Application, data: dict, *, actor, now: dt.datetime) -> Application:
    merged = {key: getattr(application, key) for key in APPLICATION_FIELDS}
    merged.update({key: value for key, value in data.items() if key in APPLICATION_FIELDS})
    values = validate_application(merged)
    with db.atomic():
        audit.save_changes(application, values, actor=actor, now=now)
    return application


def allowed_moves(application: Application) -> tuple[str, ...]:
    return TRANSITIONS[application.stage]


def check_move(application: Application, to_stage: str, *, reason_code: str = "",
               amount_granted_ore: int | None = None, actor=None, override_reason: str = "",
               now: dt.datetime | None = None) -> None:
    """Raise StageMoveRefused unless `to_stage` may follow now, with what that stage needs.

    Submission is gated by the change-theory checklist: every required item settled, unless a
    fundraiser overrides with a reason (which the history keeps).
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
                {"from": STAGES[application.stage], "to": STAGES[to_stage], "allowed": allowed})
        raise StageMoveRefused(N_("An application cannot move from %(from)s to %(to)s; %(from)s is final."),
                               {"from": STAGES[application.stage], "to": STAGES[to_stage]})
    if to_stage == "rejected" and reason_code not in REJECTION_REASONS:
        raise StageMoveRefused(N_("A rejection needs a reason from the list."))
    if to_stage == "granted" and amount_granted_ore is None and application.amount_granted_ore is None \
            and application.amount_requested_ore is None:
        raise StageMoveRefused(N_("Enter the amount granted."))
    if to_stage == "submitted":
        missing = checklists.missing_items(application, now=now or clock.now())
        if missing and not (override_reason.strip() and actor is not None and actor.is_fundraiser):
            raise StageMoveRefused(N_("The checklist is not complete: %(count)d required items are missing."),
                                   {"count": len(missing)}, missing=missing)
    if to_stage == "closed":
        open_reports = (Deadline.select().where((Deadline.application == application)
                                                & Deadline.kind.in_(list(REPORT_KINDS))
                                                & Deadline.done_at.is_null() & Deadline.deleted_at.is_null()).count())
        if open_reports:
            raise StageMoveRefused(N_("%(count)d report deadlines are still open: deliver or remove them first."),
                                   {"count": open_reports})


def move_stage(application: Application, to_stage: str, *, actor, now: dt.datetime, reason: str = "",
               reason_code: str = "", amount_granted_ore: int | None = None,
               decided_on: dt.date | None = None, override_reason: str = "") -> StageChange:
    """Move to `to_stage` if the pipeline allows it, recording who, when and why, with the move's effects."""
    check_move(application, to_stage, reason_code=reason_code, amount_granted_ore=amount_granted_ore, actor=actor,
               override_reason=override_reason, now=now)
    if to_stage == "submitted" and override_reason.strip() and checklists.missing_items(application, now=now):
        reason_code = "checklist_override"
        reason = override_reason.strip()
    today = decided_on or clock.to_local(now).date()
    with db.atomic():
        change = StageChange.create(
            application=application, from_stage=application.stage, to_stage=to_stage,
            actor=actor, changed_at=now, reason=(reason or "").strip(), reason_code=reason_code,
        )
        application.stage = to_stage
        application.stage_changed_at = now
        application.updated_at = now
        if to_stage == "submitted":
            application.submitted_on = application.submitted_on or today
            deadlines.complete_open(application, ("submission", "internal_draft"), actor=actor, now=now)
        if to_stage in ("granted", "rejected", "withdrawn"):
            application.decided_on = today
            deadlines.complete_open(application, ("decision_expected",), actor=actor, now=now)
        if to_stage == "withdrawn":
            deadlines.complete_open(application, ("submission", "internal_draft", "custom"), actor=actor, now=now)
        if to_stage == "granted":
            if amount_granted_ore is not None:
                application.amount_granted_ore = amount_granted_ore
            elif application.amount_granted_ore is None:
                application.amount_granted_ore = application.amount_requested_ore
        application.save()
        if to_stage == "granted":
            deadlines.create_report_deadlines(application, today, now=now)
            fees.on_trigger(application, actor=actor, now=now)
    return change


def record_money_received(application: Application, on: dt.date, *, actor, now: dt.datetime) -> None:
    """The granted money has arrived; a fee triggered by the money falls due."""
    if application.stage not in WON_STAGES:
        raise ValidationError({"money_received_on": N_("Only a granted application receives money.")})
    with db.atomic():
        audit.save_changes(application, {"money_received_on": on}, actor=actor, now=now)
        fees.on_trigger(application, actor=actor, now=now)


def record_reclaim(application: Application, amount_ore: int, on: dt.date, *, reason: str, actor,
                   now: dt.datetime) -> int:
    """The funder takes money back: the grant counts net of it, and the fee is clawed back to match."""
    errors: dict = {}
    if application.stage not in WON_STAGES:
        errors["amount"] = N_("Only a granted application can have money reclaimed.")
    elif amount_ore is None or amount_ore <= 0:
        errors["amount"] = N_("Give the amount reclaimed.")
    elif application.reclaimed_ore + amount_ore > (application.amount_granted_ore or 0):
        errors["amount"] = N_("More cannot be reclaimed than was granted.")
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(application, {"reclaimed_ore": application.reclaimed_ore + amount_ore, "reclaimed_on": on},
                           actor=actor, now=now)
        StageChange.create(application=application, from_stage=application.stage, to_stage=application.stage,
                           actor=actor, changed_at=now, reason_code="reclaimed", reason=reason.strip())
        return fees.apply_clawback(application, on=on, actor=actor, now=now)


def days_in_stage(application: Application, now: dt.datetime) -> int:
    return max(0, (now - application.stage_changed_at).days)


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
    rows = (query.select(Application.stage, fn.COUNT(Application.id).alias("n"))
            .group_by(Application.stage).order_by().dicts())
    counts = {stage: 0 for stage in STAGES}
    for row in rows:
        counts[row["stage"]] = row["n"]
    return counts
