"""Calendar subscriptions: issuing secret addresses, and the iCalendar they serve.

The calendar is built with the icalendar library (RFC 5545 and 7986): all-day events for dates,
UTC times for deadlines with a time, a UID per deadline that never changes, SEQUENCE from the
deadline's own counter, DTSTAMP and LAST-MODIFIED from the stored change time, and removed or
completed deadlines kept as CANCELLED for a while so that clients drop them. The bytes are cached
per subscription and content version, so a poll that finds nothing new costs a few small queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import format_date
from babel.support import Translations
from icalendar import Alarm, Calendar, Event
from peewee import JOIN, fn

from fundtrack import clock
from fundtrack.applications.models import STAGES, Application
from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.calendars.models import Subscription
from fundtrack.db import db
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline, CallMatch
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.money import format_dkk
from fundtrack.organisations.models import Organisation
from fundtrack.relationships.models import Relationship
from fundtrack.resources import PACKAGE_DIR
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY, ValidationError

# Words of event texts, translated with the subscriber's catalogue (listed here for the extractor).
EVENT_WORDS = (
    N_("Open call"),
    N_("Reminder"),
    N_("Round"),
    N_("Funder"),
    N_("Organisation"),
    N_("Stage"),
    N_("Requested"),
    N_("Granted"),
    N_("Date"),
    N_("Deadlines"),
)
TOKEN_BYTES = 32
CANCELLED_FOR = dt.timedelta(days=30)  # a removed or completed deadline stays this long as CANCELLED
PAST_DAYS = 90  # open deadlines this old still show (overdue)
ROUND_HORIZON_DAYS = 400
REFRESH = dt.timedelta(hours=6)
TIMED_EVENT_LENGTH = dt.timedelta(minutes=15)
UTC = dt.UTC


# Issuing, finding and revoking.


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue(
    *,
    organisation: Organisation | None = None,
    user=None,
    name: str = "",
    language: str = "da",
    include_deadlines: bool = True,
    include_rounds: bool = True,
    include_calls: bool = True,
    alarm_minutes=(),
    actor=None,
    now: dt.datetime,
) -> tuple[Subscription, str]:
    """A new subscription and its token (`<id>-<secret>`), which is shown once and never stored."""
    if (organisation is None) == (user is None):
        raise ValidationError({"owner": N_("A calendar belongs to one organisation or one user.")})
    if language not in ("da", "en"):
        raise ValidationError({"language": N_("Choose Danish or English.")})
    minutes = sorted({int(m) for m in alarm_minutes if 0 <= int(m) <= 60 * 24 * 60})
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with db.atomic():
        subscription = Subscription.create(
            organisation=organisation,
            user=user,
            name=(name or "").strip()[:200],
            secret_hash=_hash(secret),
            language=language,
            include_deadlines=include_deadlines,
            include_rounds=include_rounds,
            include_calls=include_calls,
            alarm_minutes=minutes,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        audit.record_create(actor, subscription, now)
    return subscription, f"{subscription.id}-{secret}"


def rotate(subscription: Subscription, *, actor=None, now: dt.datetime) -> str:
    """A new secret for the same subscription: the old address stops working at once."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with db.atomic():
        audit.save_changes(subscription, {"secret_hash": _hash(secret)}, actor=actor, now=now)
        audit.record_action(actor, subscription, "rotate", now)
    return f"{subscription.id}-{secret}"


def revoke(subscription: Subscription, *, actor=None, now: dt.datetime) -> None:
    """The address stops working for good."""
    with db.atomic():
        audit.save_changes(subscription, {"revoked_at": now}, actor=actor, now=now)


def find(token: str) -> Subscription | None:
    """The live subscription a token opens, or None; the secret is compared in constant time."""
    subscription_id, _, secret = (token or "").partition("-")
    if not subscription_id.isdigit() or not secret or len(secret) > 100:
        return None
    subscription = Subscription.get_or_none(Subscription.id == int(subscription_id))
    if subscription is None or subscription.revoked_at is not None:
        _hash(secret)  # the same work as a real comparison, whether or not the id exists
        return None
    if not hmac.compare_digest(_hash(secret), subscription.secret_hash):
        return None
    return subscription


# What a calendar holds.


@dataclass
class Item:
    """One event, before it is written as iCalendar."""

    uid: str
    summary: str
    description: str
    url: str
    start: dt.date | dt.datetime
    stamp: dt.datetime
    sequence: int = 0
    cancelled: bool = False


@lru_cache(maxsize=4)
def _translations(language: str) -> Translations:
    return Translations.load(str(PACKAGE_DIR / "translations"), [language])


def _scope(subscription: Subscription):
    """(organisation id or None for everything, is fundraiser) of what the subscription may show."""
    if subscription.organisation_id:
        return subscription.organisation_id, False
    user = subscription.user
    if user.role == "member":
        return user.organisation_id, False
    return None, user.role == "fundraiser"


def _deadline_query(subscription: Subscription, today: dt.date, now: dt.datetime):
    organisation_id, _ = _scope(subscription)
    # Windows move at local midnight, never in between, so that a calendar changes only when its data does.
    recent = clock.local_midnight(today - CANCELLED_FOR)
    query = (
        Deadline.select(Deadline, Application, Organisation, Funder)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(
            (
                Deadline.done_at.is_null()
                & Deadline.deleted_at.is_null()
                & (Deadline.due_on >= today - dt.timedelta(days=PAST_DAYS))
            )
            | (Deadline.done_at >= recent)
            | (Deadline.deleted_at >= recent)
        )
    )
    if organisation_id is not None:
        query = query.where(Application.organisation == organisation_id)
    return query


def _funder_ids(subscription: Subscription):
    """The funders whose rounds show: an organisation's own funders; every funder for the fundraiser."""
    organisation_id, fundraiser = _scope(subscription)
    if organisation_id is None:
        return None if fundraiser else []
    return [r.funder_id for r in Relationship.select(Relationship.funder).where(Relationship.organisation == organisation_id)]


def _call_query(subscription: Subscription, today: dt.date):
    organisation_id, fundraiser = _scope(subscription)
    query = (
        CallDeadline.select(CallDeadline, Call)
        .join(Call)
        .where((CallDeadline.due_on >= today) & (Call.status.in_(["new", "relevant"])))
    )
    if organisation_id is not None:
        query = query.where(Call.id.in_(CallMatch.select(CallMatch.call).where(CallMatch.organisation == organisation_id)))
    elif fundraiser:
        query = query.where(Call.status == "relevant")
    else:
        query = query.where(Call.id == 0)  # a viewer's calendar holds no calls
    return query


def collect(subscription: Subscription, today: dt.date, now: dt.datetime, base_url: str) -> list[Item]:
    """Every event of the subscription, in the subscriber's language."""
    language = subscription.language
    t = _translations(language).gettext
    items: list[Item] = []
    if subscription.include_deadlines:
        for deadline in _deadline_query(subscription, today, now):
            items.append(deadline_item(deadline, language, base_url, t))
    if subscription.include_rounds:
        funder_ids = _funder_ids(subscription)
        if funder_ids is None or funder_ids:
            for round_, day in funder_services.upcoming_rounds(
                today, funder_ids=funder_ids, per_round=3, within_days=ROUND_HORIZON_DAYS
            ):
                items.append(
                    Item(
                        uid=f"round-{round_.id}-{day.isoformat()}@fundtrack",
                        summary=f"{t('Round')}: {round_.funder.name} – {round_.name}",
                        description=f"{t('Funder')}: {round_.funder.name}",
                        url=f"{base_url}/funders/{round_.funder_id}",
                        start=day,
                        stamp=round_.updated_at,
                    )
                )
    if subscription.include_calls:
        for call_deadline in _call_query(subscription, today):
            items.append(call_item(call_deadline.call, call_deadline, language, base_url, t))
    return items


def call_item(call: Call, deadline: CallDeadline, language: str, base_url: str, t=None) -> Item:
    """A call's deadline as an event. A call's deadlines are renewed when it changes: the date is in the UID."""
    t = t or _translations(language).gettext
    return Item(
        uid=f"call-{call.id}-{deadline.due_on.isoformat()}@fundtrack",
        summary=f"{t('Open call')}: {call.title}",
        description="\n".join(filter(None, [call.funder_name and f"{t('Funder')}: {call.funder_name}", call.link])),
        url=f"{base_url}/calls/{call.id}",
        start=deadline.due_at or deadline.due_on,
        stamp=call.updated_at,
    )


def deadline_item(deadline: Deadline, language: str, base_url: str, t=None) -> Item:
    """One application deadline as an event: kind, application, funder and amount, with a link back."""
    t = t or _translations(language).gettext
    application = deadline.application
    kind = t(DEADLINE_KINDS[deadline.kind]) + (f" ({deadline.title})" if deadline.title else "")
    lines = [
        f"{t('Organisation')}: {application.organisation.name}",
        f"{t('Funder')}: {application.funder.name}",
        f"{t('Stage')}: {t(STAGES[application.stage])}",
    ]
    if application.amount_requested_ore:
        lines.append(f"{t('Requested')}: {format_dkk(application.amount_requested_ore, language)}")
    if application.amount_granted_ore:
        lines.append(f"{t('Granted')}: {format_dkk(application.amount_granted_ore, language)}")
    if deadline.due_at:
        lines.append(f"{t('Date')}: {format_date(deadline.due_on, 'long', locale=language)}")
    gone = deadline.deleted_at or deadline.done_at
    return Item(
        uid=f"deadline-{deadline.id}@fundtrack",
        summary=f"{kind}: {application.title} – {application.funder.name}",
        description="\n".join(lines),
        url=f"{base_url}/applications/{application.id}",
        start=deadline.due_at or deadline.due_on,
        stamp=max(deadline.updated_at, gone) if gone else deadline.updated_at,
        sequence=deadline.sequence,
        cancelled=gone is not None,
    )


def render(items: list[Item], *, name: str, uid: str, alarm_minutes=(), language: str = "da") -> bytes:
    """The iCalendar bytes for `items` (deterministic: the same items give the same bytes)."""
    t = _translations(language).gettext
    calendar = Calendar.new(name=name, method="PUBLISH", prodid="-//fundtrack//fundtrack//DA", uid=uid)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT6H")
    for item in sorted(items, key=lambda i: (str(i.start), i.uid)):
        day = item.start.date() if isinstance(item.start, dt.datetime) else item.start
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            continue  # a date stored before the window was enforced (9999-12-31) is no event anyone can keep
        if isinstance(item.start, dt.datetime):
            start = item.start.astimezone(UTC)
            end = start + TIMED_EVENT_LENGTH
        else:
            start, end = item.start, item.start + dt.timedelta(days=1)  # all day: DTEND is the next day, exclusive
        stamp = item.stamp.astimezone(UTC)
        event = Event.new(
            summary=item.summary,
            start=start,
            end=end,
            uid=item.uid,
            sequence=item.sequence,
            stamp=stamp,
            last_modified=stamp,
            description=item.description,
            url=item.url,
            status="CANCELLED" if item.cancelled else "CONFIRMED",
            transparency="TRANSPARENT",
        )
        if not item.cancelled:
            for minutes in alarm_minutes:
                event.add_component(Alarm.new_display(f"{t('Reminder')}: {item.summary}", -dt.timedelta(minutes=minutes)))
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_name(subscription: Subscription) -> str:
    t = _translations(subscription.language).gettext
    owner = subscription.organisation.name if subscription.organisation_id else subscription.user.name
    return subscription.name or f"fundtrack: {t('Deadlines')} – {owner}"


# Versions and the cache.


def version(subscription: Subscription, today: dt.date, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A key that changes whenever the calendar's content may change, and the data's last change time.

    A handful of aggregate queries: this is all a poll costs when nothing has changed.
    """
    parts = [subscription.id, subscription.updated_at.isoformat(), today.isoformat()]
    changed = [subscription.updated_at]
    if subscription.include_deadlines:
        count, latest = (
            _deadline_query(subscription, today, now)
            .select(fn.COUNT(Deadline.id), fn.MAX(Deadline.updated_at))
            .order_by()
            .scalar(as_tuple=True)
        )
        parts += [count, str(latest)]
        if latest:
            changed.append(Deadline.updated_at.python_value(latest))
    if subscription.include_rounds:
        funder_ids = _funder_ids(subscription)
        rounds = Round.select(fn.COUNT(Round.id), fn.MAX(Round.updated_at))
        if funder_ids is not None:
            rounds = rounds.where(Round.funder.in_(funder_ids or [0]))
        count, latest = rounds.scalar(as_tuple=True)
        parts += [count, str(latest)]
        if latest:
            changed.append(Round.updated_at.python_value(latest))
    if subscription.include_calls:
        count, latest = (
            _call_query(subscription, today)
            .select(fn.COUNT(CallDeadline.id), fn.MAX(Call.updated_at))
            .order_by()
            .scalar(as_tuple=True)
        )
        parts += [count, str(latest)]
        if latest:
            changed.append(Call.updated_at.python_value(latest))
    midnight = clock.local_midnight(today)  # the windows move once a day, at local midnight
    last_modified = max([c for c in changed if c is not None and c <= now] + [min(midnight, now)])
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), last_modified.replace(microsecond=0)


@dataclass
class Built:
    body: bytes
    etag: str
    last_modified: dt.datetime


class _Cache:
    """The last bodies built, per subscription and version (small: one per subscription is what matters)."""

    def __init__(self, size: int = 64):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key, value):
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


cache = _Cache()


def calendar_for(subscription: Subscription, today: dt.date, now: dt.datetime, base_url: str) -> Built:
    """The subscription's calendar: from the cache while its version holds, else built anew."""
    key, last_modified = version(subscription, today, now)
    cached = cache.get((subscription.id, key))
    if cached is not None:
        return cached
    body = render(
        collect(subscription, today, now, base_url),
        name=calendar_name(subscription),
        uid=f"subscription-{subscription.id}@fundtrack",
        alarm_minutes=subscription.alarm_minutes,
        language=subscription.language,
    )
    built = Built(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"', last_modified=last_modified)
    cache.put((subscription.id, key), built)
    return built


def subscriptions_for(user):
    """The subscriptions a user may see and manage: all for fundraisers; own and own organisation's for members."""
    query = Subscription.select().where(Subscription.revoked_at.is_null())
    if user.is_fundraiser:
        return query
    condition = Subscription.user == user.id
    if user.is_member:
        condition |= Subscription.organisation == user.organisation_id
    return query.where(condition)


def listed_for(user):
    """The user's subscriptions with their organisation and person joined, newest first (for the calendars page)."""
    owner = User.alias("owner")
    return (
        subscriptions_for(user)
        .select(Subscription, Organisation, owner)
        .join(Organisation, JOIN.LEFT_OUTER, on=(Subscription.organisation == Organisation.id))
        .switch(Subscription)
        .join(owner, JOIN.LEFT_OUTER, on=(Subscription.user == owner.id), attr="user")
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
    )
