"""Joint applications: the partner organisations of an application and their shares of the budget, each change
on the record. The lead organisation keeps what the partners' shares leave; members of a partner read the
application and see its deadlines in their calendars and reminders."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from fundtrack.applications.models import WHOLE_BP, Application, Partner
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError


def partners_of(application: Application) -> list[Partner]:
    """The partners with their organisation, by name."""
    return list(
        Partner.select(Partner, Organisation)
        .join(Organisation)
        .where(Partner.application == application)
        .order_by(fn.LOWER(Organisation.name))
    )


def lead_share(application: Application) -> int:
    """The lead organisation's share in basis points: the whole less the partners' shares."""
    taken = Partner.select(fn.SUM(Partner.share_bp)).where(Partner.application == application).scalar() or 0
    return WHOLE_BP - int(taken)


def _validated(application: Application, organisation: Organisation | None, share_bp, existing: Partner | None) -> dict:
    errors: dict = {}
    if existing is None:
        if organisation is None:
            errors["organisation"] = N_("Choose the partner organisation.")
        elif organisation.id == application.organisation_id:
            errors["organisation"] = N_("The lead organisation cannot also be a partner.")
        elif Partner.select().where((Partner.application == application) & (Partner.organisation == organisation)).exists():
            errors["organisation"] = N_("This organisation is a partner already.")
    if share_bp is None:
        errors["share"] = N_("Give the partner's share of the budget.")
    elif not 0 < share_bp < WHOLE_BP:
        errors["share"] = N_("A share is more than 0 % and less than 100 %.")
    else:
        others = Partner.select(fn.SUM(Partner.share_bp)).where(Partner.application == application)
        if existing is not None:
            others = others.where(Partner.id != existing.id)
        if int(others.scalar() or 0) + share_bp >= WHOLE_BP:
            errors["share"] = N_("The partners' shares must leave a share for the lead organisation.")
    if errors:
        raise ValidationError(errors)
    return {"share_bp": share_bp}


def _touch(application: Application, now: dt.datetime) -> None:
    """The application changed for everyone who sees it (calendars and lists notice by its time)."""
    Application.update(updated_at=now).where(Application.id == application.id).execute()


def add_partner(application: Application, organisation: Organisation | None, share_bp, *, actor, now: dt.datetime) -> Partner:
    values = _validated(application, organisation, share_bp, None)
    with db.atomic():
        partner = Partner.create(application=application, organisation=organisation, created_at=now, **values)
        partner.application, partner.organisation = application, organisation
        audit.record_create(actor, partner, now)
        _touch(application, now)
    return partner


def update_partner(partner: Partner, share_bp, *, actor, now: dt.datetime) -> Partner:
    values = _validated(partner.application, partner.organisation, share_bp, partner)
    with db.atomic():
        audit.save_changes(partner, values, actor=actor, now=now)
        _touch(partner.application, now)
    return partner


def remove_partner(partner: Partner, *, actor, now: dt.datetime) -> None:
    with db.atomic():
        audit.record_delete(actor, partner, now)
        partner.delete_instance()
        _touch(partner.application, now)


def partner_choices(application: Application):
    """The organisations that may become partners: active, not the lead, not a partner already."""
    taken = Partner.select(Partner.organisation).where(Partner.application == application)
    return (
        Organisation.select()
        .where(
            Organisation.archived_at.is_null() & (Organisation.id != application.organisation_id) & Organisation.id.not_in(taken)
        )
        .order_by(Organisation.name)
    )
