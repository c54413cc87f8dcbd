"""Whose an application is, once, for every list, calendar, reminder and overview: the lead organisation's, and
each partner's (a joint application), each by its share of the budget.

A share is in basis points of the whole (`WHOLE_BP`); the lead keeps what the partners' shares leave.
"""

from __future__ import annotations

from peewee import Case, Expression, Node, fn

from fundtrack.applications.models import WHOLE_BP, Application, Partner


def involves(organisation_id: int, model=Application) -> Expression:
    """SQL: true for the applications the organisation leads or is a partner of."""
    partnered = Partner.select(Partner.application).where(Partner.organisation == organisation_id)
    return (model.organisation == organisation_id) | model.id.in_(partnered)


def lead_share(model=Application) -> Node:
    """SQL: the lead organisation's share of the application, in basis points."""
    partners = Partner.select(fn.SUM(Partner.share_bp)).where(Partner.application == model.id)
    return WHOLE_BP - fn.COALESCE(partners, 0)


def share_of(organisation_id: int, model=Application) -> Node:
    """SQL: the organisation's share of the application (lead or partner; 0 for neither), in basis points."""
    partner = Partner.select(Partner.share_bp).where(
        (Partner.application == model.id) & (Partner.organisation == organisation_id)
    )
    return Case(None, [(model.organisation == organisation_id, lead_share(model))], fn.COALESCE(partner, 0))


def part(amount: Node, share: Node) -> Node:
    """SQL: an amount in øre times a share, rounded down to whole øre."""
    return amount * share / WHOLE_BP


def organisation_ids(application: Application) -> list[int]:
    """The lead organisation first, then the partners: everyone whose application it is."""
    return [application.organisation_id, *(p.organisation_id for p in Partner.select().where(Partner.application == application))]


def partner_organisations(applications) -> dict[int, list[int]]:
    """The partner organisations of each of the applications (a query of their ids), in one query (for the
    reminders)."""
    found: dict[int, list[int]] = {}
    rows = Partner.select(Partner.application, Partner.organisation).where(Partner.application.in_(applications))
    for application_id, organisation_id in rows.tuples():
        found.setdefault(application_id, []).append(organisation_id)
    return found
