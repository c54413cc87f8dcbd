"""Calendar subscriptions: issuing secret addresses, and the iCalendar they serve.

The calendar is built with the icalendar library (RFC 5545 and 7986): all-day events for dates,
UTC times for deadlines with a time, a UID per deadline that never changes, SEQUENCE from the
deadline's own counter, DTSTAMP and LAST-MODIFIED from the latest change of anything the event shows.
A completed deadline stays, marked done (✓); removed deadlines and dismissed calls are kept as
CANCELLED for a while so that clients drop them. Reminders (VALARM) come per kind of deadline, with
defaults the subscriber may change or switch off. The bytes are cached per subscription and content
version; the version changes with anything an event shows (the application's title, amount and stage,
the organisation's and funder's names, the deadline itself), so a poll never gets yesterday's text, and
one that finds nothing new costs a few small queries.
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
from peewee import JOIN, SQL, fn

from fundtrack import clock
from fundtrack.applications import shares
from fundtrack.applications.models import STAGES, Application
from fundtrack.audit import services as audit
from fundtrack.auth import events as auth_events
from fundtrack.auth.models import User
from fundtrack.calendars.models import Subscription
from fundtrack.db import UTCDateTimeField, db
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline, CallMatch
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.money import format_dkk
from fundtrack.organisations.models import Organisation
from fundtrack.relationships.models import Relationship
from fundtrack.resources import PACKAGE_DIR
from fundtrack.tasks.models import Task
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
CANCELLED_FOR = dt.timedelta(days=30)  # a removed deadline or a dismissed call stays this long as CANCELLED
PAST_DAYS = 90  # open deadlines this old still show (overdue)
ROUND_HORIZON_DAYS = 400
REFRESH = dt.timedelta(hours=6)
TIMED_EVENT_LENGTH = dt.timedelta(minutes=15)
UTC = dt.UTC
DONE_MARK = "✓ "
ALL_DAY_REMINDER_HOUR = 9  # a reminder days before an all-day event rings at 09:00 that day

# Reminders per kind of event, in minutes before it, until the subscriber changes them.
WEEK, DAY = 7 * 24 * 60, 24 * 60
REMINDER_KINDS = {
    "submission": N_("Submission"),
    "internal_draft": N_("Internal draft due"),
    "decision_expected": N_("Decision expected"),
    "interim_report": N_("Interim report"),
    "final_report": N_("Final report"),
    "custom": N_("Other"),
    "call": N_("Open call"),
    "round": N_("Round"),
}
DEFAULT_REMINDERS = {
    "submission": (WEEK, DAY),
    "internal_draft": (DAY,),
    "decision_expected": (),
    "interim_report": (WEEK,),
    "final_report": (2 * WEEK, WEEK),
    "custom": (DAY,),
    "instalment": (),
    "call": (WEEK,),
    "round": (2 * WEEK,),
}
REMINDER_CHOICES = (2 * WEEK, WEEK, 3 * DAY, DAY, 120)


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
    reminders: bool = True,
    reminder_minutes: dict | None = None,
    actor=None,
    now: dt.datetime,
) -> tuple[Subscription, str]:
    """A new subscription and its token (`<id>-<secret>`), which is shown once and never stored."""
    if (organisation is None) == (user is None):
        raise ValidationError({"owner": N_("A calendar belongs to one organisation or one user.")})
    _check_language(language)
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
            reminders=reminders,
            reminder_minutes=_reminder_minutes(reminder_minutes or {}),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        audit.record_create(actor, subscription, now)
    return subscription, f"{subscription.id}-{secret}"


def _check_language(language: str) -> None:
    if language not in ("da", "en"):
        raise ValidationError({"language": N_("Choose Danish or English.")})


def _reminder_minutes(chosen: dict) -> dict[str, list[int]]:
    """The subscriber's reminders per kind, as far as they differ from the defaults (known kinds, sensible times)."""
    kept = {}
    for kind, minutes in chosen.items():
        if kind not in REMINDER_KINDS:
            continue
        values = sorted({int(m) for m in minutes if 0 <= int(m) <= 60 * 24 * 60}, reverse=True)
        if tuple(values) != DEFAULT_REMINDERS[kind]:
            kept[kind] = values
    return kept


def reminders_of(subscription: Subscription) -> dict[str, tuple[int, ...]]:
    """Minutes before each kind of event that the calendar reminds; nothing when reminders are off."""
    if not subscription.reminders:
        return {}
    chosen = subscription.reminder_minutes or {}
    return {kind: tuple(chosen.get(kind, default)) for kind, default in DEFAULT_REMINDERS.items()}


def update_settings(subscription: Subscription, data: dict, *, actor, now: dt.datetime) -> Subscription:
    """Change what a calendar holds, its name, language and reminders; its address stays the same."""
    _check_language(data.get("language", subscription.language))
    values = {
        "name": (data.get("name") or "").strip()[:200],
        "language": data.get("language", subscription.language),
        "include_deadlines": bool(data.get("include_deadlines")),
        "include_rounds": bool(data.get("include_rounds")),
        "include_calls": bool(data.get("include_calls")),
        "reminders": bool(data.get("reminders")),
        "reminder_minutes": _reminder_minutes(data.get("reminder_minutes") or {}),
    }
    with db.atomic():
        audit.save_changes(subscription, values, actor=actor, now=now)
    return subscription


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


@auth_events.deactivated.connect
def _revoke_with_the_account(user, *, actor, now, **rest):
    """A deactivated user's own calendar addresses stop working with the account."""
    for subscription in Subscription.select().where((Subscription.user == user.id) & Subscription.revoked_at.is_null()):
        revoke(subscription, actor=actor, now=now)


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
    kind: str = "custom"  # a key of REMINDER_KINDS: which reminders it gets
    done: bool = False


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
            (Deadline.deleted_at.is_null() & (Deadline.due_on >= today - dt.timedelta(days=PAST_DAYS)))
            | (Deadline.deleted_at >= recent)
        )
    )
    if organisation_id is not None:  # its own applications' deadlines and its joint applications'
        query = query.where(shares.involves(organisation_id))
    return query


def _task_query(subscription: Subscription, today: dt.date):
    """A person's own calendar holds the tasks assigned to them (an organisation's calendar holds none)."""
    if subscription.user_id is None:
        return Task.select().where(Task.id == 0)
    return Task.select().where((Task.assignee == subscription.user_id) & (Task.due_on >= today - dt.timedelta(days=PAST_DAYS)))


def task_item(task: Task, language: str, base_url: str, t=None) -> Item:
    """A task as an all-day event on its due day, marked ✓ once done."""
    t = t or _translations(language).gettext
    done = task.done_at is not None
    return Item(
        uid=f"task-{task.id}@fundtrack",
        summary=f"{DONE_MARK if done else ''}{t('Task')}: {task.title}",
        description=task.notes,
        url=f"{base_url}/tasks/{task.id}",
        start=task.due_on,
        stamp=task.updated_at,
        kind="task",
        done=done,
    )


def _funder_ids(subscription: Subscription):
    """The funders whose rounds show: an organisation's own funders; every funder for the fundraiser."""
    organisation_id, fundraiser = _scope(subscription)
    if organisation_id is None:
        return None if fundraiser else []
    return [r.funder_id for r in Relationship.select(Relationship.funder).where(Relationship.organisation == organisation_id)]


CALL_WINDOW_DAYS = 366  # a call's deadline further ahead than this is left out of calendars ...
CALL_LIMIT = 300  # ... and so are calls beyond the nearest 300 (the page says so)


def _call_query(subscription: Subscription, today: dt.date):
    """A call's deadlines still to come, once per call and deadline however many matches or sources it has;
    a call dismissed lately stays, to be cancelled."""
    organisation_id, fundraiser = _scope(subscription)
    dismissed = (Call.status == "dismissed") & (Call.dismissed_at >= clock.local_midnight(today - CANCELLED_FOR))
    shown = Call.status.in_(["new", "relevant"]) if organisation_id is not None else (Call.status == "relevant")
    query = CallDeadline.select(CallDeadline, Call).join(Call).where((CallDeadline.due_on >= today) & (shown | dismissed))
    if organisation_id is not None:
        query = query.where(Call.id.in_(CallMatch.select(CallMatch.call).where(CallMatch.organisation == organisation_id)))
    elif not fundraiser:
        query = query.where(Call.id == 0)  # a viewer's calendar holds no calls
    # A calendar stays small whatever the fund databases bring: the nearest deadlines within a year only.
    nearest = (
        query.select(CallDeadline.id)
        .where(CallDeadline.due_on <= today + dt.timedelta(days=CALL_WINDOW_DAYS))
        .order_by(CallDeadline.due_on, CallDeadline.id)
        .limit(CALL_LIMIT)
    )
    return CallDeadline.select(CallDeadline, Call).join(Call).where(CallDeadline.id.in_(nearest))


def collect(subscription: Subscription, today: dt.date, now: dt.datetime, base_url: str) -> list[Item]:
    """Every event of the subscription, in the subscriber's language."""
    language = subscription.language
    t = _translations(language).gettext
    items: list[Item] = []
    if subscription.include_deadlines:
        notes = _shows_notes(subscription)
        for deadline in _deadline_query(subscription, today, now):
            items.append(deadline_item(deadline, language, base_url, t, notes=notes))
        for task in _task_query(subscription, today):
            items.append(task_item(task, language, base_url, t))
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
                        start=funder_services.deadline_moment(round_, day, clock.local_zone()) or day,
                        stamp=max(round_.updated_at, round_.funder.updated_at),
                        kind="round",
                    )
                )
    if subscription.include_calls:
        for call_deadline in _call_query(subscription, today):
            items.append(call_item(call_deadline.call, call_deadline, language, base_url, t))
    return items


def _shows_notes(subscription: Subscription) -> bool:
    """Personal notes are for those who may read them: not in a viewer's calendar."""
    return subscription.organisation_id is not None or subscription.user.role != "viewer"


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
        cancelled=call.status == "dismissed",
        kind="call",
    )


def deadline_item(deadline: Deadline, language: str, base_url: str, t=None, *, notes: bool = True) -> Item:
    """One application deadline as an event: kind, application, funder and amount, with a link back; marked
    ✓ once done, cancelled once removed."""
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
    if notes and deadline.notes:
        lines.append(deadline.notes)
    done = deadline.done_at is not None
    changed = [deadline.updated_at, application.updated_at, application.organisation.updated_at, application.funder.updated_at]
    return Item(
        uid=f"deadline-{deadline.id}@fundtrack",
        summary=f"{DONE_MARK if done else ''}{kind}: {application.title} – {application.funder.name}",
        description="\n".join(lines),
        url=f"{base_url}/applications/{application.id}",
        start=deadline.due_at or deadline.due_on,
        stamp=max(c for c in changed if c is not None),
        sequence=deadline.sequence,
        cancelled=deadline.deleted_at is not None,
        kind=deadline.kind,
        done=done,
    )


def _trigger(minutes: int, all_day: bool) -> dt.timedelta:
    """How long before the event a reminder rings: days before an all-day event, at 09:00 that day."""
    before = dt.timedelta(minutes=minutes)
    if all_day and minutes % DAY == 0:
        return -before + dt.timedelta(hours=ALL_DAY_REMINDER_HOUR)
    return -before


def render(items: list[Item], *, name: str, uid: str, reminders=None, language: str = "da") -> bytes:
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
        if not item.cancelled and not item.done:
            for minutes in (reminders or {}).get(item.kind, ()):
                trigger = _trigger(minutes, not isinstance(item.start, dt.datetime))
                event.add_component(Alarm.new_display(f"{t('Reminder')}: {item.summary}", trigger))
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

    def add(query, key, *columns):
        """How many rows, which (the sum of their ids tells a row swapped for another), and their last changes."""
        selected = [fn.COUNT(SQL("*")), fn.SUM(key), *[fn.MAX(c) for c in columns]]
        count, ids, *latest = query.select(*selected).order_by().scalar(as_tuple=True)
        parts.extend([count, ids, *map(str, latest)])
        changed.extend(UTCDateTimeField().python_value(value) for value in latest if value)

    if subscription.include_deadlines:
        add(
            _deadline_query(subscription, today, now),
            Deadline.id,
            Deadline.updated_at,
            Application.updated_at,
            Organisation.updated_at,
            Funder.updated_at,
        )
        add(_task_query(subscription, today), Task.id, Task.updated_at)
    if subscription.include_rounds:
        funder_ids = _funder_ids(subscription)
        rounds = Round.select().join(Funder)
        if funder_ids is not None:
            rounds = rounds.where(Round.funder.in_(funder_ids or [0]))
        add(rounds, Round.id, Round.updated_at, Funder.updated_at)
    if subscription.include_calls:
        add(_call_query(subscription, today), CallDeadline.id, Call.updated_at)
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
        reminders=reminders_of(subscription),
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
