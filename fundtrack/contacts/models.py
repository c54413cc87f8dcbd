"""Contact people."""

from peewee import BooleanField, CharField, ForeignKeyField

from fundtrack.audit.services import Flag, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found


class Contact(BaseModel):
    """A person at an organisation (who to call, who gets its reminders) or at a funder (a programme officer)."""

    organisation = ForeignKeyField(Organisation, null=True, backref="contacts", on_delete="CASCADE")
    funder = ForeignKeyField(Funder, null=True, backref="contacts", on_delete="CASCADE")
    name = CharField()
    email = CharField(default="")
    phone = CharField(default="")
    title = CharField(default="")
    receives_alerts = BooleanField(default=False)
    bouncing_since = UTCDateTimeField(null=True)  # the mail server refused the address for good; cleared when it changes
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


def _page(contact):
    return ("organisation", contact.organisation_id) if contact.organisation_id else ("funder", contact.funder_id)


describe(
    Contact,
    N_("Contact"),
    {
        "name": Text(N_("Name")),
        "title": Text(N_("Title")),
        "email": Text(N_("E-mail")),
        "phone": Text(N_("Phone")),
        "receives_alerts": Flag(N_("Receives deadline reminders")),
    },
    page=_page,
    organisation=lambda contact: contact.organisation_id,
    search=lambda c: Found(c.name, " ".join([c.title, c.email])),
)
