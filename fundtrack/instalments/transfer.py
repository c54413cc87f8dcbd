"""Instalments as export records."""

from fundtrack.applications.models import Application
from fundtrack.applications.services import visible_applications
from fundtrack.funders.models import Funder
from fundtrack.instalments.models import Instalment
from fundtrack.money import kroner
from fundtrack.organisations.models import Organisation

EXPORT_COLUMNS = [
    "id",
    "application",
    "application_id",
    "organisation",
    "organisation_id",
    "funder",
    "funder_id",
    "planned_on",
    "planned_amount",
    "condition",
    "received_on",
    "received_amount",
]


def visible_instalments(user):
    """The instalments of the applications `user` may see, with application, organisation and funder joined."""
    return (
        Instalment.select(Instalment, Application, Organisation, Funder)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Application.id.in_(visible_applications(user).select(Application.id)))
        .order_by(Instalment.planned_on, Instalment.id)
    )


def export_instalments(query) -> list[dict]:
    """Instalments with their application, organisation and funder by name beside the id; amounts in DKK."""
    return [
        {
            "id": i.id,
            "application": i.application.title,
            "application_id": i.application_id,
            "organisation": i.application.organisation.name,
            "organisation_id": i.application.organisation_id,
            "funder": i.application.funder.name,
            "funder_id": i.application.funder_id,
            "planned_on": i.planned_on,
            "planned_amount": kroner(i.planned_ore),
            "condition": i.condition,
            "received_on": i.received_on,
            "received_amount": kroner(i.received_ore),
        }
        for i in query
    ]
