"""Tasks: who does what by when. A task is assigned to a user or to a contact without a login (who is
reached by e-mail and ticks it off from the link in it). Templates add the usual tasks to each new deadline
of their kind, due a number of days before it, and move them when the deadline moves. Every change is on
the record.
"""

from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature, URLSafeTimedSerializer
from peewee import JOIN, fn

from fundtrack.applications.models import Application
from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.contacts.models import Contact
from fundtrack.db import db
from fundtrack.deadlines import events as deadline_events
from fundtrack.deadlines.models import DEADLINE_KINDS, MANAGED_KINDS, Deadline
from fundtrack.i18n_markers import N_
from fundtrack.tasks.models import ASSIGN_TO, Task, TaskTemplate
from fundtrack.validation import LATEST_DAY, ValidationError, check_day, require

TITLE_LIMIT = 200
TOKEN_SALT = "fundtrack-task-done"
TOKEN_DAYS = 120  # a link in a reminder works this long after it was sent


def visible_tasks(user):
    """Fundraisers and viewers see every task; a member its organisation's and those assigned to it."""
    query = Task.select()
    if user.is_member:
        query = query.where((Task.organisation == user.organisation_id) | (Task.assignee == user.id))
    return query


def changeable_tasks(user):
    """The tasks `user` may change or tick off: the same as they see (viewers are stopped by their role)."""
    return visible_tasks(user)


def open_tasks_of(user):
    """The open tasks assigned to `user`, soonest first (their list on "my work")."""
    return (
        Task.select(Task, Application)
        .join(Application, JOIN.LEFT_OUTER)
        .where((Task.assignee == user.id) & Task.done_at.is_null())
        .order_by(Task.due_on, Task.id)
    )


def tasks_of(
    *,
    application_id: int | None = None,
    deadline_id: int | None = None,
    organisation_id: int | None = None,
    funder_id: int | None = None,
):
    """The tasks kept with one record, open ones first, soonest first. An application's include those of its
    deadlines; an organisation's only those kept with it directly."""
    if application_id is not None:
        condition = (Task.application == application_id) | Task.deadline.in_(
            Deadline.select(Deadline.id).where(Deadline.application == application_id)
        )
    elif deadline_id is not None:
        condition = Task.deadline == deadline_id
    elif organisation_id is not None:
        condition = (Task.organisation == organisation_id) & Task.application.is_null() & Task.deadline.is_null()
    else:
        condition = Task.funder == funder_id
    return list(
        Task.select(Task, User, Contact)
        .join(User, JOIN.LEFT_OUTER, on=(Task.assignee == User.id))
        .switch(Task)
        .join(Contact, JOIN.LEFT_OUTER, on=(Task.contact == Contact.id))
        .where(condition)
        .order_by(Task.done_at.is_null(False), Task.due_on, Task.id)
    )


def assignable_users():
    return User.select().where(User.active).order_by(User.name)


def assignable_contacts(organisation_id: int | None = None):
    """Contacts with an e-mail address (a task reaches them by e-mail), of one organisation when given."""
    query = Contact.select().where(Contact.email != "")
    if organisation_id is not None:
        query = query.where(Contact.organisation == organisation_id)
    return query.order_by(Contact.name)


def _organisation_of(values: dict):
    if values.get("application") is not None:
        return values["application"].organisation_id
    if values.get("deadline") is not None:
        return values["deadline"].application.organisation_id
    if values.get("organisation") is not None:
        return values["organisation"].id
    return None


def validate_task(data: dict) -> dict:
    """The cleaned values of a task, or ValidationError naming each bad field."""
    errors: dict = {}
    title = (data.get("title") or "").strip()
    require(errors, "title", title)
    if len(title) > TITLE_LIMIT:
        errors["title"] = (N_("At most %(count)d characters."), {"count": TITLE_LIMIT})
    due_on = data.get("due_on")
    require(errors, "due_on", due_on)
    check_day(errors, "due_on", due_on)
    assignee, contact = data.get("assignee"), data.get("contact")
    if assignee is not None and contact is not None:
        errors["assignee"] = N_("Assign the task to one person.")
    if contact is not None and not contact.email:
        errors["assignee"] = N_("The contact has no e-mail address, so the task could not reach them.")
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title,
        "notes": (data.get("notes") or "").strip(),
        "due_on": due_on,
        "assignee": assignee,
        "contact": contact,
        "application": data.get("application"),
        "deadline": data.get("deadline"),
        "funder": data.get("funder"),
    }
    organisation = data.get("organisation")
    values["organisation"] = _organisation_of({**values, "organisation": organisation})
    return values


def create_task(data: dict, *, actor, now: dt.datetime, template: TaskTemplate | None = None) -> Task:
    values = validate_task(data)
    with db.atomic():
        task = Task.create(**values, template=template, created_at=now, updated_at=now)
        audit.record_create(actor, task, now)
    return task


def update_task(task: Task, data: dict, *, actor, now: dt.datetime) -> dict:
    """Change a task's title, notes, due day and assignee (what it belongs to stays)."""
    data = {**data, "application": task.application, "deadline": task.deadline, "funder": task.funder}
    values = validate_task(data)
    values.pop("organisation")
    for key in ("application", "deadline", "funder"):
        values.pop(key)
    with db.atomic():
        return audit.save_changes(task, values, actor=actor, now=now)


def complete_task(task: Task, *, actor, now: dt.datetime, by: str | None = None) -> bool:
    """Tick a task off (False when it was done already). `by` names a contact who did it from the e-mail."""
    if task.done_at is not None:
        return False
    with db.atomic():
        name = by or getattr(actor, "name", "") or ""
        audit.save_changes(task, {"done_at": now, "done_by": name}, actor=actor, now=now, action="complete")
    return True


def reopen_task(task: Task, *, actor, now: dt.datetime) -> None:
    if task.done_at is None:
        return
    with db.atomic():
        audit.save_changes(task, {"done_at": None, "done_by": ""}, actor=actor, now=now, action="reopen")


def delete_task(task: Task, *, actor, now: dt.datetime) -> None:
    with db.atomic():
        audit.record_delete(actor, task, now)
        task.delete_instance()


# The e-mail link that ticks a task off without logging in.


def done_token(task: Task, secret_key: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT).dumps(task.id)


def task_for_token(token: str, secret_key: str, now: dt.datetime) -> Task | None:
    """The task a link names, or None for a link that is wrong, expired or names no task."""
    serializer = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
    try:
        task_id, signed_at = serializer.loads(token, max_age=None, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(task_id, int) or (now - signed_at).days > TOKEN_DAYS:
        return None
    return Task.get_or_none(Task.id == task_id)


# Templates: the usual tasks of each kind of deadline.


# What most installations start with (kind, title, days before, assigned to): offered on the empty templates
# page and loaded with the demo data. The titles are Danish, the language the unit works in.
SUGGESTED_TEMPLATES = (
    ("submission", "Budget fra virksomheden", 14, "contact"),
    ("submission", "Kommunal medunderskrift", 7, "fundraiser"),
    ("submission", "Tjeklisten er udfyldt", 3, "owner"),
    ("interim_report", "Status på projektet til rapporten", 14, "contact"),
    ("final_report", "Tal og effekter til slutrapporten", 21, "contact"),
    ("final_report", "Regnskab godkendt af bestyrelsen", 14, "contact"),
)


def add_suggested_templates(*, actor, now: dt.datetime) -> list[TaskTemplate]:
    """The suggested templates, each unless one of its kind and title is there already."""
    added = []
    for kind, title, days, assign_to in SUGGESTED_TEMPLATES:
        if TaskTemplate.select().where((TaskTemplate.deadline_kind == kind) & (TaskTemplate.title == title)).exists():
            continue
        data = {"deadline_kind": kind, "title": title, "days_before": days, "assign_to": assign_to}
        added.append(create_template(data, actor=actor, now=now))
    return added


def templates_by_kind() -> dict[str, list[TaskTemplate]]:
    found: dict[str, list[TaskTemplate]] = {kind: [] for kind in DEADLINE_KINDS if kind not in MANAGED_KINDS}
    for template in TaskTemplate.select().order_by(TaskTemplate.deadline_kind, TaskTemplate.days_before.desc(), TaskTemplate.id):
        found.setdefault(template.deadline_kind, []).append(template)
    return found


def validate_template(data: dict) -> dict:
    errors: dict = {}
    kind = data.get("deadline_kind") or ""
    if kind not in DEADLINE_KINDS or kind in MANAGED_KINDS:
        errors["deadline_kind"] = N_("Choose one of the kinds in the list.")
    title = (data.get("title") or "").strip()
    require(errors, "title", title)
    if len(title) > TITLE_LIMIT:
        errors["title"] = (N_("At most %(count)d characters."), {"count": TITLE_LIMIT})
    days = data.get("days_before")
    if days is None or not isinstance(days, int) or not 0 <= days <= 365:
        errors["days_before"] = N_("A whole number of days from 0 to 365.")
    assign_to = data.get("assign_to") or "owner"
    if assign_to not in ASSIGN_TO:
        errors["assign_to"] = N_("Choose one of the choices in the list.")
    if errors:
        raise ValidationError(errors)
    return {"deadline_kind": kind, "title": title, "days_before": days, "assign_to": assign_to}


def create_template(data: dict, *, actor, now: dt.datetime) -> TaskTemplate:
    values = validate_template(data)
    with db.atomic():
        template = TaskTemplate.create(**values, created_at=now, updated_at=now)
        audit.record_create(actor, template, now)
    return template


def update_template(template: TaskTemplate, data: dict, *, actor, now: dt.datetime) -> None:
    values = validate_template(data)
    with db.atomic():
        audit.save_changes(template, values, actor=actor, now=now)


def delete_template(template: TaskTemplate, *, actor, now: dt.datetime) -> None:
    """Remove a template; the tasks it added stay as they are."""
    with db.atomic():
        audit.record_delete(actor, template, now)
        template.delete_instance()


def _template_assignee(template: TaskTemplate, deadline: Deadline) -> dict:
    application = deadline.application
    if template.assign_to == "owner" and application.owner_id:
        return {"assignee": application.owner}
    if template.assign_to == "fundraiser":
        fundraiser = User.select().where((User.role == "fundraiser") & User.active).order_by(User.id).first()
        return {"assignee": fundraiser}
    if template.assign_to == "contact":
        contact = assignable_contacts(application.organisation_id).order_by(Contact.receives_alerts.desc(), Contact.name).first()
        return {"contact": contact}
    return {}


def _due_on(deadline: Deadline, template: TaskTemplate) -> dt.date:
    return deadline.due_on - dt.timedelta(days=template.days_before)


def add_template_tasks(deadline: Deadline, *, actor, now: dt.datetime) -> list[Task]:
    """The tasks of the deadline kind's templates, for a new deadline (none for a deadline already past)."""
    tasks = []
    for template in TaskTemplate.select().where((TaskTemplate.deadline_kind == deadline.kind) & TaskTemplate.active):
        due_on = min(_due_on(deadline, template), LATEST_DAY)
        data = {"title": template.title, "due_on": due_on, "deadline": deadline, **_template_assignee(template, deadline)}
        tasks.append(create_task(data, actor=actor, now=now, template=template))
    return tasks


def follow_deadline(deadline: Deadline, *, actor, now: dt.datetime) -> None:
    """A deadline moved: its open template tasks keep their distance to it."""
    for task in Task.select().where((Task.deadline == deadline.id) & Task.done_at.is_null() & Task.template.is_null(False)):
        template = TaskTemplate.get_or_none(TaskTemplate.id == task.template_id)
        if template is not None and task.due_on != _due_on(deadline, template):
            audit.save_changes(task, {"due_on": _due_on(deadline, template)}, actor=actor, now=now)


def drop_deadline_tasks(deadline: Deadline, *, actor, now: dt.datetime) -> None:
    """A deadline was removed: its open template tasks go with it (done ones stay, as done)."""
    for task in Task.select().where((Task.deadline == deadline.id) & Task.done_at.is_null() & Task.template.is_null(False)):
        audit.record_delete(actor, task, now)
        task.delete_instance()


@deadline_events.changed.connect
def _deadline_changed(deadline, action, actor, now, **rest):
    if deadline.kind in MANAGED_KINDS:
        return
    if action in ("create", "restore"):
        add_template_tasks(deadline, actor=actor, now=now)
    elif action == "update":
        follow_deadline(deadline, actor=actor, now=now)
    elif action == "delete":
        drop_deadline_tasks(deadline, actor=actor, now=now)


def due_counts(user, today: dt.date) -> dict:
    """How many of the user's open tasks are overdue and due today (the start page's summary)."""
    query = Task.select(fn.COUNT(Task.id)).where((Task.assignee == user.id) & Task.done_at.is_null())
    return {
        "overdue": query.where(Task.due_on < today).scalar() or 0,
        "today": query.where(Task.due_on == today).scalar() or 0,
    }
