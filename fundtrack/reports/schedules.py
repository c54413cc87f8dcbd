"""The report schedules: the overview the committee receives, made and mailed by itself.

Each schedule names a kind of period, how many days after a period's end its overview goes out, and to whom.
When the day has come the overview is frozen as a version (the PDF the recipients get, kept unchanged), and
one message per recipient is planned into the outbox under a key of schedule, period and address: the outbox
sends it, retries it and never sends it twice, as it does every reminder.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from fundtrack import clock
from fundtrack.alerts import jobs as outbox
from fundtrack.alerts.models import Alert
from fundtrack.auth.models import User
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.periods import Period, current_period, parse_period
from fundtrack.reports import render, versions
from fundtrack.reports.models import ReportSchedule, ReportVersion
from fundtrack.validation import ValidationError
from fundtrack.web import current_settings

KIND = "report"  # the outbox's kind of message
LONGEST_WAIT_DAYS = 120
MAX_ADDRESSES = 50


def sending_day(schedule: ReportSchedule, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=schedule.days_after)


def next_period(schedule: ReportSchedule, today: dt.date) -> Period:
    """The period whose overview the schedule sends next: the last one ended, unless it has gone out already."""
    period = current_period(schedule.period_kind, today).previous()
    return period.following() if sent_version(schedule, period) is not None else period


def due_period(schedule: ReportSchedule, today: dt.date) -> Period | None:
    """The newest ended period whose sending day has come, if it came after the schedule was made (a schedule
    made today does not send last year's reports; "send now" does that when asked)."""
    period = current_period(schedule.period_kind, today).previous()
    if sending_day(schedule, period) > today:
        period = period.previous()
    if sending_day(schedule, period) < clock.to_local(schedule.created_at).date():
        return None
    return period


def recipients(schedule: ReportSchedule) -> list[tuple[str, int | None]]:
    """(address, user id) of everyone the schedule sends to: the active viewers, then the named addresses."""
    found: dict[str, int | None] = {}
    if schedule.to_viewers:
        for user in User.select().where((User.role == "viewer") & User.active).order_by(User.id):
            found.setdefault(user.email.lower(), user.id)
    for address in schedule.addresses or []:
        found.setdefault(address.lower(), None)
    return list(found.items())


def sent_version(schedule: ReportSchedule, period: Period) -> ReportVersion | None:
    query = ReportVersion.select().where((ReportVersion.schedule_id == schedule.id) & (ReportVersion.period == period.code))
    return query.order_by(ReportVersion.id).first()


def send(schedule: ReportSchedule, period: Period, *, now: dt.datetime) -> int:
    """Freeze the period's overview for the schedule (once) and plan one message per recipient (once each).
    Returns how many messages were newly planned."""
    version = sent_version(schedule, period) or _freeze(schedule, period, now)
    planned = 0
    for address, user_id in recipients(schedule):
        key = f"{KIND}:{schedule.id}:{period.code}:{address}"
        if Alert.select().where(Alert.key == key).exists():
            continue  # planned before: sent, or on its way
        Alert.insert(
            key=key,
            kind=KIND,
            user=user_id,
            email=address,
            language=schedule.language,
            planned_on=clock.to_local(now).date(),
            payload={"version": version.id, "schedule": schedule.id},
            created_at=now,
        ).on_conflict_ignore().execute()
        planned += 1
    return planned


def _freeze(schedule: ReportSchedule, period: Period, now: dt.datetime) -> ReportVersion:
    """The overview as the schedule sends it, in its language, rendered as in a request to the installation."""
    settings = current_settings()
    with current_app.test_request_context(base_url=settings.app.base_url), force_locale(schedule.language):
        overview = render.build(period, None, with_fees=schedule.with_fees)
        pdf, document = render.render_file(overview, "pdf"), render.render_file(overview, "json")
    # The request's end hands its connection back; the job goes on with one of its own.
    db.connect(reuse_if_open=True)
    return versions.freeze(
        overview,
        pdf=pdf,
        document=document,
        with_fees=schedule.with_fees,
        language=schedule.language,
        occasion="sent",
        actor=None,
        now=now,
        recipients=[address for address, _ in recipients(schedule)],
        schedule_id=schedule.id,
    )


CONFIGURED_NAME = "Udvalget (konfiguration)"


def follow_configuration(settings, now: dt.datetime) -> ReportSchedule | None:
    """The schedule of `[reports] committee_*`, made or brought in line with the configuration; paused when the
    configuration no longer names one."""
    configured = ReportSchedule.select().where(ReportSchedule.configured).first()
    if not settings.committee_period:
        if configured is not None and configured.active:
            ReportSchedule.update(active=False).where(ReportSchedule.id == configured.id).execute()
        return None
    values = validated(
        {
            "name": configured.name if configured else CONFIGURED_NAME,
            "period_kind": settings.committee_period,
            "days_after": settings.committee_days_after,
            "to_viewers": settings.committee_to_viewers,
            "addresses": list(settings.committee_addresses),
            "language": settings.committee_language,
            "with_fees": settings.committee_with_fees,
        }
    )
    if configured is None:
        return ReportSchedule.create(**values, active=True, configured=True, created_at=now)
    ReportSchedule.update(**values, active=True).where(ReportSchedule.id == configured.id).execute()
    return ReportSchedule.get_by_id(configured.id)


def send_due(*, now: dt.datetime | None = None) -> int:
    """The scheduler's job: every active schedule whose day has come sends its period. Returns the messages planned."""
    now = now or clock.now()
    follow_configuration(current_settings().reports, now)
    today = clock.to_local(now).date()
    planned = 0
    for schedule in list(ReportSchedule.select().where(ReportSchedule.active).order_by(ReportSchedule.id)):
        period = due_period(schedule, today)
        if period is not None:
            planned += send(schedule, period, now=now)
    return planned


def validated(data: dict) -> dict:
    """A schedule's fields checked: a known kind of period, a wait of 0 to 120 days, real addresses."""
    errors: dict = {}
    if data.get("period_kind") not in ("Q", "H", "Y"):
        errors["period_kind"] = N_("Choose a kind of period from the list.")
    days = data.get("days_after")
    if not isinstance(days, int) or not 0 <= days <= LONGEST_WAIT_DAYS:
        errors["days_after"] = (N_("Give a number of days from 0 to %(most)d."), {"most": LONGEST_WAIT_DAYS})
    addresses = list(dict.fromkeys(a.strip() for a in data.get("addresses") or [] if a.strip()))
    wrong = [a for a in addresses if a.count("@") != 1 or " " in a or len(a) > 200 or a.startswith("@") or a.endswith("@")]
    if wrong:
        errors["addresses"] = (N_("These are not e-mail addresses: %(addresses)s"), {"addresses": ", ".join(wrong)[:300]})
    elif len(addresses) > MAX_ADDRESSES:
        errors["addresses"] = (N_("A schedule sends to at most %(most)d addresses."), {"most": MAX_ADDRESSES})
    elif not data.get("to_viewers") and not addresses:
        errors["addresses"] = N_("Send to the viewers, or give at least one address.")
    if errors:
        raise ValidationError(errors)
    return {**data, "addresses": addresses}


@outbox.composer(KIND)
def compose(alert: Alert, today: dt.date, context: dict):
    """The overview's message: a few lines, the link to its page, and the PDF as sent."""
    version = ReportVersion.get_by_id(alert.payload["version"])
    period = parse_period(version.period)
    title = gettext("Funding overview %(period)s", period=render.period_label(period))
    link = f"{context['base_url']}/reports/{period.code}"
    context.update(version=version, title=title, link=link, period_name=render.period_label(period))
    attachment = (f"{title}.pdf".replace(" ", "-"), "application/pdf", bytes(version.pdf))
    text, html = render_template("email/report.txt", **context), render_template("email/report.html", **context)
    return title, text, html, [attachment]
