"""Audit entries."""
from peewee import CharField, ForeignKeyField, IntegerField

from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, UTCDateTimeField


class AuditEntry(BaseModel):
    """One change to one record: the fields that changed, each as [old, new]."""

    actor = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    changed_at = UTCDateTimeField(default=now, index=True)
    table = CharField()
    record_id = IntegerField()
    action = CharField()  # create, update, delete
    changes = JSONField(default=dict)

    class Meta:
        indexes = ((("table", "record_id"), False),)
