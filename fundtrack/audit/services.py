"""Recording changes, inside the writing service's transaction, and reading them back as History.

A domain describes each of its tables once with `describe`; from then on `record_create`, `save_changes`,
`record_delete` and `record_action` know the record's label, its fields, the page it shows on and whose
it is. Reading applies the same rules everywhere: members see their own organisation's records only,
nobody but fundraisers sees private (fee) entries, viewers see no notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from fundtrack.audit.models import AuditEntry
from fundtrack.i18n_markers import N_
from fundtrack.search import index as search

ACTIONS = {
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("removed"),
}


@dataclass(frozen=True)
class Field:
    """How one field is named and shown in a History: `kind` is text, note, money, date, moment, choice,
    flag, tags, number or ref (a record shown by its name)."""

    label: str
    kind: str = "text"
    choices: dict | None = None
    ref: object = None


def Text(label):  # noqa: N802 - read as a type in the field tables
    return Field(label)


def Note(label):  # noqa: N802
    """A personal note: not shown to viewers."""
    return Field(label, "note")


def Money(label):  # noqa: N802
    return Field(label, "money")


def Day(label):  # noqa: N802
    return Field(label, "date")


def Moment(label):  # noqa: N802
    return Field(label, "moment")


def Choice(label, choices):  # noqa: N802
    return Field(label, "choice", choices=choices)


def Flag(label):  # noqa: N802
    return Field(label, "flag")


def Tags(label):  # noqa: N802
    return Field(label, "tags")


def Number(label):  # noqa: N802
    return Field(label, "number")


def Ref(label, model):  # noqa: N802
    return Field(label, "ref", ref=model)


@dataclass
class Description:
    """Everything the History needs to know about one table."""

    table: str
    label: str
    fields: dict[str, Field]
    page: Callable  # record -> (page table, page id)
    organisation: Callable  # record -> organisation id or None
    name: Callable  # record -> its name now
    private: bool = False
    secret: tuple[str, ...] = ()
    link: tuple[str, str] | None = None  # (endpoint, URL variable) of the record's own page
    actions: dict[str, str] = field(default_factory=dict)
    search: Callable | None = None  # record -> search.Text or a list of them: what of it the search finds
    model: type | None = None


_descriptions: dict[str, Description] = {}
BILINGUAL = "\x1f"  # a record name kept in Danish and English (a checklist item), shown in the reader's language


def bilingual(danish: str, english: str) -> str:
    return f"{danish}{BILINGUAL}{english}"


def name_in(name: str, language: str) -> str:
    if BILINGUAL not in (name or ""):
        return name or ""
    danish, _, english = name.partition(BILINGUAL)
    return danish if language == "da" else english


def describe(
    model,
    label: str,
    fields: dict[str, Field],
    *,
    page=None,
    organisation=None,
    name=None,
    private: bool = False,
    secret: tuple[str, ...] = (),
    link: tuple[str, str] | None = None,
    actions: dict[str, str] | None = None,
    search: Callable | None = None,
) -> None:
    """Tell the History how `model`'s records are named, shown, and whose they are (once, in its models.py)."""
    table = model._meta.table_name
    _descriptions[table] = Description(
        table=table,
        label=label,
        fields=fields,
        page=page or (lambda record: (table, record.id)),
        organisation=organisation or (lambda record: None),
        name=name or (lambda record: str(record)),
        private=private,
        secret=secret,
        link=link,
        actions=actions or {},
        search=search,
        model=model,
    )


def description(table: str) -> Description | None:
    return _descriptions.get(table)


def descriptions() -> dict[str, Description]:
    return dict(_descriptions)


# Recording.


def _plain(value):
    """A JSON-friendly form of a field value (records by id, dates as ISO text)."""
    if hasattr(value, "_meta") and hasattr(value, "id"):
        return value.id
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 25.00 and 25 are the same number
    return value


def snapshot(instance, fields=None) -> dict:
    """The current values of a record's fields, to compare with after a change (secret fields left out)."""
    found = _descriptions.get(instance._meta.table_name)
    secret = set(found.secret) if found else set()
    secret |= {"created_at", "updated_at"}  # the entry has its own time
    names = fields or [f.name for f in instance._meta.sorted_fields if f.name != "id"]
    values = {}
    for name in names:
        if name in secret:
            continue
        model_field = instance._meta.fields[name]
        values[name] = _plain(instance.__data__.get(model_field.name))
    return values


def _entry(actor, instance, action: str, changes: dict, now: dt.datetime) -> AuditEntry:
    table = instance._meta.table_name
    found = _descriptions.get(table)
    page_table, page_id = found.page(instance) if found else (table, instance.id)
    organisation_id = found.organisation(instance) if found else None
    name = found.name(instance) if found else ""
    _index(instance, found, action, (page_table, page_id), organisation_id, now)
    return AuditEntry.create(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or "",
        changed_at=now,
        table=table,
        record_id=instance.id,
        record_name=str(name or "")[:500],
        action=action,
        changes=changes,
        page_table=page_table,
        page_id=page_id,
        organisation_id=organisation_id,
        private=bool(found and found.private),
    )


def _index(instance, found: Description | None, action: str, page: tuple[str, int], organisation_id, now: dt.datetime) -> None:
    """Keep the search index in step with the write, in its transaction."""
    if found is None or found.search is None:
        return
    if action == "delete":
        search.forget(found.table, instance.id)
        return
    texts = found.search(instance)
    if texts is None:
        texts = []
    elif isinstance(texts, search.Text):
        texts = [texts]
    search.put_texts(found.table, instance.id, texts, organisation_id=organisation_id, page=page, at=now, new=action == "create")


def reindex(instance, now: dt.datetime) -> None:
    """Index one record as it is now, outside the audit trail (records written in bulk: a feed's new calls)."""
    found = _descriptions.get(instance._meta.table_name)
    if found is not None:
        _index(instance, found, "update", found.page(instance), found.organisation(instance), now)


def rebuild_search_index(now: dt.datetime) -> int:
    """Index every record that the search finds, afresh (after an upgrade, or to repair the index)."""
    count = 0
    for found in _descriptions.values():
        if found.search is None or found.model is None:
            continue
        for instance in found.model.select().iterator():
            _index(instance, found, "update", found.page(instance), found.organisation(instance), now)
            count += 1
    return count


def record_create(actor, instance, now: dt.datetime) -> AuditEntry:
    """A new record, with the values it was created with."""
    changes = {k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "", [], False, 0)}
    return _entry(actor, instance, "create", changes, now)


def record_update(
    actor, instance, before: dict, now: dt.datetime, action: str = "update", extra: dict | None = None
) -> AuditEntry | None:
    """Write an entry for the fields that differ from `before` (and `extra` changes, such as a reason);
    nothing if nothing changed."""
    after = snapshot(instance, list(before))
    changes = {k: [before[k], after[k]] for k in before if k in after and before[k] != after[k]}
    changes.update(extra or {})
    if not changes and action == "update":
        return None
    return _entry(actor, instance, action, changes, now)


def save_changes(instance, values: dict, *, actor, now: dt.datetime, action: str = "update", extra: dict | None = None) -> dict:
    """Set `values` on a record, save it and record what changed (call inside the service's transaction).

    Returns the changes as {field: [old, new]}, so that the caller can tell the other domains."""
    before = snapshot(instance, list(values))
    for key, value in values.items():
        setattr(instance, key, value)
    if "updated_at" in instance._meta.fields:
        instance.updated_at = now
    instance.save()
    entry = record_update(actor, instance, before, now, action, extra)
    return entry.changes if entry else {}


def record_delete(actor, instance, now: dt.datetime) -> AuditEntry:
    """A record removed, with the values it had."""
    changes = {k: [v, None] for k, v in snapshot(instance).items() if v not in (None, "", [], False, 0)}
    return _entry(actor, instance, "delete", changes, now)


def record_action(actor, instance, action: str, now: dt.datetime, changes: dict | None = None) -> AuditEntry:
    """Something done to a record that is more than a change of fields (a stage move, an invoice, a password)."""
    return _entry(actor, instance, action, changes or {}, now)


def history(table: str, record_id: int):
    """The entries for one record, newest first."""
    return (
        AuditEntry.select()
        .where((AuditEntry.table == table) & (AuditEntry.record_id == record_id))
        .order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc())
    )


# Reading.


def visible_entries(user):
    """The entries `user` may read: all for fundraisers; no private ones for others; a member's own only."""
    query = AuditEntry.select()
    if user.is_fundraiser:
        return query
    query = query.where(~AuditEntry.private)
    if user.is_member:
        query = query.where(AuditEntry.organisation_id == user.organisation_id)
    return query


def page_entries(user, page_table: str, page_id: int, limit: int = 50):
    """The newest entries shown on one record page, and how many there are in all."""
    query = visible_entries(user).where((AuditEntry.page_table == page_table) & (AuditEntry.page_id == page_id))
    return list(query.order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc()).limit(limit)), query.count()


def record_entries(user, table: str, record_id: int, limit: int = 50):
    """The newest entries of one record (a deadline's own page), and how many there are in all."""
    query = visible_entries(user).where((AuditEntry.table == table) & (AuditEntry.record_id == record_id))
    return list(query.order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc()).limit(limit)), query.count()


def activity(
    user, *, table: str = "", actor_id: int | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None
):
    """Entries across every record, newest first, narrowed by record type, person and time."""
    query = visible_entries(user)
    if table:
        query = query.where(AuditEntry.table == table)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if start is not None:
        query = query.where(AuditEntry.changed_at >= start)
    if end is not None:
        query = query.where(AuditEntry.changed_at < end)
    return query.order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc())


def actors():
    """(id, name) of everyone who has changed something, for the activity page's filter."""
    rows = (
        AuditEntry.select(AuditEntry.actor_id, fn.MAX(AuditEntry.actor_name))
        .where(AuditEntry.actor_id.is_null(False))
        .group_by(AuditEntry.actor_id)
        .tuples()
    )
    return sorted(rows, key=lambda row: (row[1] or "").lower())


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Line:
    """One entry as a reader sees it: when, who, what happened to which record, and each change."""

    entry: AuditEntry
    record_label: str
    action_label: str
    changes: list[Change]
    link: tuple[str, dict] | None
    record_name: str = ""


def lines(entries: list[AuditEntry], user, show, language: str = "da") -> list[Line]:
    """Entries described for `user` (viewers lose notes); `show(field, value, names)` formats a value for the reader."""
    names = _ref_names(entries)
    result = []
    for entry in entries:
        found = _descriptions.get(entry.table)
        fields = found.fields if found else {}
        changes = []
        for name, pair in (entry.changes or {}).items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            described = fields.get(name) or Field(name.replace("_", " "))
            if described.kind == "note" and user.is_viewer:
                continue
            old, new = (show(described, value, names) for value in pair)
            changes.append(Change(described.label, old, new))
        if entry.action == "update" and not changes:
            continue  # only notes changed, and this reader does not see notes
        action = (found.actions.get(entry.action) if found else None) or ACTIONS.get(entry.action, entry.action)
        link = _link(entry)
        result.append(
            Line(entry, found.label if found else entry.table, action, changes, link, name_in(entry.record_name, language))
        )
    return result


def _link(entry: AuditEntry):
    page = _descriptions.get(entry.page_table)
    if page is None or page.link is None:
        return None
    endpoint, variable = page.link
    return endpoint, {variable: entry.page_id}


def _ref_names(entries: list[AuditEntry]) -> dict:
    """The names of the records the entries refer to, one query per kind of record."""
    wanted: dict = {}
    for entry in entries:
        found = _descriptions.get(entry.table)
        if found is None:
            continue
        for name, pair in (entry.changes or {}).items():
            described = found.fields.get(name)
            if described is not None and described.kind == "ref" and isinstance(pair, list):
                wanted.setdefault(described.ref, set()).update(v for v in pair if isinstance(v, int))
    names = {}
    for model, ids in wanted.items():
        if ids:
            for record in model.select().where(model.id.in_(list(ids))):
                names[(model, record.id)] = str(record)
    return names
