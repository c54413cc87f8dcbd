"""Calendar subscriptions."""

from peewee import BooleanField, CharField, ForeignKeyField

from fundtrack.audit.services import Flag, Moment, Ref, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation


class Subscription(BaseModel):
    """A secret calendar address for an organisation or a user. Only a hash of its secret is kept.

    The address is `/calendars/<id>-<secret>.ics`: the id finds the row, and the secret is compared
    with the stored hash in constant time.
    """

    organisation = ForeignKeyField(Organisation, null=True, backref="calendar_subscriptions", on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, backref="calendar_subscriptions", on_delete="CASCADE")
    name = CharField(default="")
    secret_hash = CharField()
    language = CharField(default="da")
    include_deadlines = BooleanField(default=True)
    include_rounds = BooleanField(default=True)
    include_calls = BooleanField(default=True)
    reminders = BooleanField(default=True)  # reminders (VALARM) in the events, per kind of event
    reminder_minutes = JSONField(default=dict)  # {kind: [minutes before]} where the subscriber changed the defaults
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)
    revoked_at = UTCDateTimeField(null=True)


describe(
    Subscription,
    N_("Calendar"),
    {
        "name": Text(N_("Name")),
        "organisation": Ref(N_("Organisation"), Organisation),
        "user": Ref(N_("User"), User),
        "language": Text(N_("Language")),
        "include_deadlines": Flag(N_("Application deadlines")),
        "include_rounds": Flag(N_("Rounds")),
        "include_calls": Flag(N_("Open calls")),
        "reminders": Flag(N_("Reminders")),
        "revoked_at": Moment(N_("Revoked")),
    },
    organisation=lambda subscription: (
        subscription.organisation_id or (subscription.user.organisation_id if subscription.user_id else None)
    ),
    secret=("secret_hash", "created_by", "reminder_minutes"),
    actions={"rotate": N_("given a new address")},
    name=lambda subscription: subscription.name,
)
