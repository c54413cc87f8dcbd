"""Organisations: the partners that apply for funds."""

from peewee import CharField, TextField

from fundtrack.audit.services import Choice, Moment, Tags, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.search.index import Text as Found

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


describe(
    Organisation,
    N_("Organisation"),
    {
        "name": Text(N_("Name")),
        "kind": Choice(N_("Kind"), ORGANISATION_KINDS),
        "cvr_number": Text(N_("CVR number")),
        "description": Text(N_("Description")),
        "website": Text(N_("Website")),
        "interests": Tags(N_("Interests")),
        "keywords": Tags(N_("Keywords for open calls")),
        "excluded_words": Tags(N_("Words that keep a call away")),
        "un_goals": Tags(N_("UN goals")),
        "archived_at": Moment(N_("Archived")),
    },
    organisation=lambda organisation: organisation.id,
    link=("organisations.show", "organisation_id"),
    search=lambda o: Found(o.name, " ".join([o.description, *o.interests, *o.keywords])),
)
