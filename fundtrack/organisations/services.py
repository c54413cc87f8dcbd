"""Reading and writing organisations, each change on the record."""

from __future__ import annotations

import datetime as dt
import re

from peewee import fn

from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.organisations import events
from fundtrack.organisations.models import ORGANISATION_KINDS, Organisation
from fundtrack.tags import parse_tags, parse_un_goals
from fundtrack.validation import ValidationError, require

CVR = re.compile(r"^\d{8}$")
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "cvr_number",
    "description",
    "website",
    "interests",
    "keywords",
    "excluded_words",
    "un_goals",
)


def visible_organisations(user):
    """Members see their own organisation; fundraisers and viewers see all."""
    query = Organisation.select()
    if user.is_member:
        query = query.where(Organisation.id == user.organisation_id)
    return query


def organisation_by_name(name: str) -> Organisation | None:
    """The organisation called `name`, ignoring case and surrounding spaces."""
    return Organisation.get_or_none(fn.LOWER(Organisation.name) == name.strip().lower())


def validate_organisation(data: dict, existing: Organisation | None) -> dict:
    """The cleaned values of an organisation, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    name = (data.get("name") or "").strip()
    require(errors, "name", name)
    if name:
        clash = organisation_by_name(name)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = N_("An organisation with this name exists already.")
    kind = data.get("kind") or "enterprise"
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    cvr = (data.get("cvr_number") or "").replace(" ", "") or None
    if cvr and not CVR.match(cvr):
        errors["cvr_number"] = N_("A CVR number has 8 digits.")
    try:
        goals = parse_un_goals(data.get("un_goals"))
    except ValueError:
        errors["un_goals"] = N_("UN goals are numbers from 1 to 17.")
        goals = []
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": kind,
        "cvr_number": cvr,
        "description": (data.get("description") or "").strip(),
        "website": (data.get("website") or "").strip(),
        "interests": parse_tags(data.get("interests")),
        "keywords": parse_tags(data.get("keywords")),
        "excluded_words": parse_tags(data.get("excluded_words")),
        "un_goals": goals,
    }


def create_organisation(data: dict, *, actor, now: dt.datetime) -> Organisation:
    """A new organisation, on the record."""
    values = validate_organisation(data, None)
    with db.atomic():
        organisation = Organisation.create(**values, created_at=now, updated_at=now)
        audit.record_create(actor, organisation, now)
        events.changed.send(organisation, changes={k: [None, v] for k, v in values.items()}, actor=actor, now=now)
    return organisation


def update_organisation(organisation: Organisation, data: dict, *, actor, now: dt.datetime) -> Organisation:
    """Change an organisation's profile; the domains above hear what changed (its interests, say)."""
    values = validate_organisation({**{k: getattr(organisation, k) for k in ORGANISATION_FIELDS}, **data}, organisation)
    with db.atomic():
        changes = audit.save_changes(organisation, values, actor=actor, now=now)
        if changes:
            events.changed.send(organisation, changes=changes, actor=actor, now=now)
    return organisation


def set_archived(organisation: Organisation, archived: bool, *, actor, now: dt.datetime) -> None:
    """Archive an organisation (it leaves the pick-lists and the matching) or bring it back."""
    with db.atomic():
        changes = audit.save_changes(organisation, {"archived_at": now if archived else None}, actor=actor, now=now)
        if changes:
            events.changed.send(organisation, changes=changes, actor=actor, now=now)
