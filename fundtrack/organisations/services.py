"""Reading and writing organisations and their contacts."""
from __future__ import annotations

import datetime as dt
import re

from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import ORGANISATION_KINDS, Contact, Organisation
from fundtrack.validation import ValidationError, require

CVR = re.compile(r"^\d{8}$")
ORGANISATION_FIELDS = ("name", "kind", "cvr_number", "description", "website", "interests", "keywords", "excluded_words",
                       "un_goals")


def visible_organisations(user):
    """Members see their own organisation; fundraisers and viewers see all."""
    query = Organisation.select()
    if user.is_member:
        query = query.where(Organisation.id == user.organisation_id)
    return query


def parse_tags(text: str | list | None) -> list[str]:
    """Tags from a comma- or semicolon-separated text, trimmed, lower-cased and without repeats."""
    if text is None:
        return []
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text)
    seen: list[str] = []
    for item in items:
        tag = str(item).strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def parse_un_goals(value: str | list | None) -> list[int]:
    """UN Sustainable Development Goals as numbers 1 to 17; ValueError names the bad one."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
    goals: list[int] = []
    for item in items:
        text = str(item).strip().removeprefix("#").removeprefix("SDG").strip()
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= 17:
            raise ValueError(f"{item!r} is not a UN goal (1-17)")
        if int(text) not in goals:
            goals.append(int(text))
    return sorted(goals)


def _validated(data: dict, existing: Organisation | None) -> dict:
    errors: dict = {}
    name = (data.get("name") or "").strip()
    require(errors, "name", name)
    if name:
        clash = Organisation.select().where(Organisation.name == name)
        if existing is not None:
            clash = clash.where(Organisation.id != existing.id)
        if clash.exists():
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
        "name": name, "kind": kind, "cvr_number": cvr,
        "description": (data.get("description") or "").strip(),
        "website": (data.get("website") or "").strip(),
        "interests": parse_tags(data.get("interests")),
        "keywords": parse_tags(data.get("keywords")),
        "excluded_words": parse_tags(data.get("excluded_words")),
        "un_goals": goals,
    }


def create_organisation(data: dict, *, actor, now: dt.datetime) -> Organisation:
    values = _validated(data, None)
    with db.atomic():
        organisation = Organisation.create(**values, created_at=now, updated_at=now)
        audit.record_create(actor, organisation, now)
    return organisation


def update_organisation(organisation: Organisation, data: dict, *, actor, now: dt.datetime) -> Organisation:
    values = _validated(data, organisation)
    with db.atomic():
        audit.save_changes(organisation, values, actor=actor, now=now)
    return organisation


def set_archived(organisation: Organisation, archived: bool, *, actor, now: dt.datetime) -> None:
    with db.atomic():
        audit.save_changes(organisation, {"archived_at": now if archived else None}, actor=actor, now=now)


def validated_contact(data: dict) -> dict:
    """Name, title, e-mail and phone of a contact person (of an organisation or a funder), checked."""
    errors: dict = {}
    require(errors, "name", data.get("name"))
    email = (data.get("email") or "").strip()
    if email and "@" not in email:
        errors["email"] = N_("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)
    return {"name": data["name"].strip(), "email": email, "phone": (data.get("phone") or "").strip(),
            "title": (data.get("title") or "").strip()}


def add_contact(organisation: Organisation, data: dict, *, now: dt.datetime) -> Contact:
    return Contact.create(organisation=organisation, **validated_contact(data),
                          receives_alerts=bool(data.get("receives_alerts", True)), created_at=now)


def remove_contact(contact: Contact) -> None:
    contact.delete_instance()
