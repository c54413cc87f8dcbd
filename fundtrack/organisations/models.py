"""Organisations and their contact people."""
from peewee import BooleanField, CharField, ForeignKeyField, TextField

from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.i18n_markers import N_

ORGANISATION_KINDS = {
    "enterprise": N_("Social enterprise"),
    "initiative": N_("Social initiative"),
    "association": N_("Association"),
    "municipality": N_("Municipality"),
}


class Organisation(BaseModel):
    """A partner that applies for funds: a social enterprise, an initiative or the municipality itself."""

    name = CharField(unique=True)
    kind = CharField(default="enterprise")
    cvr_number = CharField(null=True)
    description = TextField(default="")
    website = CharField(default="")
    interests = ListField(default=list)
    # Words that pass an open call on to the organisation, and words that keep one away.
    keywords = ListField(default=list)
    excluded_words = ListField(default=list)
    un_goals = ListField(default=list)
    archived_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


class Contact(BaseModel):
    """A person at an organisation: who to call, and who receives its reminders."""

    organisation = ForeignKeyField(Organisation, backref="contacts", on_delete="CASCADE")
    name = CharField()
    email = CharField(default="")
    phone = CharField(default="")
    title = CharField(default="")
    receives_alerts = BooleanField(default=True)
    created_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


# The UN Sustainable Development Goals (verdensmål), by number.
UN_GOALS = {
    1: N_("No poverty"), 2: N_("Zero hunger"), 3: N_("Good health and well-being"), 4: N_("Quality education"),
    5: N_("Gender equality"), 6: N_("Clean water and sanitation"), 7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"), 9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"), 11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"), 13: N_("Climate action"), 14: N_("Life below water"),
    15: N_("Life on land"), 16: N_("Peace, justice and strong institutions"), 17: N_("Partnerships for the goals"),
}
