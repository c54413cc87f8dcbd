"""Recording changes. Called by the services that write, inside their transaction."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fundtrack.audit.models import AuditEntry


def _plain(value):
    """A JSON-friendly form of a field value (records by id, dates as ISO text)."""
    if hasattr(value, "_meta") and hasattr(value, "id"):
        return value.id
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(instance, fields=None) -> dict:
    """The current values of a record's fields, to compare with after a change."""
    names = fields or [f.name for f in instance._meta.sorted_fields if f.name != "id"]
    values = {}
    for name in names:
        field = instance._meta.fields[name]
        values[name] = _plain(instance.__data__.get(field.name))
    return values


def record_create(actor, instance, now) -> AuditEntry:
    return AuditEntry.create(
        actor=actor, changed_at=now, table=instance._meta.table_name, record_id=instance.id,
        action="create", changes={k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "", [])},
    )


def record_update(actor, instance, before: dict, now) -> AuditEntry | None:
    """Write an entry for the fields that differ from `before`; nothing if nothing changed."""
    after = snapshot(instance, list(before))
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return None
    return AuditEntry.create(
        actor=actor, changed_at=now, table=instance._meta.table_name, record_id=instance.id,
        action="update", changes=changes,
    )


def save_changes(instance, values: dict, *, actor, now) -> None:
    """Set `values` on a record, save it and write the audit entry for what changed (call inside a transaction)."""
    before = snapshot(instance, list(values))
    for key, value in values.items():
        setattr(instance, key, value)
    if "updated_at" in instance._meta.fields:
        instance.updated_at = now
    instance.save()
    record_update(actor, instance, before, now)


def record_delete(actor, instance, now) -> AuditEntry:
    return AuditEntry.create(
        actor=actor, changed_at=now, table=instance._meta.table_name, record_id=instance.id,
        action="delete", changes={k: [v, None] for k, v in snapshot(instance).items() if v not in (None, "", [])},
    )


def history(table: str, record_id: int):
    """The entries for one record, newest first."""
    return (AuditEntry.select().where((AuditEntry.table == table) & (AuditEntry.record_id == record_id))
            .order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc()))
