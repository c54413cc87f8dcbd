"""Feed sources, the calls they bring, their deadlines and changes, and the organisations they fit."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Flag, Moment, Number, Ref, Tags, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, JSONField, ListField, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found

DATE_ORDERS = {
    "": N_("From the feed's language (unknown: ambiguous dates are not read)"),
    "dmy": N_("Day first (Danish, British): 03/04/2027 is 3 April"),
    "mdy": N_("Month first (American): 03/04/2027 is 4 March"),
}
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
    date_order = CharField(default="")  # a key of DATE_ORDERS: how numeric dates such as 03/04/2027 are read
    # Link parameters seen to change between fetches of the same entry (session tokens by another name),
    # learnt by the fetches and left out of its links' identity from then on.
    volatile_parameters = ListField(default=list)
    created_at = UTCDateTimeField(default=now)

    def __str__(self):
        return self.name


class Call(BaseModel):
    """An open call for applications: one record per call, however often and from however many sources it
    arrives (each source's entry is a CallSource). `source` is the one whose text the call shows;
    `content_hash` tells when that entry has changed. `link_key` (the link without tracking and session
    parameters) and `title_key` find the same call arriving from another source.

    The deadlines (CallDeadline) are what the feed says, or a fundraiser's correction: then `feed_deadlines`
    keeps what the feed says, and a change of the feed's own deadline text (`corrected_against` no longer
    matches) flags the call for a look instead of undoing the correction.
    """

    source = ForeignKeyField(FeedSource, null=True, backref="calls", on_delete="SET NULL")
    funder = ForeignKeyField(Funder, null=True, backref="calls", on_delete="SET NULL")
    funder_name = CharField(default="")
    title = CharField()
    link = CharField(default="")
    link_key = CharField(default="", index=True)
    title_key = CharField(default="", index=True)
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
    # Dates the text gives that are no application deadline: [{"kind", "on", "found_in"}].
    other_dates = JSONField(default=list)
    feed_deadlines = JSONField(default=list)  # what the feed says: [{"due_on", "due_at", "timezone", "found_in"}]
    feed_deadline_text = TextField(default="")  # the phrases the feed's deadlines were read from
    deadlines_corrected_at = UTCDateTimeField(null=True)
    deadlines_corrected_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    corrected_against = TextField(default="")  # the feed's deadline text when the correction was made
    needs_review = BooleanField(default=False, index=True)

    class Meta:
        # The inbox lists the newest calls first, within a status.
        indexes = ((("status", "first_seen_at"), False), (("first_seen_at", "id"), False))

    def __str__(self):
        return self.title


class CallSource(BaseModel):
    """One source's entry of a call: how the source names it (`identity`: its guid, else its link without
    tracking parameters, else its title and date), and when the source last had it."""

    call = ForeignKeyField(Call, backref="sources", on_delete="CASCADE")
    source = ForeignKeyField(FeedSource, backref="entries", on_delete="CASCADE")
    identity = CharField()
    link = CharField(default="")
    link_base = CharField(default="", index=True)  # scheme, host and path: entries whose parameters alone differ
    first_seen_at = UTCDateTimeField(default=now)
    last_seen_at = UTCDateTimeField(default=now)

    class Meta:
        indexes = ((("source", "identity"), True), (("call", "source"), True))


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
    set_aside_at = UTCDateTimeField(null=True)  # the organisation has looked at it: off its "my work" list

    class Meta:
        indexes = ((("call", "organisation"), True),)


class GoalWords(BaseModel):
    """The words by which a call's text shows that it serves a UN goal, as the fundraiser has edited them; a
    goal without a row uses the words in `feeds.matching.DEFAULT_GOAL_WORDS`."""

    goal = IntegerField(unique=True)
    words_da = ListField(default=list)
    words_en = ListField(default=list)
    updated_at = UTCDateTimeField(default=now)


describe(
    FeedSource,
    N_("Feed source"),
    {
        "name": Text(N_("Name")),
        "url": Text(N_("Feed address")),
        "active": Flag(N_("Active")),
        "interval_minutes": Number(N_("Fetch every (minutes)")),
        "date_order": Choice(N_("Numeric dates"), DATE_ORDERS),
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
        "volatile_parameters",
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
        "rolling": Flag(N_("Rolling")),
        "deadlines": Text(N_("Deadlines")),
        "deadlines_corrected_at": Moment(N_("Deadlines corrected")),
        "needs_review": Flag(N_("Needs a look")),
    },
    link=("calls.show", "call_id"),
    actions={
        "correct_deadlines": N_("deadlines corrected"),
        "keep_correction": N_("correction kept after the feed changed"),
        "use_feed_deadlines": N_("deadlines from the feed again"),
        "set_aside": N_("set aside by the organisation"),
    },
    search=lambda call: Found(call.title, call.summary_text, "staff"),
    secret=(
        "link_key",
        "title_key",
        "other_dates",
        "feed_deadlines",
        "feed_deadline_text",
        "corrected_against",
        "deadlines_corrected_by",
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

describe(
    GoalWords,
    N_("UN goal words"),
    {"words_da": Tags(N_("Danish words")), "words_en": Tags(N_("English words"))},
    name=lambda row: f"UN {row.goal}",
)
