"""Typed deadlines."""

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Day, Moment, Note, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.search.index import Text as Found

DEADLINE_KINDS = {
    "submission": N_("Submission"),
    "internal_draft": N_("Internal draft due"),
    "decision_expected": N_("Decision expected"),
    "interim_report": N_("Interim report"),
    "final_report": N_("Final report"),
    "custom": N_("Other"),
    "instalment": N_("Instalment expected"),
}
REPORT_KINDS = ("interim_report", "final_report")
# Kinds kept by another part of fundtrack (an instalment's deadline follows the payment schedule): never
# added, changed, completed or removed by hand.
MANAGED_KINDS = ("instalment",)


class Deadline(BaseModel):
    """A date an application must meet. `due_on` is the local date; `due_at` the moment, when there is a time.

    `sequence` rises whenever the date, time or title changes, so calendars can tell an update.
    """

    application = ForeignKeyField(Application, backref="deadlines", on_delete="CASCADE")
    kind = CharField(index=True)
    title = CharField(default="")
    due_on = DateField(index=True)
    due_at = UTCDateTimeField(null=True)
    done_at = UTCDateTimeField(null=True)
    done_on = DateField(null=True)  # the local day it was done: on time when not after `due_on`
    done_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    notes = TextField(default="")
    # A removed deadline is kept, marked, so that subscribed calendars can be told to drop it.
    deleted_at = UTCDateTimeField(null=True)
    sequence = IntegerField(default=0)
    # The day through which reminders have been planned (a high-water mark): a planning run looks only
    # at deadlines not yet planned today. Cleared when the date moves or the deadline is reopened.
    alerts_planned_on = DateField(null=True, index=True)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    @property
    def delivered_on_time(self) -> bool:
        """Done no later than its day, by the local calendar (the reliability figures count the same in SQL)."""
        return self.done_on is not None and self.done_on <= self.due_on

    def overdue_on(self, today) -> bool:
        """Still open (and not removed) after its day: what the lists mark as overdue."""
        return self.done_at is None and self.deleted_at is None and self.due_on < today

    class Meta:
        # Open deadlines by date: the dashboard, the overdue list and the reminders all ask this.
        # Reports of a kind due in a period: the reliability figures, read from the index alone.
        indexes = ((("done_at", "due_on"), False), (("kind", "due_on", "deleted_at", "done_on", "application"), False))


describe(
    Deadline,
    N_("Deadline"),
    {
        "kind": Choice(N_("Kind"), DEADLINE_KINDS),
        "title": Text(N_("Title")),
        "due_on": Day(N_("Date")),
        "due_at": Moment(N_("Time")),
        "done_at": Moment(N_("Done")),
        "notes": Note(N_("Notes")),
        "deleted_at": Moment(N_("Removed")),
    },
    page=lambda deadline: ("application", deadline.application_id),
    organisation=lambda deadline: deadline.application.organisation_id,
    name=lambda deadline: deadline.title or DEADLINE_KINDS.get(deadline.kind, deadline.kind),
    secret=("application", "sequence", "alerts_planned_on", "done_by", "done_on"),
    actions={"complete": N_("marked done"), "reopen": N_("opened again")},
    search=lambda d: None if d.deleted_at or not d.notes else Found(d.title or d.application.title, d.notes, "notes"),
)
