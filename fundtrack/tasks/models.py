"""Tasks (who does what by when) and the templates that add them when a deadline is created."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Day, Moment, Note, Number, Ref, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.contacts.models import Contact
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found

ASSIGN_TO = {
    "owner": N_("The application's owner"),
    "fundraiser": N_("The fundraiser"),
    "contact": N_("The organisation's contact for reminders"),
    "nobody": N_("Nobody yet"),
}


class TaskTemplate(BaseModel):
    """A task added to every new deadline of a kind, due `days_before` it (0: on the day)."""

    deadline_kind = CharField(index=True)
    title = CharField()
    days_before = IntegerField(default=0)
    assign_to = CharField(default="owner")
    position = IntegerField(default=0)
    active = BooleanField(default=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.title


class Task(BaseModel):
    """Something one person must do by a day: a user, or a contact without a login (reached by e-mail).

    It may belong to an application, a deadline, a funder or an organisation; `organisation` is whose task it
    is, for who may see it (a member sees its organisation's tasks and those assigned to it)."""

    title = CharField()
    notes = TextField(default="")
    due_on = DateField(index=True)
    assignee = ForeignKeyField(User, null=True, backref="tasks", on_delete="SET NULL")
    contact = ForeignKeyField(Contact, null=True, backref="tasks", on_delete="SET NULL")
    organisation = ForeignKeyField(Organisation, null=True, backref="tasks", on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, backref="tasks", on_delete="CASCADE")
    deadline = ForeignKeyField(Deadline, null=True, backref="tasks", on_delete="CASCADE")
    funder = ForeignKeyField(Funder, null=True, backref="tasks", on_delete="CASCADE")
    template = ForeignKeyField(TaskTemplate, null=True, backref="tasks", on_delete="SET NULL")
    done_at = UTCDateTimeField(null=True, index=True)
    done_by = CharField(default="")  # who ticked it off (a contact has no user row)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.title

    @property
    def assignee_name(self) -> str:
        if self.assignee_id:
            return self.assignee.name
        if self.contact_id:
            return self.contact.name
        return ""

    @property
    def assignee_email(self) -> str:
        if self.assignee_id:
            return self.assignee.email
        if self.contact_id:
            return self.contact.email
        return ""


def _page(task: Task) -> tuple[str, int]:
    if task.application_id:
        return "application", task.application_id
    if task.deadline_id:
        return "application", task.deadline.application_id
    if task.funder_id:
        return "funder", task.funder_id
    if task.organisation_id:
        return "organisation", task.organisation_id
    return "task", task.id


describe(
    Task,
    N_("Task"),
    {
        "title": Text(N_("Task")),
        "notes": Note(N_("Notes")),
        "due_on": Day(N_("Due")),
        "assignee": Ref(N_("Assigned to"), User),
        "contact": Ref(N_("Assigned to contact"), Contact),
        "done_at": Moment(N_("Done")),
    },
    page=_page,
    organisation=lambda task: task.organisation_id,
    name=lambda task: task.title,
    secret=("organisation", "application", "deadline", "funder", "template", "done_by"),
    link=("tasks.edit", "task_id"),
    actions={"complete": N_("marked done"), "reopen": N_("opened again")},
    search=lambda task: Found(task.title, task.notes),
)

describe(
    TaskTemplate,
    N_("Task template"),
    {
        "deadline_kind": Choice(N_("Deadline kind"), DEADLINE_KINDS),
        "title": Text(N_("Task")),
        "days_before": Number(N_("Days before")),
        "assign_to": Choice(N_("Assigned to"), ASSIGN_TO),
    },
    page=lambda template: ("task_template", template.id),
    name=lambda template: template.title,
    secret=("position", "active"),
)
