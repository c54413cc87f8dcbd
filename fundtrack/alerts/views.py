"""The in-app list of a user's reminders, how they arrive (on the account page), and the fundraiser's view of
the outbox."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.alerts import jobs, services
from fundtrack.alerts.forms import KNOWN_KINDS, ReminderForm
from fundtrack.alerts.jobs import HEADLINES
from fundtrack.alerts.models import ALERT_STATUSES, Alert
from fundtrack.applications.models import Application
from fundtrack.auth import events as auth_events
from fundtrack.auth.services import set_reminder_preferences
from fundtrack.auth.views import render_account
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.events import Section
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, paginate, safe_next

bp = Blueprint("alerts", __name__)
scope(bp, "alert_id")(lambda user: Alert.select().where(Alert.user == user.id))
scope(bp, "outbox_id")(lambda user: Alert.select())  # the outbox is the fundraiser's, every message in it


@auth_events.account_sections.connect
def preferences_section(user, forms, **rest):
    return Section("alerts/_preferences.html", order=10, data={"form": forms.get("reminders") or ReminderForm.for_user(user)})


@bp.route("/preferences", methods=["POST"])
@allow("fundraiser", "member", "viewer")
def preferences():
    """How and in which language the user gets reminders, and which kinds not at all."""
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            set_reminder_preferences(
                current_user,
                language=form.language.data,
                alert_mode=form.alert_mode.data,
                opted_out=form.alert_opt_out.data or [],
                known_kinds=KNOWN_KINDS,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("auth.account") + "#reminders")
    return render_account(forms={"reminders": form}, status=400)


def _with_deadlines(query):
    return query.select(Alert, Deadline, Application).join(Deadline, JOIN.LEFT_OUTER).join(Application, JOIN.LEFT_OUTER)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    page = paginate(_with_deadlines(services.notifications_for(current_user)))
    return render_template("alerts/index.html", page=page, statuses=ALERT_STATUSES, kinds=DEADLINE_KINDS, headlines=HEADLINES)


@bp.route("/<int:alert_id>/open", methods=["POST"])
@allow("fundraiser", "member", "viewer")
def open_notification(alert_id):
    """Reading a notification: marked read, then its page."""
    alert = Alert.get_by_id(alert_id)
    services.mark_read([alert], clock.now())
    return redirect(_target(alert))


@bp.route("/read", methods=["POST"])
@allow("fundraiser", "member", "viewer")
def mark_all_read():
    count = services.mark_read(list(services.notifications_for(current_user).where(Alert.read_at.is_null())), clock.now())
    flash(_("%(count)d notifications are marked read.", count=count), "success")
    return redirect(url_for(".index"))


def _target(alert: Alert) -> str:
    payload = alert.payload or {}
    if alert.kind == "mention":
        return safe_next(payload.get("link"), url_for(".index"))
    if alert.kind == "bounce":
        return url_for(".outbox") + f"#alert-{payload.get('alert', '')}"
    if alert.kind == "task" and payload.get("task"):
        return url_for("tasks.edit", task_id=payload["task"])
    if alert.kind == "calls":
        return url_for("calls.inbox")
    if alert.deadline_id:
        return url_for("applications.show", application_id=alert.deadline.application_id) + "#deadlines"
    return url_for(".index")


@bp.app_context_processor
def notification_badge():
    """The number on the header's bell, counted only when a page shows it."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"unread_notifications": lambda: services.unread_count(current_user, clock.today())}


@bp.route("/outbox")
@allow("fundraiser")
def outbox():
    rows = list(_with_deadlines(services.outbox()).limit(500))
    return render_template("alerts/outbox.html", rows=rows, statuses=ALERT_STATUSES, kinds=DEADLINE_KINDS)


@bp.route("/outbox/<int:outbox_id>/retry", methods=["POST"])
@allow("fundraiser")
def retry(outbox_id):
    """Send a refused or waiting alert again at once (the address is mended, or the server is back)."""
    services.retry(Alert.get_by_id(outbox_id), clock.now())
    report = jobs.run()
    flash(_("Tried again: %(sent)d sent, %(failed)d not.", sent=len(report.sent), failed=len(report.failed)), "success")
    return redirect(url_for(".outbox"))


@bp.route("/outbox/flush", methods=["POST"])
@allow("fundraiser")
def flush():
    """Everything waiting goes out now, whatever its wait: for when the mail server is back."""
    services.flush(clock.now())
    report = jobs.run()
    flash(_("Sent now: %(sent)d; not sent: %(failed)d.", sent=len(report.sent), failed=len(report.failed)), "success")
    return redirect(url_for(".outbox"))
