"""Funders and the people to talk to there."""
from peewee import BigIntegerField, BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.i18n_markers import N_

FUNDER_KINDS = {
    "private_foundation": N_("Private foundation"),
    "public_pool": N_("Public pool"),
    "eu_programme": N_("EU programme"),
    "company_csr": N_("Company CSR"),
}


class Funder(BaseModel):
    """Someone who gives money: its profile, its typical grant and its rules for asking again."""

    name = CharField(unique=True)
    kind = CharField(default="private_foundation")
    website = CharField(default="")
    description = TextField(default="")
    focus_tags = ListField(default=list)
    un_goals = ListField(default=list)
    grant_min_ore = BigIntegerField(null=True)
    grant_max_ore = BigIntegerField(null=True)
    # None means "not known": the fee ledger warns only when this is known to be False.
    allows_consultant_fees = BooleanField(null=True)
    cooldown_after_grant_months = IntegerField(null=True)
    cooldown_after_rejection_months = IntegerField(null=True)
    notes = TextField(default="")
    archived_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


class FunderContact(BaseModel):
    """A person at a funder: a programme officer, a secretariat."""

    funder = ForeignKeyField(Funder, backref="contacts", on_delete="CASCADE")
    name = CharField()
    email = CharField(default="")
    phone = CharField(default="")
    title = CharField(default="")
    created_at = UTCDateTimeField(default=now)
