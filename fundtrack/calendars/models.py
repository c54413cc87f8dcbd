"""Calendar subscriptions."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
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
    alarm_minutes = ListField(default=list)  # reminders before each event, e.g. [10080, 1440]
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)
    revoked_at = UTCDateTimeField(null=True)
    last_polled_at = UTCDateTimeField(null=True)
    poll_count = IntegerField(default=0)
