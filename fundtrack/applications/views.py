"""Application pages."""
from flask import Blueprint, render_template, request
from flask_login import current_user
from peewee import JOIN

from fundtrack.applications import services
from fundtrack.applications.models import STAGES, Application, StageChange
from fundtrack.auth.access import allow, scope
from fundtrack.auth.models import User
from fundtrack.deadlines.models import Deadline
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from fundtrack.web import paginate

bp = Blueprint("applications", __name__)
scope("application_id")(services.visible_applications)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query = (services.visible_applications(current_user)
             .select(Application, Organisation, Funder).join(Organisation).switch(Application).join(Funder))
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(Application.title.contains(text) | Application.purpose.contains(text))
    stage = request.args.get("stage", "")
    if stage in STAGES:
        query = query.where(Application.stage == stage)
    page = paginate(query.order_by(Application.updated_at.desc(), Application.id.desc()))
    return render_template("applications/index.html", page=page, q=text, stage=stage, stages=STAGES)


@bp.route("/<int:application_id>")
@allow("fundraiser", "member", "viewer")
def show(application_id):
    application = (Application.select(Application, Organisation, Funder).join(Organisation)
                   .switch(Application).join(Funder).where(Application.id == application_id).get())
    history = (StageChange.select(StageChange, User).join(User, join_type=JOIN.LEFT_OUTER)
               .where(StageChange.application == application).order_by(StageChange.changed_at, StageChange.id))
    deadlines = application.deadlines.order_by(Deadline.due_on)
    return render_template("applications/show.html", application=application, history=list(history),
                           deadlines=list(deadlines), stages=STAGES)
