"""Funders and the people to talk to there."""

from peewee import BigIntegerField, BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.audit.services import Choice, Day, Flag, Moment, Money, Note, Number, Tags, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.search.index import Text as Found

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
    # The funder's usual payment schedule, as shares of the grant in per cent (e.g. [50, 40, 10]).
    instalment_shares = ListField(default=list)
    notes = TextField(default="")
    archived_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


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


describe(
    Funder,
    N_("Funder"),
    {
        "name": Text(N_("Name")),
        "kind": Choice(N_("Kind"), FUNDER_KINDS),
        "website": Text(N_("Website")),
        "description": Text(N_("Description")),
        "focus_tags": Tags(N_("Focus")),
        "un_goals": Tags(N_("UN goals")),
        "grant_min_ore": Money(N_("Smallest typical grant")),
        "grant_max_ore": Money(N_("Largest typical grant")),
        "allows_consultant_fees": Flag(N_("Consultant fees from the grant")),
        "cooldown_after_grant_months": Number(N_("Wait after a grant (months)")),
        "cooldown_after_rejection_months": Number(N_("Wait after a rejection (months)")),
        "interim_report_months": Number(N_("Interim report, months after the project starts")),
        "final_report_months": Number(N_("Final report, months after the project ends")),
        "instalment_shares": Tags(N_("Usual instalments (per cent of the grant)")),
        "notes": Note(N_("Notes")),
        "archived_at": Moment(N_("Archived")),
    },
    link=("funders.show", "funder_id"),
    search=lambda f: (
        [Found(f.name, " ".join([f.description, *f.focus_tags]), "shared")]
        + ([Found(f.name, f.notes, "notes", "notes")] if f.notes else [])
    ),
)

describe(
    Round,
    N_("Round"),
    {
        "name": Text(N_("Name")),
        "kind": Choice(N_("Repeats"), ROUND_KINDS),
        "yearly_dates": Text(N_("Dates every year")),
        "month_day": Number(N_("Day of the month")),
        "rule": Text(N_("Custom rule (RRULE)")),
        "once_on": Day(N_("Date")),
        "deadline_time": Text(N_("Time of day")),
        "active": Flag(N_("Active")),
        "notes": Note(N_("Notes")),
    },
    page=lambda round_: ("funder", round_.funder_id),
)
