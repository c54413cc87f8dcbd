"""Planning reminders into the outbox, claiming them for delivery, and recording what happened.

Delivery is at most once per claim: a run claims rows, sends outside any transaction, then marks
them sent. A failed send puts the row back with a later attempt time (nothing is dropped). A process
that dies after claiming leaves the claim to go stale; the next run after `claim_timeout` releases and
sends it. That is the one window in which a message can arrive twice (if the process died after the
SMTP server accepted the mail but before the row was marked): exactly once is impossible over SMTP.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import JOIN, chunked, fn

from fundtrack import clock, config
from fundtrack.alerts.models import Alert, SchedulerLease
from fundtrack.alerts.rules import TASK_KIND, Rule
from fundtrack.applications import shares
from fundtrack.applications.models import Application
from fundtrack.auth.models import User
from fundtrack.comments import events as comment_events
from fundtrack.comments.models import Comment
from fundtrack.contacts.models import Contact
from fundtrack.db import bulk_insert, db
from fundtrack.deadlines.models import Deadline
from fundtrack.feeds.models import Call, CallMatch
from fundtrack.relationships.models import Relationship
from fundtrack.tasks.models import Task

MAX_RETRY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user_id: int | None = None
    digest: bool = False
    opted_out: tuple[str, ...] = ()


@dataclass
class Plan:
    """What a planning run added to the outbox."""

    pending: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def _user_recipient(user: User) -> Recipient:
    return Recipient(user.email, user.language, user.id, user.alert_mode == "digest", tuple(user.alert_opt_out))


class _Recipients(dict):
    """Each user's Recipient, made once."""

    def __missing__(self, user):
        self[user] = recipient = _user_recipient(user)
        return recipient


class Directory:
    """Who may be told what, loaded once per run: fundraisers, users, contacts and stewards."""

    def __init__(self, default_language: str):
        users = list(User.select().where(User.active))
        self.users = {u.id: u for u in users}
        self.recipient = _Recipients()
        self.fundraisers = [_user_recipient(u) for u in users if u.role == "fundraiser"]
        self.members: dict[int, list[Recipient]] = defaultdict(list)
        for user in users:
            if user.role == "member" and user.organisation_id:
                self.members[user.organisation_id].append(_user_recipient(user))
        self.contacts: dict[int, list[Recipient]] = defaultdict(list)
        member_emails = {u.email for u in users}
        for contact in Contact.select().where(
            Contact.receives_alerts
            & (Contact.email != "")
            & Contact.organisation.is_null(False)
            & Contact.bouncing_since.is_null()
        ):
            if contact.email.lower() not in member_emails:
                self.contacts[contact.organisation_id].append(Recipient(contact.email.lower(), default_language))
        self.stewards = {
            (r.funder_id, r.organisation_id): r.steward_id
            for r in Relationship.select().where(Relationship.steward.is_null(False))
        }

    def resolve(
        self, rule: Rule, owner_id: int | None, organisation_id: int, funder_id: int, partners: tuple[int, ...] = ()
    ) -> list[Recipient]:
        """The people a rule tells about a deadline of this owner, organisation (and the partner organisations of a
        joint application) and funder, each once."""
        found: dict[str, Recipient] = {}

        def add(recipient):
            if recipient is not None:
                found.setdefault(recipient.email, recipient)

        for kind in rule.recipients:
            if kind == "owner" and owner_id in self.users:
                add(self.recipient[self.users[owner_id]])
            elif kind == "fundraisers":
                for recipient in self.fundraisers:
                    add(recipient)
            elif kind == "contacts":
                for organisation in (organisation_id, *partners):
                    for recipient in self.members[organisation] + self.contacts[organisation]:
                        add(recipient)
            elif kind == "steward":
                steward = self.stewards.get((funder_id, organisation_id))
                if steward in self.users:
                    add(self.recipient[self.users[steward]])
        return list(found.values())


def send_time(day: dt.date, digest_hour: int) -> dt.datetime:
    """When a reminder planned for `day` goes out: that day at the digest hour, local time."""
    return dt.datetime.combine(day, dt.time(digest_hour), tzinfo=clock.local_zone()).astimezone(dt.UTC)


def alert_key(deadline_id: int, due_on: dt.date, days: int, email: str) -> str:
    """One reminder per deadline date, moment and person: a moved deadline gets new keys, and new reminders."""
    return f"d{deadline_id}:{due_on.isoformat()}:{days}:{email}"


def plan_deadline_alerts(
    rules: list[Rule], *, today: dt.date, now: dt.datetime, digest_hour: int, default_language: str = "da", dry_run: bool = False
) -> Plan:
    """Record every reminder that is due by today and not yet in the outbox.

    Of several due moments of one deadline only the latest is sent (late when its day has passed);
    the earlier ones, and reminders before a deadline that has passed, are recorded as skipped.
    Every run records all due moments at once, so when a person's latest moment is in the outbox the
    earlier ones are too: that one key is all a run checks in the steady state.
    """
    rules_by_kind = {kind: rule for rule in rules for kind in rule.deadline_kinds}
    before = max((max(r.days_before, default=0) for r in rules), default=0)
    after = max((max(r.days_after, default=0) for r in rules), default=0)
    # Raw rows: planning runs every few minutes over every deadline near its date, and building objects
    # for thousands of rows would cost more than the query itself.
    window = (
        Deadline.done_at.is_null()
        & Deadline.deleted_at.is_null()
        & Deadline.kind.in_(list(rules_by_kind))
        & Deadline.due_on.between(today - dt.timedelta(days=after), today + dt.timedelta(days=before))
        & (Deadline.alerts_planned_on.is_null() | (Deadline.alerts_planned_on < today))
    )
    # Raw rows: planning runs every few minutes over every deadline near its date, and building objects
    # for thousands of rows would cost more than the query itself.
    deadlines = _rows(
        Deadline.select(
            Deadline.id,
            Deadline.kind,
            Deadline.due_on,
            Application.owner,
            Application.organisation,
            Application.funder,
            Application.id,
        )
        .join(Application)
        .where(window)
    )
    plan = Plan()
    if not deadlines:
        return plan
    existing = {
        (deadline_id, str(planned_due), days, email)
        for deadline_id, planned_due, days, email in _rows(
            Alert.select(Alert.deadline, Alert.due_on, Alert.days, Alert.email).join(Deadline).where(window)
        )
    }
    directory = Directory(default_language)
    partners_of = shares.partner_organisations(Deadline.select(Deadline.application).where(window))
    offsets = {rule.name: rule.offsets for rule in rules}
    recipients_of: dict[tuple, list[Recipient]] = {}
    immediate_at = max(now, send_time(today, digest_hour))
    digest_at = _next_digest(now, today, digest_hour)
    for deadline_id, kind, due_on, owner_id, organisation_id, funder_id, application_id in deadlines:
        if isinstance(due_on, str):  # SQLite gives dates in tuples as text
            due_on = dt.date.fromisoformat(due_on)
        due_text = due_on.isoformat()
        rule = rules_by_kind[kind]
        due_moments = sorted(
            (due_on - dt.timedelta(days=days), days) for days in offsets[rule.name] if due_on - dt.timedelta(days=days) <= today
        )
        if not due_moments:
            continue
        latest_days = due_moments[-1][1]
        partners = tuple(partners_of.get(application_id, ()))
        party = (rule.name, owner_id, organisation_id, partners, funder_id if "steward" in rule.recipients else None)
        if party not in recipients_of:
            recipients_of[party] = directory.resolve(rule, owner_id, organisation_id, funder_id, partners)
        for recipient in recipients_of[party]:
            if kind in recipient.opted_out or (deadline_id, due_text, latest_days, recipient.email) in existing:
                continue
            for day, days in due_moments:
                if (deadline_id, due_text, days, recipient.email) in existing:
                    continue
                useful = days == latest_days and (due_on >= today or days < 0)
                row = {
                    "key": alert_key(deadline_id, due_on, days, recipient.email),
                    "kind": "deadline",
                    "deadline": deadline_id,
                    "due_on": due_on,
                    "user": recipient.user_id,
                    "email": recipient.email,
                    "language": recipient.language,
                    "digest": recipient.digest,
                    "days": days,
                    "rule": rule.name,
                    "planned_on": day,
                    "status": "pending" if useful else "skipped",
                    "late": useful and day < today,
                    "next_attempt_at": digest_at if recipient.digest and useful else immediate_at,
                    "created_at": now,
                }
                (plan.pending if useful else plan.skipped).append(row)
    if not dry_run:
        with db.atomic():
            for rows in (plan.pending, plan.skipped):
                for batch in chunked(rows, 500):
                    bulk_insert(Alert, [_complete(row) for row in batch], ignore_conflicts=True)
            Deadline.update(alerts_planned_on=today).where(window).execute()
    return plan


def task_alert_key(task_id: int, due_on: dt.date, days: int, email: str) -> str:
    return f"t{task_id}:{due_on.isoformat()}:{days}:{email}"


def plan_task_alerts(
    rules: list[Rule], *, today: dt.date, now: dt.datetime, digest_hour: int, default_language: str = "da", dry_run: bool = False
) -> Plan:
    """Record the reminders of open tasks to their assignees, by the `task` rule: as for deadlines, of several
    due moments only the latest is sent, and a moved task is reminded afresh for its new day."""
    plan = Plan()
    rule = next((r for r in rules if TASK_KIND in r.deadline_kinds), None)
    if rule is None:
        return plan
    before = max(rule.days_before, default=0)
    after = max(rule.days_after, default=0)
    window = Task.done_at.is_null() & Task.due_on.between(today - dt.timedelta(days=after), today + dt.timedelta(days=before))
    tasks = list(
        Task.select(Task, User, Contact)
        .join(User, JOIN.LEFT_OUTER, on=(Task.assignee == User.id))
        .switch(Task)
        .join(Contact, JOIN.LEFT_OUTER, on=(Task.contact == Contact.id))
        .where(window & (Task.assignee.is_null(False) | Task.contact.is_null(False)))
    )
    if not tasks:
        return plan
    existing = {
        key
        for (key,) in _rows(
            Alert.select(Alert.key).where((Alert.kind == "task") & (Alert.due_on >= today - dt.timedelta(days=after)))
        )
    }
    immediate_at = max(now, send_time(today, digest_hour))
    for task in tasks:
        if task.assignee_id and (not task.assignee.active or TASK_KIND in (task.assignee.alert_opt_out or [])):
            continue
        email = task.assignee_email
        if not email:
            continue
        language = task.assignee.language if task.assignee_id else default_language
        moments = sorted(
            (task.due_on - dt.timedelta(days=days), days)
            for days in rule.offsets
            if task.due_on - dt.timedelta(days=days) <= today
        )
        if not moments:
            continue
        latest_days = moments[-1][1]
        for day, days in moments:
            key = task_alert_key(task.id, task.due_on, days, email)
            if key in existing:
                continue
            useful = days == latest_days and (task.due_on >= today or days < 0)
            row = {
                "key": key,
                "kind": "task",
                "payload": {"task": task.id},
                "due_on": task.due_on,
                "user": task.assignee_id,
                "email": email,
                "language": language,
                "digest": False,
                "days": days,
                "rule": rule.name,
                "planned_on": day,
                "status": "pending" if useful else "skipped",
                "late": useful and day < today,
                "next_attempt_at": immediate_at,
                "created_at": now,
            }
            (plan.pending if useful else plan.skipped).append(row)
    if not dry_run:
        with db.atomic():
            for rows in (plan.pending, plan.skipped):
                for batch in chunked(rows, 500):
                    bulk_insert(Alert, [_complete(row) for row in batch], ignore_conflicts=True)
    return plan


def _rows(query) -> list[tuple]:
    sql, params = query.sql()
    return db.execute_sql(sql, params).fetchall()


def _next_digest(now: dt.datetime, today: dt.date, digest_hour: int) -> dt.datetime:
    """The next daily digest moment: today's if it has not passed, else tomorrow's."""
    moment = send_time(today, digest_hour)
    return moment if moment >= now - dt.timedelta(minutes=1) else send_time(today + dt.timedelta(days=1), digest_hour)


def _complete(row: dict) -> dict:
    """Every column of an outbox row (bulk inserts skip Python defaults)."""
    full = {
        "payload": None,
        "due_on": None,
        "claim_token": None,
        "claimed_at": None,
        "attempts": 0,
        "last_error": "",
        "sent_at": None,
        "read_at": None,
        "late": False,
    }
    full.update(row)
    return full


def plan_call_digests(*, today: dt.date, now: dt.datetime, default_language: str = "da") -> int:
    """Once a day: one message per organisation and person listing the calls newly passed on to it."""
    pending = (
        CallMatch.select(CallMatch.id, CallMatch.organisation, CallMatch.call)
        .join(Call)
        .where(CallMatch.notified_at.is_null() & (Call.status != "dismissed"))
    )
    by_organisation: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for match in pending:
        by_organisation[match.organisation_id].append((match.id, match.call_id))
    if not by_organisation:
        return 0
    directory = Directory(default_language)
    created = 0
    with db.atomic():
        for organisation_id, matches in by_organisation.items():
            prefix = f"calls:{organisation_id}:{today.isoformat()}:"
            if Alert.select().where(Alert.key.startswith(prefix)).exists():
                continue  # today's digest is out; these calls go in tomorrow's
            rows = []
            for recipient in directory.members[organisation_id] + directory.contacts[organisation_id]:
                if "calls" in recipient.opted_out:
                    continue
                rows.append(
                    _complete(
                        {
                            "key": prefix + recipient.email,
                            "kind": "calls",
                            "deadline": None,
                            "user": recipient.user_id,
                            "email": recipient.email,
                            "language": recipient.language,
                            "digest": False,
                            "days": 0,
                            "rule": "calls",
                            "planned_on": today,
                            "status": "pending",
                            "payload": {"calls": sorted({call for _, call in matches}), "organisation": organisation_id},
                            "next_attempt_at": now,
                            "created_at": now,
                        }
                    )
                )
            bulk_insert(Alert, rows, ignore_conflicts=True)
            CallMatch.update(notified_at=now).where(CallMatch.id.in_([m for m, _ in matches])).execute()
            created += len(rows)
    return created


# Claiming and recording.


def release_stale_claims(now: dt.datetime, timeout: dt.timedelta) -> int:
    """Claims older than the timeout belong to a process that died: they are sent again."""
    return (
        Alert.update(status="pending", claim_token=None, claimed_at=None)
        .where((Alert.status == "claimed") & (Alert.claimed_at < now - timeout))
        .execute()
    )


def claim(now: dt.datetime, *, limit: int = 200, digest: bool = False, user_id: int | None = None) -> list[Alert]:
    """Take due pending reminders for this run only; another run at the same moment gets other rows."""
    token = uuid.uuid4().hex
    due = (
        Alert.select(Alert.id)
        .where(
            (Alert.status == "pending")
            & (Alert.digest == digest)
            & (Alert.next_attempt_at.is_null() | (Alert.next_attempt_at <= now))
        )
        .order_by(Alert.id)
        .limit(limit)
    )
    if user_id is not None:
        due = due.where(Alert.user == user_id)
    ids = [row.id for row in due]
    if not ids:
        return []
    # The status test is repeated in the UPDATE: of two runs that read the same ids, only one wins each row.
    Alert.update(status="claimed", claim_token=token, claimed_at=now).where(
        Alert.id.in_(ids) & (Alert.status == "pending")
    ).execute()
    return list(Alert.select().where(Alert.claim_token == token).order_by(Alert.id))


def digest_users(now: dt.datetime) -> list[int]:
    """Users with digest reminders that are due."""
    rows = Alert.select(Alert.user).distinct().where((Alert.status == "pending") & Alert.digest & (Alert.next_attempt_at <= now))
    return [row.user_id for row in rows if row.user_id]


def still_wanted(alert: Alert) -> bool:
    """A reminder about a deadline or task that was completed, removed or moved since it was planned is not sent."""
    if alert.kind == "mention":
        comment = Comment.get_or_none(Comment.id == (alert.payload or {}).get("comment"))
        return comment is not None and comment.removed_at is None
    if alert.kind == "task":
        task = Task.get_or_none(Task.id == (alert.payload or {}).get("task"))
        return task is not None and task.done_at is None and alert.due_on == task.due_on
    if alert.kind != "deadline":
        return True
    deadline = Deadline.get_or_none(Deadline.id == alert.deadline_id)
    return deadline is not None and deadline.done_at is None and deadline.deleted_at is None and alert.due_on == deadline.due_on


def _still_ours(alerts: list[Alert]):
    """The rows of `alerts` that still carry the claim they were taken with: a fencing token, so that a run
    which lost its claim (paused past it, while another run took the rows) changes none of them."""
    by_token: dict = defaultdict(list)
    for alert in alerts:
        by_token[alert.claim_token].append(alert.id)
    condition = Alert.id.is_null()  # nothing, for no alerts
    for token, ids in by_token.items():
        claim = Alert.claim_token.is_null() if token is None else Alert.claim_token == token
        condition |= Alert.id.in_(ids) & claim
    return condition


def holds_claim(alerts: list[Alert]) -> bool:
    """Whether this run still holds every alert of a group: checked just before the message goes out."""
    return Alert.select().where(_still_ours(alerts) & (Alert.status == "claimed")).count() == len(alerts)


def mark_sent(alerts: list[Alert], now: dt.datetime) -> None:
    """Sent: the claim is let go, and the alert is never sent again."""
    Alert.update(status="sent", sent_at=now, claim_token=None).where(_still_ours(alerts)).execute()


def mark_skipped(alerts: list[Alert], reason: str) -> None:
    """Not to be sent (the deadline was done, removed or moved): kept, with the reason, for the outbox."""
    Alert.update(status="skipped", claim_token=None, last_error=reason).where(_still_ours(alerts)).execute()


def mark_failed(alerts: list[Alert], error: str, now: dt.datetime, retry: dt.timedelta) -> None:
    """Back to pending, to be tried again later: the wait doubles with each attempt, up to six hours."""
    for alert in alerts:
        wait = min(retry * (2**alert.attempts), MAX_RETRY)
        Alert.update(
            status="pending",
            claim_token=None,
            claimed_at=None,
            attempts=Alert.attempts + 1,
            next_attempt_at=now + wait,
            last_error=error[:1000],
        ).where(_still_ours([alert])).execute()


def mark_refused(alerts: list[Alert], reason: str, now: dt.datetime) -> None:
    """Refused for good by the mail server (a 5xx answer for the address): never tried again by itself. The
    contacts with that address are marked as bouncing, and each fundraiser is told in the app (and by mail)."""
    Alert.update(status="failed", claim_token=None, attempts=Alert.attempts + 1, last_error=reason[:1000]).where(
        _still_ours(alerts)
    ).execute()
    for alert in alerts:
        Contact.update(bouncing_since=now).where(
            (fn.LOWER(Contact.email) == alert.email.lower()) & Contact.bouncing_since.is_null()
        ).execute()
        if alert.kind == "bounce":
            continue  # a notice about a refusal that is itself refused tells nobody more
        for fundraiser in User.select().where((User.role == "fundraiser") & User.active):
            Alert.insert(
                key=f"bounce:{alert.id}:{fundraiser.id}",
                kind="bounce",
                user=fundraiser.id,
                email=fundraiser.email,
                language=fundraiser.language or "da",
                planned_on=clock.to_local(now).date(),
                payload={"alert": alert.id, "email": alert.email, "reason": reason[:300]},
                created_at=now,
            ).on_conflict_ignore().execute()


def retry(alert: Alert, now: dt.datetime) -> None:
    """A failed alert (or one waiting for its next try) is sent again at the next run."""
    Alert.update(status="pending", claim_token=None, next_attempt_at=now).where(
        (Alert.id == alert.id) & Alert.status.in_(["failed", "pending"])
    ).execute()


def flush(now: dt.datetime) -> int:
    """Everything waiting is due now, whatever its wait (the mail server is back); returns how many."""
    return Alert.update(next_attempt_at=now).where((Alert.status == "pending") & (Alert.next_attempt_at > now)).execute()


def outbox(statuses=("pending", "claimed", "failed")):
    """The alerts still to be sent, and those refused for good, the next attempt first (the `alerts outbox` command)."""
    return Alert.select().where(Alert.status.in_(list(statuses))).order_by(Alert.next_attempt_at, Alert.id)


def notify_mention(comment, users, link: str, now: dt.datetime, default_language: str = "da") -> None:
    """Tell each mentioned user, in the app at once and by e-mail through the outbox (inside the comment's
    transaction, so a comment is never saved without its notifications)."""
    for user in users:
        Alert.create(
            key=f"m{comment.id}:{user.id}",
            kind="mention",
            user=user.id,
            email=user.email,
            language=user.language or default_language,
            payload={"comment": comment.id, "link": link},
            rule="mention",
            planned_on=clock.to_local(now).date(),
            status="skipped" if "mention" in (user.alert_opt_out or []) else "pending",
            last_error="the user does not want mentions by e-mail" if "mention" in (user.alert_opt_out or []) else "",
            next_attempt_at=now,
            created_at=now,
        )


@comment_events.mentioned.connect
def _on_mentioned(comment, users, link, now, **rest):
    notify_mention(comment, users, link, now, default_language=config.active().app.default_language)


def unread_count(user, today: dt.date) -> int:
    """The user's notifications not yet read: mentions, and reminders whose day has come (the header's badge)."""
    return (
        Alert.select()
        .where(
            (Alert.user == user.id)
            & Alert.read_at.is_null()
            & ((Alert.kind == "mention") | ((Alert.status != "skipped") & (Alert.planned_on <= today)))
        )
        .count()
    )


def mark_read(alerts, now: dt.datetime) -> int:
    """Reading notifications: they leave the badge's count (and stay in the list)."""
    ids = [alert.id for alert in alerts]
    if not ids:
        return 0
    return Alert.update(read_at=now).where(Alert.id.in_(ids) & Alert.read_at.is_null()).execute()


def notifications_for(user):
    """The reminders addressed to a user, newest first: the in-app list of the same alerts as by e-mail."""
    return (
        Alert.select()
        .where((Alert.user == user.id) & ((Alert.status != "skipped") | (Alert.kind == "mention")))
        .order_by(Alert.planned_on.desc(), Alert.id.desc())
    )


# The scheduler lease.


def hold_lease(name: str, holder: str, *, now: dt.datetime, seconds: int) -> bool:
    """Take or renew the lease; True when `holder` may act until it runs out."""
    SchedulerLease.insert(name=name, holder="", expires_at=None).on_conflict_ignore().execute()
    until = now + dt.timedelta(seconds=seconds)
    taken = (
        SchedulerLease.update(holder=holder, expires_at=until)
        .where(
            (SchedulerLease.name == name)
            & ((SchedulerLease.holder == holder) | SchedulerLease.expires_at.is_null() | (SchedulerLease.expires_at < now))
        )
        .execute()
    )
    return taken == 1


def release_lease(name: str, holder: str) -> None:
    SchedulerLease.update(holder="", expires_at=None).where(
        (SchedulerLease.name == name) & (SchedulerLease.holder == holder)
    ).execute()
