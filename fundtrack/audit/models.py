"""Audit entries."""

from peewee import BooleanField, CharField, IntegerField

from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, UTCDateTimeField


class AuditEntry(BaseModel):
    """One change to one record: the fields that changed, each as [old, new].

    Kept apart from the users' table on purpose (a number and a name, no foreign key): the record outlives
    the account, and this module stays below every domain. `page_table`/`page_id` name the record page
    whose History shows the entry (an application shows its deadlines' changes); `organisation_id` says
    whose members may read it; `private` entries (fees) are for fundraisers only.
    """

    actor_id = IntegerField(null=True, index=True)
    actor_name = CharField(default="")
    changed_at = UTCDateTimeField(default=now, index=True)
    table = CharField()
    record_id = IntegerField()
    record_name = CharField(default="", max_length=500)
    action = CharField()
    changes = JSONField(default=dict)
    page_table = CharField()
    page_id = IntegerField()
    organisation_id = IntegerField(null=True)
    private = BooleanField(default=False)

    class Meta:
        indexes = (
            (("table", "record_id"), False),
            (("page_table", "page_id", "changed_at"), False),
        )
