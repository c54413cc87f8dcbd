"""Adding, changing, completing and listing deadlines, and the report deadlines a grant brings."""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from fundtrack.applications.models import Application
from fundtrack.deadlines.models import DEADLINE_KINDS, REPORT_KINDS, Deadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError

DEFAULT_PROJECT_MONTHS = 12


def visible_deadlines(user):
    """Live deadlines of the applications the user may see, with application, organisation and funder joined."""
    query = (Deadline.select(Deadline, Application, Organisation, Funder)
             .join(Application).join(Organisation).switch(Application).join(Funder)
             .where(Deadline.deleted_at.is_null()))
    if user.is_member:
        query = query.where(Application.organisation == user.organisation_id)
    return query


def _validated(kind: str, due_on, title: str) -> None:
    errors: dict = {}
    if kind not in DEADLINE_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if due_on is None:
        errors["due_on"] = N_("This field is required.")
    if kind == "custom" and not (title or "").strip():
        errors["title"] = N_("A deadline of kind 'other' needs a title.")
    if errors:
        raise ValidationError(errors)


def add_deadline(application: Application, kind: str, due_on: dt.date, *, now: dt.datetime,
                 title: str = "", due_at: dt.datetime | None = None, timezone: str = "Europe/Copenhagen",
                 notes: str = "") -> Deadline:
    _validated(kind, due_on, title)
    return Deadline.create(application=application, kind=kind, title=(title or "").strip(), due_on=due_on,
                           due_at=due_at, timezone=timezone, notes=notes, created_at=now, updated_at=now)


def update_deadline(deadline: Deadline, *, kind: str, due_on: dt.date, title: str = "",
                    due_at: dt.datetime | None = None, notes: str = "", now: dt.datetime) -> Deadline:
    """Change a deadline; a new date, time or title raises its sequence so that calendars see the change."""
    _validated(kind, due_on, title)
    title = (title or "").strip()
    moved = (deadline.due_on, deadline.due_at, deadline.title, deadline.kind) != (due_on, due_at, title, kind)
    deadline.kind, deadline.due_on, deadline.due_at, deadline.title, deadline.notes = kind, due_on, due_at, title, notes
    if moved:
        deadline.sequence += 1
        deadline.alerts_planned_on = None  # reminders are planned afresh for the new date
    deadline.updated_at = now
    deadline.save()
    return deadline


def complete_deadline(deadline: Deadline, *, actor, now: dt.datetime) -> None:
    if deadline.done_at is not None:
        return
    deadline.done_at = now
    deadline.done_by = actor
    deadline.updated_at = now
    deadline.save()


def reopen_deadline(deadline: Deadline, *, now: dt.datetime) -> None:
    deadline.done_at = None
    deadline.done_by = None
    deadline.alerts_planned_on = None
    deadline.updated_at = now
    deadline.save()


def delete_deadline(deadline: Deadline, *, now: dt.datetime) -> None:
    """Remove a deadline from every list; it is kept, marked, so calendars can cancel the event."""
    deadline.deleted_at = now
    deadline.updated_at = now
    deadline.sequence += 1
    deadline.save()


def complete_open(application: Application, kinds, *, actor, now: dt.datetime) -> int:
    """Mark the application's open deadlines of `kinds` done (e.g. the submission deadline once submitted)."""
    return (Deadline.update(done_at=now, done_by=actor, updated_at=now)
            .where((Deadline.application == application) & Deadline.kind.in_(list(kinds))
                   & Deadline.done_at.is_null() & Deadline.deleted_at.is_null())
            .execute())


def report_deadline_dates(application: Application, funder: Funder, decided_on: dt.date) -> dict[str, dt.date]:
    """When the reports of a grant fall due, from the funder's defaults and the project period.

    Interim: `interim_report_months` after the project starts (none when the funder sets none).
    Final: `final_report_months` (3 when unset) after the project ends; a project without an end
    date is taken to last a year from its start, or from the decision.
    """
    start = application.project_start_on or decided_on
    end = application.project_end_on or (start + relativedelta(months=DEFAULT_PROJECT_MONTHS))
    dates = {}
    if funder.interim_report_months:
        dates["interim_report"] = start + relativedelta(months=funder.interim_report_months)
    final_months = funder.final_report_months if funder.final_report_months is not None else 3
    dates["final_report"] = end + relativedelta(months=final_months)
    return dates


def create_report_deadlines(application: Application, decided_on: dt.date, *, now: dt.datetime) -> list[Deadline]:
    """The report deadlines owed after a grant, unless the application already has open ones of that kind."""
    existing = {d.kind for d in application.deadlines.where(Deadline.deleted_at.is_null()
                                                            & Deadline.kind.in_(list(REPORT_KINDS)))}
    created = []
    for kind, due_on in report_deadline_dates(application, application.funder, decided_on).items():
        if kind not in existing:
            created.append(add_deadline(application, kind, due_on, now=now))
    return created


def upcoming(user, today: dt.date, limit: int | None = 10):
    """The next open deadlines from today on, earliest first (one query, whatever the data size)."""
    return (visible_deadlines(user)
            .where(Deadline.done_at.is_null() & (Deadline.due_on >= today))
            .order_by(Deadline.due_on, Deadline.due_at, Deadline.id).limit(limit))


def overdue(user, today: dt.date):
    """Open deadlines whose date has passed."""
    return (visible_deadlines(user)
            .where(Deadline.done_at.is_null() & (Deadline.due_on < today))
            .order_by(Deadline.due_on, Deadline.id))


def is_overdue(deadline: Deadline, today: dt.date) -> bool:
    return deadline.done_at is None and deadline.deleted_at is None and deadline.due_on < today


def next_open_by_application(application_ids) -> dict[int, Deadline]:
    """The earliest open deadline of each application, in one query."""
    ids = list(application_ids)
    if not ids:
        return {}
    rows = (Deadline.select().where(Deadline.application.in_(ids) & Deadline.done_at.is_null()
                                     & Deadline.deleted_at.is_null())
            .order_by(Deadline.application, Deadline.due_on, Deadline.id))
    first: dict[int, Deadline] = {}
    for deadline in rows:
        first.setdefault(deadline.application_id, deadline)
    return first
