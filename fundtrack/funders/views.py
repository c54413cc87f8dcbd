"""Funder pages: list, profile with rounds, create, edit, archive, export. Other domains add their parts
of the profile (contacts, applications, relationships) through `events.page_sections`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, undo
from fundtrack.access import allow, scope
from fundtrack.audit.views import history
from fundtrack.db import list_contains
from fundtrack.events import answers
from fundtrack.forms import choices
from fundtrack.funders import events, services, transfer
from fundtrack.funders.forms import FunderForm, RoundForm
from fundtrack.funders.models import FUNDER_KINDS, ROUND_KINDS, Funder, Round
from fundtrack.i18n import translate_label
from fundtrack.search.index import folded_contains
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, arg_choice, arg_int, arg_text, export_response, form_status, paginate, unless_confirmed

bp = Blueprint("funders", __name__)
scope(bp, "funder_id")(services.visible_funders)


@scope(bp, "round_id", within=("funder_id", "funder"))
def visible_rounds(user):
    return Round.select()


def _filtered():
    query = services.visible_funders(current_user)
    text = arg_text("q")
    if text:
        query = query.where(
            folded_contains(Funder.name, text)
            | folded_contains(Funder.description, text)
            | folded_contains(Funder.focus_tags, text)
        )
    kind = arg_choice("kind", FUNDER_KINDS)
    if kind:
        query = query.where(Funder.kind == kind)
    goal = arg_int("goal", low=1, high=17)
    if goal is not None:
        query = query.where(list_contains(Funder.un_goals, goal))
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
    return render_template("funders/index.html", page=page, q=text, kind=kind, kinds=FUNDER_KINDS, next_rounds=next_rounds)


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
        form.instalment_shares.data = ", ".join(str(share) for share in obj.instalment_shares)
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


def render_page(funder: Funder, *, forms: dict | None = None, status: int = 200):
    """The profile with its rounds and every domain's section; `forms` carries a form sent back with errors."""
    today = clock.today()
    rounds = [(round_, services.next_dates(round_, today, 3)) for round_ in funder.rounds.order_by(Round.name)]
    sections = answers(events.page_sections, funder, user=current_user, forms=forms or {})
    return render_template(
        "funders/show.html",
        funder=funder,
        kinds=FUNDER_KINDS,
        rounds=rounds,
        round_kinds=ROUND_KINDS,
        sections=sections,
        today=today,
        history=history("funder", funder.id),
    ), status


@bp.route("/<int:funder_id>")
@allow("fundraiser", "member", "viewer")
def show(funder_id):
    return render_page(Funder.get_by_id(funder_id))


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
            services.create_round(funder, form.data, actor=current_user, now=clock.now())
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
    form = _round_form(round_ if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_round(round_, form.data, actor=current_user, now=clock.now())
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
    back = url_for(".show", funder_id=funder_id)
    if (question := unless_confirmed(_("Remove the round %(name)s?", name=round_.name), back)) is not None:
        return question
    removed = services.delete_round(round_, actor=current_user, now=clock.now())
    undo.offer("round", removed.id, _("The round %(name)s is removed.", name=round_.name), now=clock.now())
    return redirect(back)


@undo.taker("round")
def _put_back_round(removed_id, *, actor, now):
    if not actor.is_fundraiser or not undo.copy_kept_by(removed_id, actor):
        return None
    round_ = services.restore_round(removed_id, actor=actor, now=now)
    return url_for("funders.show", funder_id=round_.funder_id) if round_ is not None else None
