"""What the scheduler runs for alerts: plan what is due, then deliver it by e-mail, rendered in each
recipient's language. Idempotent: a second run the same day plans and sends nothing new."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from fundtrack import clock, mail
from fundtrack.alerts import services
from fundtrack.alerts.models import Alert
from fundtrack.applications.models import Application
from fundtrack.comments.models import Comment
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.tasks import services as task_services
from fundtrack.tasks.models import Task

log = logging.getLogger(__name__)
HEADLINES = {
    "before": N_("%(kind)s in %(days)d days"),
    "today": N_("%(kind)s is today"),
    "after": N_("%(kind)s is %(days)d days overdue"),
}


@dataclass
class RunReport:
    planned: int = 0
    skipped: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _settings():
    return current_app.extensions["fundtrack.settings"]


def headline(deadline: Deadline, today: dt.date) -> str:
    """ "Submission in 7 days": counted from today, so that a reminder sent late still tells the truth."""
    kind = gettext(DEADLINE_KINDS[deadline.kind]) + (f" ({deadline.title})" if deadline.title else "")
    days = (deadline.due_on - today).days
    return gettext(_when(HEADLINES, days), kind=kind, days=abs(days))


def _when(headlines: dict, days: int) -> str:
    """The headline for a day `days` ahead (negative: overdue)."""
    return headlines["before" if days > 0 else "today" if days == 0 else "after"]


def _deadline(alert: Alert) -> Deadline:
    return (
        Deadline.select(Deadline, Application, Organisation, Funder)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Deadline.id == alert.deadline_id)
        .get()
    )


# Messages that a domain above plans into the outbox (the reports' schedule), composed by that domain:
# kind -> fn(alert, today, context) -> (subject, text, html, attachments as (filename, mimetype, bytes)).
COMPOSERS: dict = {}


def composer(kind: str):
    """Register how the outbox writes the messages of `kind`; one composer per kind."""

    def register(fn):
        if kind in COMPOSERS:
            raise ValueError(f"the outbox has a composer for {kind!r} already")
        COMPOSERS[kind] = fn
        return fn

    return register


def compose(alert_or_alerts, today: dt.date) -> tuple:
    """(subject, text, html) of one reminder, a digest of several, or a digest of new calls; a registered
    composer's messages add their attachments."""
    settings = _settings()
    base_url = settings.app.base_url.rstrip("/")
    alerts = alert_or_alerts if isinstance(alert_or_alerts, list) else [alert_or_alerts]
    first = alerts[0]
    with force_locale(first.language):
        context = {"base_url": base_url, "language": first.language}
        if first.kind in COMPOSERS:
            return COMPOSERS[first.kind](first, today, context)
        if first.kind == "calls":
            organisation = Organisation.get_by_id(first.payload["organisation"])
            calls = []
            for call in Call.select().where(Call.id.in_(first.payload["calls"])).order_by(Call.id):
                deadline = call.deadlines.where(CallDeadline.due_on >= today).order_by(CallDeadline.due_on).first()
                calls.append((call, deadline))
            subject = gettext("New open calls for %(organisation)s", organisation=organisation.name)
            context.update(organisation=organisation, calls=calls)
            return subject, render_template("email/calls.txt", **context), render_template("email/calls.html", **context)
        if first.kind == "task":
            return _compose_task(first, today, context)
        if first.kind == "bounce":
            payload = first.payload or {}
            subject = gettext("fundtrack could not deliver a message to %(email)s", email=payload.get("email", ""))
            context.update(headline=subject, reason=payload.get("reason", ""), link=f"{base_url}/alerts/outbox")
            return subject, render_template("email/bounce.txt", **context), render_template("email/bounce.html", **context)
        if first.kind == "mention":
            comment = Comment.get_by_id(first.payload["comment"])
            subject = gettext("%(name)s mentioned you in fundtrack", name=comment.author_name or "fundtrack")
            context.update(alert=first, comment=comment, link=f"{base_url}{first.payload['link']}", headline=subject)
            return subject, render_template("email/mention.txt", **context), render_template("email/mention.html", **context)
        if len(alerts) > 1 or first.digest:
            items = []
            for alert in alerts:
                deadline = _deadline(alert)
                items.append({"headline": headline(deadline, today), "application": deadline.application, "deadline": deadline})
            subject = gettext("fundtrack: %(count)d reminders", count=len(items))
            context.update(items=items)
            return subject, render_template("email/digest.txt", **context), render_template("email/digest.html", **context)
        deadline = _deadline(first)
        title = headline(deadline, today)
        context.update(
            alert=first,
            deadline=deadline,
            application=deadline.application,
            headline=title,
            kind=gettext(DEADLINE_KINDS[deadline.kind]),
        )
        subject = f"{title}: {deadline.application.title}"
        return subject, render_template("email/alert.txt", **context), render_template("email/alert.html", **context)


TASK_HEADLINES = {
    "before": N_("Task due in %(days)d days: %(title)s"),
    "today": N_("Task due today: %(title)s"),
    "after": N_("Task %(days)d days overdue: %(title)s"),
}


def _compose_task(alert: Alert, today: dt.date, context: dict) -> tuple[str, str, str]:
    """A task's reminder to its assignee, with the link that marks it done without logging in."""
    task = Task.get_by_id(alert.payload["task"])
    days = (task.due_on - today).days
    subject = gettext(_when(TASK_HEADLINES, days), days=abs(days), title=task.title)
    token = task_services.done_token(task, current_app.config["SECRET_KEY"])
    context.update(alert=alert, task=task, headline=subject, done_url=f"{context['base_url']}/tasks/done/{token}")
    return subject, render_template("email/task.txt", **context), render_template("email/task.html", **context)


def deliver(groups: list[list[Alert]], report: RunReport, now: dt.datetime, today: dt.date) -> None:
    """Send each group as one message; a failure puts the group back for a later try."""
    settings = _settings()
    retry = dt.timedelta(minutes=settings.alerts.retry_minutes)
    wanted = []
    for group in groups:
        keep = [a for a in group if services.still_wanted(a)]
        gone = [a for a in group if a not in keep]
        if gone:
            services.mark_skipped(gone, "the deadline was completed, removed or moved")
        if keep:
            wanted.append(keep)
    if not wanted:
        return
    try:
        with mail.connection(settings.mail) as session:
            for group in wanted:
                subject, text, html, *attached = compose(group, today)
                message = mail.message(
                    sender=settings.mail.sender,
                    to=group[0].email,
                    subject=subject,
                    text=text,
                    html=html,
                    attachments=attached[0] if attached else (),
                )
                if not services.holds_claim(group):
                    continue  # another run has taken these over (this one was paused past its claim)
                try:
                    session.send(message)
                except mail.PermanentRefusal as error:
                    services.mark_refused(group, str(error), now)
                    report.failed.append(f"{group[0].email}: {subject} ({error}; not tried again)")
                    continue
                except mail.MailError as error:
                    services.mark_failed(group, str(error), now, retry)
                    report.failed.append(f"{group[0].email}: {subject} ({error})")
                    continue
                services.mark_sent(group, now)
                report.sent.append(f"{group[0].email}: {subject}")
    except mail.MailError as error:  # the server could not be reached: nothing was sent
        for group in wanted:
            services.mark_failed(group, str(error), now, retry)
            report.failed.append(f"{group[0].email}: {error}")


def run(*, today: dt.date | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> RunReport:
    """Plan and deliver: the job of the scheduler, and of `fundtrack alerts run`."""
    settings = _settings()
    now = now or clock.now()
    today = today or clock.to_local(now).date()
    rules = current_app.extensions["fundtrack.alert_rules"]
    report = RunReport()
    planning = {
        "today": today,
        "now": now,
        "digest_hour": settings.alerts.digest_hour,
        "default_language": settings.app.default_language,
        "dry_run": dry_run,
    }
    plan = services.plan_deadline_alerts(rules, **planning)
    tasks = services.plan_task_alerts(rules, **planning)
    report.planned, report.skipped = len(plan.pending) + len(tasks.pending), len(plan.skipped) + len(tasks.skipped)
    if dry_run:
        report.sent = [
            f"{row['email']}: {row['rule']} ({row['days']} days) for deadline {row['deadline']}" for row in plan.pending
        ] + [f"{row['email']}: {row['rule']} ({row['days']} days) for task {row['payload']['task']}" for row in tasks.pending]
        return report
    if clock.to_local(now).hour >= settings.alerts.digest_hour:
        services.plan_call_digests(today=today, now=now, default_language=settings.app.default_language)
    services.release_stale_claims(now, dt.timedelta(minutes=settings.alerts.claim_timeout_minutes))
    while True:
        claimed = services.claim(now)
        if not claimed:
            break
        deliver([[alert] for alert in claimed], report, now, today)
    for user_id in services.digest_users(now):
        claimed = services.claim(now, digest=True, user_id=user_id, limit=1000)
        if claimed:
            deliver([claimed], report, now, today)
    log.info(
        "alerts run",
        extra={"planned": report.planned, "skipped": report.skipped, "sent": len(report.sent), "failed": len(report.failed)},
    )
    return report
