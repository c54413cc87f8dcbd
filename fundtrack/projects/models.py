"""Projects and the lines of their budgets."""

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Day, Money, Note, Ref, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found

SIDES = {"cost": N_("Cost"), "income": N_("Income")}
INCOME_KINDS = {
    "application": N_("Application to a funder"),
    "own_revenue": N_("Own revenue"),
    "municipality": N_("The municipality"),
    "in_kind": N_("In kind"),
    "other": N_("Other income"),
}


class Project(BaseModel):
    """One business idea or pilot of an organisation (et lille forsøg), whose money comes from several sources."""

    organisation = ForeignKeyField(Organisation, backref="projects", on_delete="RESTRICT")
    name = CharField()
    description = TextField(default="")
    start_on = DateField(null=True)
    end_on = DateField(null=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


class BudgetLine(BaseModel):
    """A cost of the project or a source of its money. An income line of kind `application` is that application's
    part of the project: its amount is the money granted (or asked for, until the decision) unless one is given.
    An income line may name the cost it covers."""

    project = ForeignKeyField(Project, backref="lines", on_delete="CASCADE")
    side = CharField()  # cost or income
    kind = CharField(default="")  # for income: INCOME_KINDS
    label = CharField(default="")
    amount_ore = BigIntegerField(null=True)
    application = ForeignKeyField(Application, null=True, unique=True, backref="budget_lines", on_delete="CASCADE")
    covers = ForeignKeyField("self", null=True, backref="covered_by", on_delete="SET NULL")
    position = IntegerField(default=0)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.label


describe(
    Project,
    N_("Project"),
    {
        "name": Text(N_("Name")),
        "description": Note(N_("Description")),
        "start_on": Day(N_("Start")),
        "end_on": Day(N_("End")),
    },
    page=lambda project: ("project", project.id),
    organisation=lambda project: project.organisation_id,
    name=lambda project: project.name,
    secret=("organisation",),
    link=("projects.show", "project_id"),
    search=lambda p: Found(p.name, p.description),
)

describe(
    BudgetLine,
    N_("Budget line"),
    {
        "side": Choice(N_("Cost or income"), SIDES),
        "kind": Choice(N_("Source"), INCOME_KINDS),
        "label": Text(N_("Line")),
        "amount_ore": Money(N_("Amount")),
        "application": Ref(N_("Application"), Application),
        "covers": Ref(N_("Covers"), BudgetLine),
    },
    page=lambda line: ("project", line.project_id),
    organisation=lambda line: line.project.organisation_id,
    name=lambda line: line.label,
    secret=("project", "position"),
)
