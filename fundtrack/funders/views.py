"""Funder pages."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from fundtrack.applications.models import Application
from fundtrack.applications.services import visible_applications
from fundtrack.auth.access import allow, scope
from fundtrack.funders import services
from fundtrack.funders.models import FUNDER_KINDS, Funder
from fundtrack.organisations.models import Organisation
from fundtrack.web import paginate

bp = Blueprint("funders", __name__)
scope("funder_id")(services.visible_funders)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query = services.visible_funders(current_user)
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(Funder.name.contains(text) | Funder.description.contains(text))
    kind = request.args.get("kind", "")
    if kind in FUNDER_KINDS:
        query = query.where(Funder.kind == kind)
    if request.args.get("archived") != "1":
        query = query.where(Funder.archived_at.is_null())
    page = paginate(query.order_by(Funder.name))
    return render_template("funders/index.html", page=page, q=text, kind=kind, kinds=FUNDER_KINDS)


@bp.route("/<int:funder_id>")
@allow("fundraiser", "member", "viewer")
def show(funder_id):
    funder = Funder.get_by_id(funder_id)
    applications = (visible_applications(current_user).select(Application, Organisation).join(Organisation)
                    .where(Application.funder == funder).order_by(Application.created_at.desc()))
    return render_template("funders/show.html", funder=funder, applications=list(applications), kinds=FUNDER_KINDS)
