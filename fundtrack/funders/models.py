"""Funders and the people to talk to there."""
from peewee import BigIntegerField, BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

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
    # Report deadlines created when a grant is won: an interim report this many months after the
    # project starts (none when empty), a final report this many months after it ends.
    interim_report_months = IntegerField(null=True)
    final_report_months = IntegerField(null=True, default=3)
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


ROUND_KINDS = {
    "yearly": N_("Every year on fixed dates"),
    "quarter_end": N_("Last weekday of each quarter"),
    "monthly": N_("Every month on a day"),
    "once": N_("Once"),
    "custom": N_("Custom rule (RRULE)"),
}


class Round(BaseModel):
    """A funder's recurring (or one-off) application deadline, from which concrete dates are generated.

    `rule` is an iCalendar RRULE built from the kind and its settings ("1 March and 1 September every
    year" is FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1); a one-off round has `once_on` instead.
    """

    funder = ForeignKeyField(Funder, backref="rounds", on_delete="CASCADE")
    name = CharField()
    kind = CharField(default="yearly")
    yearly_dates = CharField(default="")  # "01-03, 01-09" (day-month), for kind yearly
    month_day = IntegerField(null=True)  # for kind monthly
    rule = CharField(default="")
    once_on = DateField(null=True)
    deadline_time = CharField(default="")  # "12:00", local time; empty for the whole day
    active = BooleanField(default=True)
    notes = TextField(default="")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name
