"""Adding, changing, completing and listing deadlines, and the deadlines that follow from what happens to
an application: its submission deadline when it is made, the reports owed after a grant, and the ones a
submission, a decision or a withdrawal settles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import NodeList, fn

from fundtrack import clock
from fundtrack.applications import events as application_events
from fundtrack.applications import shares
from fundtrack.applications.models import Application
from fundtrack.applications.services import StageMoveRefused, changeable_applications
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.deadlines import events
from fundtrack.deadlines.models import DEADLINE_KINDS, REPORT_KINDS, Deadline
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.periods import months_after
from fundtrack.search.index import folded_contains
from fundtrack.validation import ValidationError, check_day

DEFAULT_PROJECT_MONTHS = 12
SUBMITTED_STAGES = ("submitted", "granted", "rejected", "withdrawn", "reporting", "closed")


def visible_deadlines(user):
    """Live deadlines of the applications the user may see (a member's: its organisation's own and its joint
    applications), with application, organisation and funder joined."""
    query = (
        Deadline.select(Deadline, Application, Organisation, Funder)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Deadline.deleted_at.is_null())
    )
    if user.is_member:
        query = query.where(shares.involves(user.organisation_id))
    return query


def changeable_deadlines(user):
    """The live deadlines `user` may change: those of the applications they may change."""
    return Deadline.select().where(
        Deadline.deleted_at.is_null() & Deadline.application.in_(changeable_applications(user).select(Application.id))
    )


def _validated(kind: str, due_on, title: str) -> None:
    errors: dict = {}
    if kind not in DEADLINE_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if due_on is None:
        errors["due_on"] = N_("This field is required.")
    check_day(errors, "due_on", due_on)
    if kind == "custom" and not (title or "").strip():
        errors["title"] = N_("A deadline of kind 'other' needs a title.")
    if errors:
        raise ValidationError(errors)


def add_deadline(
    application: Application,
    kind: str,
    due_on: dt.date,
    *,
    actor=None,
    now: dt.datetime,
    title: str = "",
    due_at: dt.datetime | None = None,
    notes: str = "",
) -> Deadline:
    """A new deadline of an application, on the record."""
    _validated(kind, due_on, title)
    with db.atomic():
        deadline = Deadline.create(
            application=application,
            kind=kind,
            title=(title or "").strip(),
            due_on=due_on,
            due_at=due_at,
            notes=(notes or "").strip(),
            created_at=now,
            updated_at=now,
        )
        audit.record_create(actor, deadline, now)
        events.changed.send(deadline, action="create", actor=actor, now=now)
    return deadline


def update_deadline(
    deadline: Deadline,
    *,
    kind: str,
    due_on: dt.date,
    title: str = "",
    due_at: dt.datetime | None = None,
    notes: str = "",
    actor=None,
    now: dt.datetime,
) -> Deadline:
    """Change a deadline; a new date, time or title raises its sequence so that calendars see the change."""
    _validated(kind, due_on, title)
    title = (title or "").strip()
    values = {"kind": kind, "due_on": due_on, "due_at": due_at, "title": title, "notes": (notes or "").strip()}
    moved = (deadline.due_on, deadline.due_at, deadline.title, deadline.kind) != (due_on, due_at, title, kind)
    with db.atomic():
        if moved:
            values.update(sequence=deadline.sequence + 1, alerts_planned_on=None)  # reminders planned afresh
        if audit.save_changes(deadline, values, actor=actor, now=now):
            events.changed.send(deadline, action="update", actor=actor, now=now)
    return deadline


def complete_deadline(deadline: Deadline, *, actor, now: dt.datetime) -> None:
    """Mark a deadline done: it stays in the calendars, marked done (a new sequence, so that they show it)."""
    if deadline.done_at is not None:
        return
    with db.atomic():
        audit.save_changes(
            deadline,
            {"done_at": now, "done_on": clock.to_local(now).date(), "done_by": actor, "sequence": deadline.sequence + 1},
            actor=actor,
            now=now,
            action="complete",
        )
        events.changed.send(deadline, action="complete", actor=actor, now=now)


def reopen_deadline(deadline: Deadline, *, actor=None, now: dt.datetime) -> None:
    """Open a completed deadline again; its reminders are planned afresh."""
    with db.atomic():
        audit.save_changes(
            deadline,
            {"done_at": None, "done_on": None, "done_by": None, "alerts_planned_on": None, "sequence": deadline.sequence + 1},
            actor=actor,
            now=now,
            action="reopen",
        )
        events.changed.send(deadline, action="reopen", actor=actor, now=now)


def delete_deadline(deadline: Deadline, *, actor=None, now: dt.datetime) -> None:
    """Remove a deadline from every list; it is kept, marked, so calendars can cancel the event."""
    with db.atomic():
        audit.save_changes(
            deadline, {"deleted_at": now, "sequence": deadline.sequence + 1}, actor=actor, now=now, action="delete"
        )
        events.changed.send(deadline, action="delete", actor=actor, now=now)


def restore_deadline(deadline: Deadline, *, actor=None, now: dt.datetime) -> None:
    """Take a removal back: the deadline is in every list and calendar again, its reminders planned afresh."""
    with db.atomic():
        audit.save_changes(
            deadline,
            {"deleted_at": None, "alerts_planned_on": None, "sequence": deadline.sequence + 1},
            actor=actor,
            now=now,
            action="restore",
        )
        events.changed.send(deadline, action="restore", actor=actor, now=now)


def complete_open(application: Application, kinds, *, actor, now: dt.datetime) -> int:
    """Mark the application's open deadlines of `kinds` done (e.g. the submission deadline once submitted)."""
    open_ones = list(
        Deadline.select().where(
            (Deadline.application == application)
            & Deadline.kind.in_(list(kinds))
            & Deadline.done_at.is_null()
            & Deadline.deleted_at.is_null()
        )
    )
    for deadline in open_ones:
        deadline.application = application
        complete_deadline(deadline, actor=actor, now=now)
    return len(open_ones)


def report_deadline_dates(application: Application, funder: Funder, decided_on: dt.date) -> dict[str, dt.date]:
    """When the reports of a grant fall due, from the funder's defaults and the project period.

    Interim: `interim_report_months` after the project starts (none when the funder sets none).
    Final: `final_report_months` (3 when unset) after the project ends; a project without an end
    date is taken to last a year from its start, or from the decision.
    """
    start = application.project_start_on or decided_on
    end = application.project_end_on or months_after(start, DEFAULT_PROJECT_MONTHS)
    dates = {}
    if funder.interim_report_months:
        dates["interim_report"] = months_after(start, funder.interim_report_months)
    final_months = funder.final_report_months if funder.final_report_months is not None else 3
    dates["final_report"] = months_after(end, final_months)
    return dates


def create_report_deadlines(application: Application, decided_on: dt.date, *, actor=None, now: dt.datetime) -> list[Deadline]:
    """The report deadlines owed after a grant, unless the application already has open ones of that kind."""
    existing = {
        d.kind for d in application.deadlines.where(Deadline.deleted_at.is_null() & Deadline.kind.in_(list(REPORT_KINDS)))
    }
    created = []
    for kind, due_on in report_deadline_dates(application, application.funder, decided_on).items():
        if kind not in existing:
            created.append(add_deadline(application, kind, due_on, actor=actor, now=now))
    return created


def open_reports(application: Application) -> int:
    """How many reports the application still owes: it cannot be closed while any is open."""
    return (
        Deadline.select()
        .where(
            (Deadline.application == application)
            & Deadline.kind.in_(list(REPORT_KINDS))
            & Deadline.done_at.is_null()
            & Deadline.deleted_at.is_null()
        )
        .count()
    )


def upcoming(user, today: dt.date, limit: int | None = 10):
    """The next open deadlines from today on, earliest first (one query, whatever the data size)."""
    return (
        visible_deadlines(user)
        .where(Deadline.done_at.is_null() & (Deadline.due_on >= today))
        .order_by(Deadline.due_on, Deadline.due_at, Deadline.id)
        .limit(limit)
    )


def overdue(user, today: dt.date):
    """Open deadlines whose date has passed."""
    return (
        visible_deadlines(user)
        .where(Deadline.done_at.is_null() & (Deadline.due_on < today))
        .order_by(Deadline.due_on, Deadline.id)
    )


def next_open_by_application(application_ids) -> dict[int, Deadline]:
    """The earliest open deadline of each application, in one query."""
    ids = list(application_ids)
    if not ids:
        return {}
    rows = (
        Deadline.select()
        .where(Deadline.application.in_(ids) & Deadline.done_at.is_null() & Deadline.deleted_at.is_null())
        .order_by(Deadline.application, Deadline.due_on, Deadline.id)
    )
    first: dict[int, Deadline] = {}
    for deadline in rows:
        first.setdefault(deadline.application_id, deadline)
    return first


def next_due_on():
    """SQL: an application's earliest open deadline (a correlated subquery, to sort the list by)."""
    inner = Deadline.alias("next_open")
    return NodeList(
        (
            inner.select(fn.MIN(inner.due_on)).where(
                (inner.application == Application.id) & inner.done_at.is_null() & inner.deleted_at.is_null()
            ),
        )
    )


@dataclass(frozen=True)
class DeadlineFilters:
    """What the deadline list is narrowed to: words, a kind, an organisation, an owner, a window, mine."""

    text: str = ""
    kind: str = ""
    organisation_id: int | None = None
    owner_id: int | None = None
    window: str = ""  # "overdue", or a number of days ahead
    mine: bool = False


def open_deadlines(user, today: dt.date, filters: DeadlineFilters):
    """The open deadlines the user may see, narrowed by `filters`, the overdue ones first (by date)."""
    query = visible_deadlines(user).where(Deadline.done_at.is_null())
    if filters.text:
        query = query.where(
            folded_contains(Application.title, filters.text)
            | folded_contains(Deadline.title, filters.text)
            | folded_contains(Organisation.name, filters.text)
            | folded_contains(Funder.name, filters.text)
        )
    if filters.kind:
        query = query.where(Deadline.kind == filters.kind)
    if filters.organisation_id:
        query = query.where(Application.organisation == filters.organisation_id)
    if filters.owner_id:
        query = query.where(Application.owner == filters.owner_id)
    if filters.mine:
        query = query.where(Application.owner == user.id)
    if filters.window == "overdue":
        query = query.where(Deadline.due_on < today)
    elif filters.window:
        query = query.where(Deadline.due_on.between(today, today + dt.timedelta(days=int(filters.window))))
    return query.order_by(Deadline.due_on, Deadline.due_at, Deadline.id)


def open_within(today: dt.date, days: int | None):
    """SQL: applications with an open deadline overdue (`days` None) or due within `days` from today."""
    window = Deadline.select(Deadline.application).where(Deadline.done_at.is_null() & Deadline.deleted_at.is_null())
    if days is None:
        window = window.where(Deadline.due_on < today)
    else:
        window = window.where(Deadline.due_on.between(today, today + dt.timedelta(days=days)))
    return Application.id.in_(window)


# What follows from an application's life.


@application_events.created.connect
def _submission_deadline(application, *, actor, now, submission, **rest):
    """A new application's submission deadline: the one it came with, else its round's next date.
    An application that is already past submission gets it done."""
    if submission is not None:
        deadline = add_deadline(
            application, "submission", submission.due_on, due_at=submission.due_at, title=submission.title, actor=actor, now=now
        )
    elif application.round_id:
        round_ = application.round
        upcoming_days = funder_services.next_dates(round_, clock.to_local(now).date(), 1)
        if not upcoming_days:
            return
        deadline = add_deadline(
            application,
            "submission",
            upcoming_days[0],
            actor=actor,
            now=now,
            title=round_.name,
            due_at=funder_services.deadline_moment(round_, upcoming_days[0], clock.local_zone()),
        )
    else:
        return
    if application.stage in SUBMITTED_STAGES:
        complete_deadline(deadline, actor=actor, now=now)


@application_events.moving.connect
def _reports_before_closing(application, *, to_stage, **rest):
    """An application cannot close while reports are still owed."""
    if to_stage == "closed":
        count = open_reports(application)
        if count:
            raise StageMoveRefused(
                N_("%(count)d report deadlines are still open: deliver or remove them first."), {"count": count}
            )


@application_events.moved.connect
def _after_move(application, *, to_stage, on, actor, now, reopened_since=None, **rest):
    """Submitting settles the submission; a decision settles its expected date; a withdrawal every open task;
    a grant brings the reports owed; reopening a final stage opens again what it settled."""
    if reopened_since is not None:
        settled = Deadline.select().where(
            (Deadline.application == application) & (Deadline.done_at == reopened_since) & Deadline.deleted_at.is_null()
        )
        for deadline in settled:
            reopen_deadline(deadline, actor=actor, now=now)
        return
    if to_stage == "submitted":
        complete_open(application, ("submission", "internal_draft"), actor=actor, now=now)
    if to_stage in ("granted", "rejected", "withdrawn"):
        complete_open(application, ("decision_expected",), actor=actor, now=now)
    if to_stage == "withdrawn":
        complete_open(application, ("submission", "internal_draft", "custom"), actor=actor, now=now)
    if to_stage == "granted":
        create_report_deadlines(application, on, actor=actor, now=now)
