"""Creating applications and moving them through their stages."""
from __future__ import annotations

import datetime as dt

from fundtrack import clock
from fundtrack.applications.models import STAGES, TRANSITIONS, Application, StageChange
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.validation import ValidationError, require

APPLICATION_FIELDS = (
    "organisation", "funder", "title", "purpose", "amount_requested_ore", "amount_granted_ore", "owner",
    "project_start_on", "project_end_on", "cosigned_on", "cosigned_by", "notes",
)


class StageMoveRefused(Exception):
    """A stage move that the pipeline does not allow; the message says why."""

    def __init__(self, message: str, params: dict | None = None):
        self.message = message
        self.params = params or {}
        super().__init__(message % self.params if self.params else message)


def visible_applications(user):
    """Members see their own organisation's applications; fundraisers and viewers see all."""
    query = Application.select()
    if user.is_member:
        query = query.where(Application.organisation == user.organisation_id)
    return query


def _validated(data: dict) -> dict:
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
    if errors:
        raise ValidationError(errors)
    values = {key: data[key] for key in APPLICATION_FIELDS if key in data}
    values["title"] = values["title"].strip()
    return values


def create_application(data: dict, *, actor, now: dt.datetime) -> Application:
    """A new application in the `idea` stage (or the stage given), with its first history entry."""
    values = _validated(data)
    stage = data.get("stage", "idea")
    if stage not in STAGES:
        raise ValidationError({"stage": N_("Unknown stage.")})
    with db.atomic():
        application = Application.create(**values, stage=stage, stage_changed_at=now, created_at=now, updated_at=now)
        StageChange.create(application=application, from_stage=None, to_stage=stage, actor=actor, changed_at=now)
        audit.record_create(actor, application, now)
    return application


def update_application(application: Application, data: dict, *, actor, now: dt.datetime) -> Application:
    merged = {key: getattr(application, key) for key in APPLICATION_FIELDS}
    merged.update({key: value for key, value in data.items() if key in APPLICATION_FIELDS})
    values = _validated(merged)
    with db.atomic():
        before = audit.snapshot(application, list(APPLICATION_FIELDS))
        for key, value in values.items():
            setattr(application, key, value)
        application.updated_at = now
        application.save()
        audit.record_update(actor, application, before, now)
    return application


def check_move(application: Application, to_stage: str) -> None:
    """Raise StageMoveRefused unless `to_stage` may follow the application's stage."""
    if to_stage not in STAGES:
        raise StageMoveRefused(N_("Unknown stage: %(stage)s."), {"stage": to_stage})
    if to_stage == application.stage:
        raise StageMoveRefused(N_("The application is already in this stage."))
    if to_stage not in TRANSITIONS[application.stage]:
        raise StageMoveRefused(
            N_("An application cannot move from %(from)s to %(to)s."),
            {"from": STAGES[application.stage], "to": STAGES[to_stage]},
        )


def move_stage(application: Application, to_stage: str, *, actor, now: dt.datetime,
               reason: str = "", reason_code: str = "", amount_granted_ore: int | None = None) -> StageChange:
    """Move to `to_stage` if the pipeline allows it, recording who, when and why."""
    check_move(application, to_stage)
    today = clock.to_local(now).date()
    with db.atomic():
        change = StageChange.create(
            application=application, from_stage=application.stage, to_stage=to_stage,
            actor=actor, changed_at=now, reason=reason, reason_code=reason_code,
        )
        application.stage = to_stage
        application.stage_changed_at = now
        application.updated_at = now
        if to_stage == "submitted" and application.submitted_on is None:
            application.submitted_on = today
        if to_stage in ("granted", "rejected", "withdrawn"):
            application.decided_on = today
        if to_stage == "granted" and amount_granted_ore is not None:
            application.amount_granted_ore = amount_granted_ore
        application.save()
    return change


def stage_counts(query) -> dict[str, int]:
    """How many applications of `query` are in each stage, counted in one SQL query."""
    from peewee import fn

    rows = (query.select(Application.stage, fn.COUNT(Application.id).alias("n"))
            .group_by(Application.stage).order_by(None).dicts())
    counts = {stage: 0 for stage in STAGES}
    for row in rows:
        counts[row["stage"]] = row["n"]
    return counts
