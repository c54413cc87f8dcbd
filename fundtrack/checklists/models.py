"""Checklist templates (versioned), each application's checklist and answers, and the outcomes reported."""

from peewee import BooleanField, CharField, DecimalField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Number, Tags, Text, bilingual, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.deadlines.models import Deadline
from fundtrack.i18n_markers import N_
from fundtrack.search.index import Text as Found

ITEM_KINDS = {"text": N_("Text"), "number": N_("Number with its source"), "goals": N_("UN goals")}
ANSWER_STATUSES = {
    "missing": N_("Missing"),
    "draft": N_("Draft"),
    "done": N_("Done"),
    "not_applicable": N_("Not applicable"),
}
INDICATORS = {
    "participants": N_("Participants reached"),
    "jobs": N_("Jobs created"),
    "flexjobs": N_("Flexjobs created"),
    "hours": N_("Hours of work or training"),
    "other": N_("Other"),
}


class ChecklistTemplate(BaseModel):
    """One version of the checklist template. Editing makes a new version; running checklists keep theirs."""

    name = CharField()
    version = IntegerField()
    created_at = UTCDateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    note = TextField(default="")

    class Meta:
        indexes = ((("name", "version"), True),)


class TemplateItem(BaseModel):
    """A question of a template version, in Danish and English. `code` stays the same across versions,
    so that answers can be carried to a newer version or copied between applications."""

    template = ForeignKeyField(ChecklistTemplate, backref="items", on_delete="CASCADE")
    code = CharField()
    section_da = CharField()
    section_en = CharField()
    position = IntegerField()
    label_da = TextField()
    label_en = TextField()
    help_da = TextField(default="")
    help_en = TextField(default="")
    kind = CharField(default="text")
    required = BooleanField(default=True)
    indicator = CharField(default="")  # participants, jobs, hours, other: promised now, reported after the grant

    class Meta:
        indexes = ((("template", "code"), True),)


class Checklist(BaseModel):
    """An application's checklist, on the template version it started with."""

    application = ForeignKeyField(Application, unique=True, backref="checklists", on_delete="CASCADE")
    template = ForeignKeyField(ChecklistTemplate, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)


class Answer(BaseModel):
    """The answer to one item: its status, text, and for numbers the value and where it comes from."""

    checklist = ForeignKeyField(Checklist, backref="answers", on_delete="CASCADE")
    item = ForeignKeyField(TemplateItem, on_delete="CASCADE")
    status = CharField(default="missing")
    text = TextField(default="")
    number = DecimalField(null=True, max_digits=14, decimal_places=2)
    source = TextField(default="")
    reason = TextField(default="")  # why "not applicable"
    un_goals = ListField(default=list)
    updated_at = UTCDateTimeField(default=now)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("checklist", "item"), True),)


class Outcome(BaseModel):
    """A value actually achieved, recorded against a promised indicator when a report is delivered."""

    checklist = ForeignKeyField(Checklist, backref="outcomes", on_delete="CASCADE")
    item = ForeignKeyField(TemplateItem, on_delete="CASCADE")
    deadline = ForeignKeyField(Deadline, backref="outcomes", on_delete="CASCADE")
    indicator = CharField()
    value = DecimalField(max_digits=14, decimal_places=2)
    note = TextField(default="")
    recorded_at = UTCDateTimeField(default=now)
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("deadline", "item"), True),)


describe(
    ChecklistTemplate,
    N_("Checklist template"),
    {"name": Text(N_("Name")), "version": Number(N_("Version")), "note": Text(N_("What changed"))},
    name=lambda template: f"{template.name} v{template.version}",
    secret=("created_by",),
)

describe(
    Checklist,
    N_("Checklist"),
    {"template": Text(N_("Template version"))},
    page=lambda checklist: ("application", checklist.application_id),
    organisation=lambda checklist: checklist.application.organisation_id,
    name=lambda checklist: "",
)

describe(
    Answer,
    N_("Checklist answer"),
    {
        "status": Choice(N_("Status"), ANSWER_STATUSES),
        "text": Text(N_("Answer")),
        "number": Number(N_("Number")),
        "source": Text(N_("Where the number comes from")),
        "reason": Text(N_("Why it does not apply")),
        "un_goals": Tags(N_("UN goals")),
    },
    page=lambda answer: ("application", answer.checklist.application_id),
    organisation=lambda answer: answer.checklist.application.organisation_id,
    name=lambda answer: bilingual(answer.item.label_da, answer.item.label_en),
    secret=("checklist", "item", "updated_by"),
    search=lambda answer: (
        Found(answer.item.label_da, " ".join([answer.text, answer.source, answer.reason]))
        if answer.text or answer.source
        else None
    ),
)

describe(
    Outcome,
    N_("Outcome"),
    {
        "indicator": Choice(N_("Indicator"), INDICATORS),
        "value": Number(N_("Achieved")),
        "note": Text(N_("Note")),
    },
    page=lambda outcome: ("application", outcome.checklist.application_id),
    organisation=lambda outcome: outcome.checklist.application.organisation_id,
    name=lambda outcome: bilingual(outcome.item.label_da, outcome.item.label_en),
    secret=("checklist", "item", "deadline", "recorded_by", "recorded_at"),
)
