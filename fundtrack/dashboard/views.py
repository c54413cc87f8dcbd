"""The start page: the signed-in user's own work (tasks, the deadlines of the applications they own, calls
to look at, next steps with funders), then the next deadlines and the pipeline at a glance."""

from flask import Blueprint, render_template
from flask_login import current_user

from fundtrack import clock
from fundtrack.access import allow
from fundtrack.applications.models import STAGES
from fundtrack.applications.services import stage_counts, visible_applications
from fundtrack.dashboard.services import getting_started, my_work
from fundtrack.deadlines import services as deadlines
from fundtrack.deadlines.models import DEADLINE_KINDS

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    today = clock.today()
    return render_template(
        "dashboard/index.html",
        today=today,
        work=my_work(current_user, today),
        first_steps=getting_started(current_user),
        upcoming=list(deadlines.upcoming(current_user, today, limit=12)),
        overdue_count=deadlines.overdue(current_user, today).count(),
        counts=stage_counts(visible_applications(current_user)),
        stages=STAGES,
        kinds=DEADLINE_KINDS,
    )
