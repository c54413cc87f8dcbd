"""Instalments of a grant."""

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Day, Money, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.deadlines.models import Deadline
from fundtrack.i18n_markers import N_


class Instalment(BaseModel):
    """One payment of a grant: planned (date, amount, condition) and, once it arrives, received.

    Each open instalment has a deadline of kind `instalment` on its application, so that the reminders and the
    calendars know when money is expected; receiving it marks the deadline done.
    """

    application = ForeignKeyField(Application, backref="instalments", on_delete="CASCADE")
    planned_on = DateField(index=True)
    planned_ore = BigIntegerField()
    condition = CharField(default="")  # e.g. "after the interim report"
    received_on = DateField(null=True, index=True)
    received_ore = BigIntegerField(null=True)
    deadline = ForeignKeyField(Deadline, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def overdue_on(self, today) -> bool:
        """Not received after its planned day: the schedule marks it, and a reminder goes out."""
        return self.received_on is None and self.planned_on < today


describe(
    Instalment,
    N_("Instalment"),
    {
        "planned_on": Day(N_("Planned date")),
        "planned_ore": Money(N_("Planned amount")),
        "condition": Text(N_("Condition")),
        "received_on": Day(N_("Received on")),
        "received_ore": Money(N_("Amount received")),
    },
    page=lambda instalment: ("application", instalment.application_id),
    organisation=lambda instalment: instalment.application.organisation_id,
    name=lambda instalment: "",
    secret=("application", "deadline"),
    actions={"receive": N_("received")},
)
