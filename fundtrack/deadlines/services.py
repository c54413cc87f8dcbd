"""Adding, completing and listing deadlines."""
from __future__ import annotations

import datetime as dt

from fundtrack.applications.models import Application
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError


def visible_deadlines(user):
    """Deadlines of the applications the user may see, with application, organisation and funder joined."""
    query = (Deadline.select(Deadline, Application, Organisation, Funder)
             .join(Application).join(Organisation).switch(Application).join(Funder))
    if user.is_member:
        query = query.where(Application.organisation == user.organisation_id)
    return query


def add_deadline(application: Application, kind: str, due_on: dt.date, *, now: dt.datetime,
                 title: str = "", due_at: dt.datetime | None = None, timezone: str = "Europe/Copenhagen",
                 notes: str = "") -> Deadline:
    errors: dict = {}
    if kind not in DEADLINE_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    if due_on is None:
        errors["due_on"] = N_("This field is required.")
    if kind == "custom" and not title.strip():
        errors["title"] = N_("A deadline of kind 'other' needs a title.")
    if errors:
        raise ValidationError(errors)
    return Deadline.create(application=application, kind=kind, title=title.strip(), due_on=due_on, due_at=due_at,
                           timezone=timezone, notes=notes, created_at=now, updated_at=now)


def complete_deadline(deadline: Deadline, *, actor, now: dt.datetime) -> None:
    deadline.done_at = now
    deadline.done_by = actor
    deadline.updated_at = now
    deadline.save()


def upcoming(user, today: dt.date, limit: int = 10):
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
    return deadline.done_at is None and deadline.due_on < today
