"""Feed sources, the calls they bring, their deadlines and changes, and the organisations they fit."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Flag, Number, Ref, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, ListField, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation

CALL_STATUSES = {
    "new": N_("New"),
    "relevant": N_("Relevant"),
    "dismissed": N_("Dismissed"),
    "converted": N_("Converted"),
}


class FeedSource(BaseModel):
    """An RSS or Atom feed of a fund database, fetched at its own interval, with its health."""

    name = CharField()
    url = CharField(unique=True)
    final_url = CharField(default="")
    active = BooleanField(default=True)
    interval_minutes = IntegerField(default=360)
    etag = CharField(default="")
    last_modified = CharField(default="")
    last_fetch_at = UTCDateTimeField(null=True)
    last_success_at = UTCDateTimeField(null=True)
    next_fetch_at = UTCDateTimeField(null=True, index=True)
    consecutive_failures = IntegerField(default=0)
    # {"message": English msgid, "params": {...}}: shown translated, in plain words.
    last_error = JSONField(null=True)
    last_warning = JSONField(null=True)
    last_result = JSONField(default=dict)  # {"new": n, "updated": n, "unchanged": n} of the last fetch
    created_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


class Call(BaseModel):
    """An open call for applications: one record per call, however often its feed is fetched.

    `identity` is the stable key (guid, else cleaned link, else title and date); `content_hash`
    tells when an entry has changed.
    """

    identity = CharField(unique=True)
    source = ForeignKeyField(FeedSource, null=True, backref="calls", on_delete="SET NULL")
    funder = ForeignKeyField(Funder, null=True, backref="calls", on_delete="SET NULL")
    funder_name = CharField(default="")
    title = CharField()
    link = CharField(default="")
    summary = TextField(default="")  # as the feed gave it; sanitised again whenever it is shown
    summary_text = TextField(default="")  # plain text, for search and matching
    published_at = UTCDateTimeField(null=True)
    rolling = BooleanField(default=False)
    un_goals = ListField(default=list)
    status = CharField(default="new", index=True)
    application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
    content_hash = CharField(default="")
    first_seen_at = UTCDateTimeField(default=now)
    last_seen_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)
    dismissed_at = UTCDateTimeField(null=True)
    dismissed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    # When the call was passed on to the organisations it fits; none yet means the matching job will.
    matched_at = UTCDateTimeField(null=True, index=True)

    class Meta:
        # The inbox lists the newest calls first, within a status.
        indexes = ((("status", "first_seen_at"), False), (("first_seen_at", "id"), False))

    def __str__(self):
        return self.title


class CallDeadline(BaseModel):
    """A deadline of a call, and the words it was found in. A call may have several."""

    call = ForeignKeyField(Call, backref="deadlines", on_delete="CASCADE")
    due_on = DateField(index=True)
    due_at = UTCDateTimeField(null=True)
    timezone = CharField(default="")  # the zone the text named, else the installation's
    found_in = CharField(default="")


class CallChange(BaseModel):
    """What changed in a call between two fetches (a moved deadline shows here)."""

    call = ForeignKeyField(Call, backref="changes", on_delete="CASCADE")
    changed_at = UTCDateTimeField(default=now)
    field = CharField()
    old = TextField(default="")
    new = TextField(default="")


class CallMatch(BaseModel):
    """A call passed on to an organisation it fits, with the words or goals that made it fit."""

    call = ForeignKeyField(Call, backref="matches", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="call_matches", on_delete="CASCADE")
    reasons = ListField(default=list)
    matched_at = UTCDateTimeField(default=now)
    notified_at = UTCDateTimeField(null=True)  # set when the organisation's digest has been sent

    class Meta:
        indexes = ((("call", "organisation"), True),)


describe(
    FeedSource,
    N_("Feed source"),
    {
        "name": Text(N_("Name")),
        "url": Text(N_("Feed address")),
        "active": Flag(N_("Active")),
        "interval_minutes": Number(N_("Fetch every (minutes)")),
    },
    secret=(
        "final_url",
        "etag",
        "last_modified",
        "last_fetch_at",
        "last_success_at",
        "next_fetch_at",
        "consecutive_failures",
        "last_error",
        "last_warning",
        "last_result",
    ),
)

describe(
    Call,
    N_("Open call"),
    {
        "title": Text(N_("Title")),
        "status": Choice(N_("Status"), CALL_STATUSES),
        "funder": Ref(N_("Funder"), Funder),
        "application": Ref(N_("Application"), Application),
        "link": Text(N_("Link")),
    },
    link=("calls.show", "call_id"),
    secret=(
        "identity",
        "summary",
        "summary_text",
        "content_hash",
        "first_seen_at",
        "last_seen_at",
        "dismissed_at",
        "dismissed_by",
        "matched_at",
        "source",
    ),
)
