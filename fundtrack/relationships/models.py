"""Relationships and their interaction log."""

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Day, Note, Ref, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found

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
    """One funder and one organisation: what people add (who looks after it, the next step), and what its
    applications say, written whenever one of them changes (so that lists filter and sort in the database):
    the gifts, the first and last, the fiscal years and rounds they fell in, the last rejection, the first
    day the organisation may ask again, and the funder's usual time between gifts (none until it has one)."""

    funder = ForeignKeyField(Funder, backref="relationships", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="relationships", on_delete="CASCADE")
    steward = ForeignKeyField(User, null=True, backref="stewarded", on_delete="SET NULL")
    next_step = TextField(default="")
    next_step_on = DateField(null=True)
    notes = TextField(default="")
    gifts = IntegerField(default=0)
    lifetime_ore = BigIntegerField(default=0)
    first_gift_on = DateField(null=True)
    last_gift_on = DateField(null=True, index=True)
    last_gift_ore = BigIntegerField(null=True)
    gift_years = IntegerField(default=0)
    gift_rounds = IntegerField(default=0)
    last_rejection_on = DateField(null=True)
    ask_from_on = DateField(null=True)
    cycle_days = IntegerField(null=True)
    # The status as of the day it was written, and the day it changes by time alone (a lapse): the
    # midnight job writes the new one then. Lists filter and sort by these, and by funder and organisation
    # name (`sort_key`), through indexes.
    status = CharField(default="prospect")
    status_rank = IntegerField(default=1)
    status_until = DateField(null=True, index=True)
    sort_key = CharField(default="", max_length=500)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    class Meta:
        indexes = (
            (("funder", "organisation"), True),
            (("status_rank", "sort_key"), False),
            (("status", "sort_key"), False),
            (("ask_from_on", "sort_key", "id"), False),
            (("organisation", "status_rank", "sort_key"), False),
        )


class Gift(BaseModel):
    """A gift of a relationship (as `applications.gifts` defines it) beside the gift before it: written with
    the relationship's figures, so that the metrics of a period are sums in the database."""

    application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
    relationship = ForeignKeyField(Relationship, backref="gift_rows", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    given_on = DateField(index=True)
    amount_ore = BigIntegerField()
    previous_on = DateField(null=True)
    previous_ore = BigIntegerField(null=True)


class Interaction(BaseModel):
    """A meeting, call, thank-you, site visit, delivered report or note in a relationship."""

    relationship = ForeignKeyField(Relationship, backref="interactions", on_delete="CASCADE")
    kind = CharField()
    happened_on = DateField(index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    text = TextField(default="")
    created_at = UTCDateTimeField(default=now)


describe(
    Relationship,
    N_("Relationship"),
    {
        "steward": Ref(N_("Steward"), User),
        "next_step": Text(N_("Next step")),
        "next_step_on": Day(N_("Next step by")),
        "notes": Note(N_("Notes")),
    },
    organisation=lambda relationship: relationship.organisation_id,
    link=("relationships.show", "relationship_id"),
    name=lambda relationship: f"{relationship.funder.name} · {relationship.organisation.name}",
    actions={"next_step_done": N_("took the next step")},
)

describe(
    Interaction,
    N_("Interaction"),
    {
        "kind": Choice(N_("Kind"), INTERACTION_KINDS),
        "happened_on": Day(N_("Date")),
        "text": Note(N_("What happened")),
    },
    page=lambda interaction: ("relationship", interaction.relationship_id),
    organisation=lambda interaction: interaction.relationship.organisation_id,
    secret=("relationship", "actor"),
    name=lambda interaction: "",
    search=lambda i: Found(f"{i.relationship.funder.name} · {i.relationship.organisation.name}", i.text),
)
