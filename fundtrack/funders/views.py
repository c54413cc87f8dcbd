"""Funder pages: list, profile with rounds and contacts, create, edit, archive, export."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.applications.models import Application
from fundtrack.applications.services import visible_applications
from fundtrack.auth.access import allow, scope
from fundtrack.db import list_contains, text_contains
from fundtrack.forms import choices
from fundtrack.funders import services, transfer
from fundtrack.funders.forms import FunderContactForm, FunderForm, RoundForm
from fundtrack.funders.models import FUNDER_KINDS, ROUND_KINDS, Funder, FunderContact, Round
from fundtrack.i18n import translate_label
from fundtrack.organisations.models import Organisation
from fundtrack.relationships import services as relationship_services
from fundtrack.relationships.models import STATUSES
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, current_settings, export_response, form_status, paginate

bp = Blueprint("funders", __name__)
scope("funder_id")(services.visible_funders)


@scope("contact_id")
def visible_funder_contacts(user):
    return FunderContact.select()


@scope("round_id")
def visible_rounds(user):
    return Round.select()


def _filtered():
    query = services.visible_funders(current_user)
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(Funder.name.contains(text) | Funder.description.contains(text)
                            | text_contains(Funder.focus_tags, text))
    kind = request.args.get("kind", "")
    if kind in FUNDER_KINDS:
        query = query.where(Funder.kind == kind)
    goal = request.args.get("goal", "")
    if goal.isdigit():
        query = query.where(list_contains(Funder.un_goals, int(goal)))
    if request.args.get("archived") != "1":
        query = query.where(Funder.archived_at.is_null())
    return query.order_by(Funder.name), text, kind


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query, text, kind = _filtered()
    page = paginate(query)
    next_rounds = {}
    for round_, day in services.upcoming_rounds(clock.today(), funder_ids=[f.id for f in page.rows]):
        next_rounds.setdefault(round_.funder_id, (round_, day))
    return render_template("funders/index.html", page=page, q=text, kind=kind, kinds=FUNDER_KINDS,
                           next_rounds=next_rounds)


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query, _text, _kind = _filtered()
    return export_response(transfer.export_funders(query), transfer.EXPORT_COLUMNS, fmt, "funders")


def _form(obj=None):
    form = FunderForm(obj=obj)
    form.kind.choices = choices((key, translate_label(label)) for key, label in FUNDER_KINDS.items())
    if request.method == "GET" and obj is not None:
        form.focus_tags.data = ", ".join(obj.focus_tags)
        form.un_goals.data = ", ".join(str(g) for g in obj.un_goals)
        form.allows_consultant_fees.data = {True: "yes", False: "no", None: ""}[obj.allows_consultant_fees]
    return form


def _data(form) -> dict:
    data = dict(form.data)
    data["allows_consultant_fees"] = {"yes": True, "no": False}.get(form.allows_consultant_fees.data)
    return data


@bp.route("/new", methods=["GET", "POST"])
@allow("fundraiser")
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            funder = services.create_funder(_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s is created.", name=funder.name), "success")
            return redirect(url_for(".show", funder_id=funder.id))
    return render_template("funders/form.html", form=form, funder=None), form_status(form)


@bp.route("/<int:funder_id>")
@allow("fundraiser", "member", "viewer")
def show(funder_id):
    funder = Funder.get_by_id(funder_id)
    today = clock.today()
    applications = (visible_applications(current_user).select(Application, Organisation).join(Organisation)
                    .where(Application.funder == funder).order_by(Application.created_at.desc()))
    rounds = [(round_, services.next_dates(round_, today, 3)) for round_ in funder.rounds.order_by(Round.name)]
    relationship_services.ensure_relationships(clock.now())
    relationships = relationship_services.portfolio(current_user, today, current_settings().relationships,
                                                    funder_id=funder.id)
    return render_template("funders/show.html", funder=funder, applications=list(applications), kinds=FUNDER_KINDS,
                           relationships=relationships, statuses=STATUSES,
                           rounds=rounds, round_kinds=ROUND_KINDS, contacts=list(funder.contacts),
                           contact_form=FunderContactForm(), today=today)


@bp.route("/<int:funder_id>/edit", methods=["GET", "POST"])
@allow("fundraiser")
def edit(funder_id):
    funder = Funder.get_by_id(funder_id)
    form = _form(funder if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_funder(funder, _data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show", funder_id=funder.id))
    return render_template("funders/form.html", form=form, funder=funder), form_status(form)


@bp.route("/<int:funder_id>/archive", methods=["POST"])
@allow("fundraiser")
def archive(funder_id):
    funder = Funder.get_by_id(funder_id)
    archived = funder.archived_at is None
    services.set_archived(funder, archived, actor=current_user, now=clock.now())
    if archived:
        flash(_("%(name)s is archived.", name=funder.name), "success")
    else:
        flash(_("%(name)s is active again.", name=funder.name), "success")
    return redirect(url_for(".show", funder_id=funder.id))


@bp.route("/<int:funder_id>/contacts", methods=["POST"])
@allow("fundraiser")
def add_contact(funder_id):
    funder = Funder.get_by_id(funder_id)
    form = FunderContactForm()
    if form.validate_on_submit():
        try:
            services.add_contact(funder, form.data, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The contact is added."), "success")
            return redirect(url_for(".show", funder_id=funder.id))
    flash(_("The contact was not added: %(errors)s", errors="; ".join(
        f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items() if name in form)), "error")
    return redirect(url_for(".show", funder_id=funder.id))


@bp.route("/<int:funder_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@allow("fundraiser")
def remove_contact(funder_id, contact_id):
    contact = FunderContact.get_by_id(contact_id)
    if contact.funder_id != funder_id:
        abort(404)
    contact.delete_instance()
    flash(_("The contact is removed."), "success")
    return redirect(url_for(".show", funder_id=funder_id))


def _round_form(obj=None):
    form = RoundForm(obj=obj)
    form.kind.choices = choices((key, translate_label(label)) for key, label in ROUND_KINDS.items())
    return form


@bp.route("/<int:funder_id>/rounds/new", methods=["GET", "POST"])
@allow("fundraiser")
def new_round(funder_id):
    funder = Funder.get_by_id(funder_id)
    form = _round_form()
    if form.validate_on_submit():
        try:
            services.create_round(funder, form.data, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The round is saved."), "success")
            return redirect(url_for(".show", funder_id=funder.id))
    return render_template("funders/round_form.html", form=form, funder=funder, round=None), form_status(form)


@bp.route("/<int:funder_id>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@allow("fundraiser")
def edit_round(funder_id, round_id):
    round_ = Round.get_by_id(round_id)
    if round_.funder_id != funder_id:
        abort(404)
    form = _round_form(round_ if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_round(round_, form.data, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The round is saved."), "success")
            return redirect(url_for(".show", funder_id=funder_id))
    return render_template("funders/round_form.html", form=form, funder=round_.funder, round=round_), form_status(form)


@bp.route("/<int:funder_id>/rounds/<int:round_id>/delete", methods=["POST"])
@allow("fundraiser")
def delete_round(funder_id, round_id):
    round_ = Round.get_by_id(round_id)
    if round_.funder_id != funder_id:
        abort(404)
    round_.delete_instance()
    flash(_("The round is removed."), "success")
    return redirect(url_for(".show", funder_id=funder_id))
