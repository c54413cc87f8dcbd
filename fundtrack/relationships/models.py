"""Relationships and their interaction log."""
from peewee import CharField, DateField, ForeignKeyField, TextField

from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation

STATUSES = {
    "prospect": N_("Prospect"),
    "first_gift": N_("First gift"),
    "repeat": N_("Repeat"),
    "golden": N_("Golden"),
    "lapsing": N_("Lapsing"),
    "lapsed": N_("Lapsed"),
}
INTERACTION_KINDS = {
    "meeting": N_("Meeting"),
    "call": N_("Call"),
    "thank_you": N_("Thank-you"),
    "site_visit": N_("Site visit"),
    "report_delivered": N_("Report delivered"),
    "note": N_("Note"),
}


class Relationship(BaseModel):
    """One funder and one organisation. Its gifts and status come from the applications; what is kept here
    is what people add: who looks after it, and the next step."""

    funder = ForeignKeyField(Funder, backref="relationships", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="relationships", on_delete="CASCADE")
    steward = ForeignKeyField(User, null=True, backref="stewarded", on_delete="SET NULL")
    next_step = TextField(default="")
    next_step_on = DateField(null=True)
    notes = TextField(default="")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    class Meta:
        indexes = ((("funder", "organisation"), True),)


class Interaction(BaseModel):
    """A meeting, call, thank-you, site visit, delivered report or note in a relationship."""

    relationship = ForeignKeyField(Relationship, backref="interactions", on_delete="CASCADE")
    kind = CharField()
    happened_on = DateField(index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    text = TextField(default="")
    created_at = UTCDateTimeField(default=now)
