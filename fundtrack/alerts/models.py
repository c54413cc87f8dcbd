"""The outbox of reminders, and the lease that lets one scheduler act at a time."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, UTCDateTimeField
from fundtrack.deadlines.models import Deadline
from fundtrack.i18n_markers import N_

ALERT_STATUSES = {
    "pending": N_("Waiting to be sent"),
    "claimed": N_("Being sent"),
    "sent": N_("Sent"),
    "skipped": N_("Skipped"),
    "failed": N_("Refused for good"),
}


class Alert(BaseModel):
    """One reminder to one person: a row per (deadline and its date, moment, recipient), so it is planned once.

    `key` makes planning idempotent; the status moves pending -> claimed -> sent, or back to pending
    with a later `next_attempt_at` when delivery fails. Nothing is ever dropped: a reminder that is
    no longer useful is recorded as skipped.
    """

    key = CharField(unique=True)
    kind = CharField(default="deadline")  # deadline, calls
    deadline = ForeignKeyField(Deadline, null=True, backref="alerts", on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, backref="alerts", on_delete="CASCADE")
    email = CharField()
    language = CharField(default="da")
    digest = BooleanField(default=False)  # the user wants one daily digest instead
    due_on = DateField(null=True)  # the deadline's date when planned: a moved deadline gets new reminders
    days = IntegerField(default=0)  # before the deadline (positive) or after it (negative)
    rule = CharField(default="")
    planned_on = DateField(index=True)
    payload = JSONField(null=True)  # for a digest of calls: the call ids
    status = CharField(default="pending", index=True)
    late = BooleanField(default=False)
    claim_token = CharField(null=True, index=True)
    claimed_at = UTCDateTimeField(null=True)
    attempts = IntegerField(default=0)
    next_attempt_at = UTCDateTimeField(null=True)
    last_error = TextField(default="")
    sent_at = UTCDateTimeField(null=True)
    read_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=now)


class SchedulerLease(BaseModel):
    """Which scheduler may act, until when. A scheduler that dies stops renewing, and its lease runs out."""

    name = CharField(unique=True)
    holder = CharField(default="")
    expires_at = UTCDateTimeField(null=True)
