"""The in-app list of a user's reminders, and the fundraiser's view of the outbox."""
from flask import Blueprint, render_template
from flask_login import current_user
from peewee import JOIN

from fundtrack.alerts import services
from fundtrack.alerts.jobs import HEADLINES
from fundtrack.alerts.models import ALERT_STATUSES, Alert
from fundtrack.applications.models import Application
from fundtrack.auth.access import allow
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.web import paginate

bp = Blueprint("alerts", __name__)


def _with_deadlines(query):
    return (query.select(Alert, Deadline, Application).join(Deadline, JOIN.LEFT_OUTER)
            .join(Application, JOIN.LEFT_OUTER))


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    page = paginate(_with_deadlines(services.notifications_for(current_user)))
    return render_template("alerts/index.html", page=page, statuses=ALERT_STATUSES, kinds=DEADLINE_KINDS,
                           headlines=HEADLINES)


@bp.route("/outbox")
@allow("fundraiser")
def outbox():
    rows = list(_with_deadlines(services.outbox()).limit(500))
    return render_template("alerts/outbox.html", rows=rows, statuses=ALERT_STATUSES, kinds=DEADLINE_KINDS)
