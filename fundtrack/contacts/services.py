"""Adding, changing and removing contact people, each change on the record."""

from __future__ import annotations

import datetime as dt

from fundtrack import undo
from fundtrack.audit import services as audit
from fundtrack.contacts.models import Contact
from fundtrack.db import db
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, require, valid_email

FIELDS = ("name", "title", "email", "phone", "receives_alerts")


def changeable_contacts(user):
    """The contacts `user` may change: a member only their own organisation's; fundraisers all."""
    if user.is_fundraiser:
        return Contact.select()
    if user.is_member:
        return Contact.select().where(Contact.organisation == user.organisation_id)
    return Contact.select().where(Contact.id == 0)


def validate_contact(data: dict) -> dict:
    """Name, title, e-mail and phone of a contact person, checked (forms and imports alike)."""
    errors: dict = {}
    require(errors, "name", data.get("name"))
    email = (data.get("email") or "").strip().lower()
    if email and not valid_email(email):
        errors["email"] = N_("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)
    return {
        "name": data["name"].strip(),
        "email": email,
        "phone": (data.get("phone") or "").strip(),
        "title": (data.get("title") or "").strip(),
        "receives_alerts": bool(data.get("receives_alerts")),
    }


def add_contact(owner: Organisation | Funder, data: dict, *, actor, now: dt.datetime) -> Contact:
    """A new contact of an organisation or a funder; only an organisation's contacts receive reminders."""
    values = validate_contact(data)
    if isinstance(owner, Funder):
        values["receives_alerts"] = False
    with db.atomic():
        contact = Contact.create(
            **values,
            organisation=owner if isinstance(owner, Organisation) else None,
            funder=owner if isinstance(owner, Funder) else None,
            created_at=now,
            updated_at=now,
        )
        audit.record_create(actor, contact, now)
    return contact


def update_contact(contact: Contact, data: dict, *, actor, now: dt.datetime) -> Contact:
    """Check and keep a contact's changes; a funder's contact receives no reminders (they are for the partners)."""
    values = validate_contact(data)
    if contact.funder_id:
        values["receives_alerts"] = False
    address_before = contact.email
    with db.atomic():
        audit.save_changes(contact, values, actor=actor, now=now)
        if contact.bouncing_since is not None and contact.email.lower() != address_before.lower():
            Contact.update(bouncing_since=None).where(Contact.id == contact.id).execute()  # a new address is tried again
            contact.bouncing_since = None
    return contact


def remove_contact(contact: Contact, *, actor, now: dt.datetime) -> undo.Removed:
    """Remove a contact; the History keeps who it was, and a copy is kept a while for undo."""
    with db.atomic():
        audit.record_delete(actor, contact, now)
        removed = undo.keep_copy(contact, actor=actor, now=now)
        contact.delete_instance()
    return removed


def restore_contact(removed_id: int, *, actor, now: dt.datetime) -> Contact | None:
    """Take a removal back: the contact as it was, on the record again."""
    with db.atomic():
        contact = undo.put_back(Contact, removed_id)
        if contact is not None:
            audit.record_action(actor, contact, "restore", now)
    return contact


def contacts_of(owner: Organisation | Funder) -> list[Contact]:
    """The contacts of an organisation or a funder, by name."""
    field = Contact.organisation if isinstance(owner, Organisation) else Contact.funder
    return list(Contact.select().where(field == owner.id).order_by(Contact.name))
