"""The deadline list: overdue first, then what comes next."""
from flask import Blueprint, render_template
from flask_login import current_user

from fundtrack import clock
from fundtrack.auth.access import allow, scope
from fundtrack.deadlines import services
from fundtrack.deadlines.models import DEADLINE_KINDS
from fundtrack.web import paginate

bp = Blueprint("deadlines", __name__)
scope("deadline_id")(services.visible_deadlines)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    today = clock.today()
    overdue = list(services.overdue(current_user, today))
    page = paginate(services.upcoming(current_user, today, limit=None))
    return render_template("deadlines/index.html", overdue=overdue, page=page, today=today, kinds=DEADLINE_KINDS)
