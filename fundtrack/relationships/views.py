"""Relationship pages: the portfolio, one relationship, the ask-again list and the metrics."""
import datetime as dt
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from fundtrack import clock
from fundtrack.auth.access import allow, scope
from fundtrack.auth.models import User
from fundtrack.forms import choices
from fundtrack.relationships import history, services, transfer
from fundtrack.relationships.forms import InteractionForm, StewardshipForm
from fundtrack.relationships.models import INTERACTION_KINDS, STATUSES, Interaction, Relationship
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, current_settings, export_response

bp = Blueprint("relationships", __name__)
scope("relationship_id")(services.visible_relationships)


def _stewards():
    return list(services.possible_stewards(current_user))


def _portfolio():
    settings = current_settings().relationships
    services.ensure_relationships(clock.now())
    steward = request.args.get("steward", "")
    return services.portfolio(current_user, clock.today(), settings, status=request.args.get("status", ""),
                              steward_id=int(steward) if steward.isdigit() else None)


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    overviews = _portfolio()
    counts = {code: 0 for code in STATUSES}
    for overview in overviews:
        counts[overview.status.code] += 1
    return render_template("relationships/index.html", overviews=overviews, statuses=STATUSES, counts=counts,
                           stewards=_stewards(), today=clock.today())


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    return export_response(transfer.export_relationships(_portfolio()), transfer.EXPORT_COLUMNS, fmt, "relationships")


@bp.route("/ask-again")
@allow("fundraiser", "member", "viewer")
def ask_again():
    settings = current_settings().relationships
    days = request.args.get("days", "")
    days = int(days) if days.isdigit() and 0 < int(days) <= 730 else settings.ask_again_days
    services.ensure_relationships(clock.now())
    overviews = services.ask_again(current_user, clock.today(), settings, days)
    return render_template("relationships/ask_again.html", overviews=overviews, days=days, statuses=STATUSES,
                           today=clock.today())


def _period(settings):
    """The period asked for: a fiscal year (`year=2026`) or `from`/`to` dates; this fiscal year by default."""
    today = clock.today()
    start_month = settings.fiscal_year_start_month
    try:
        if request.args.get("from") and request.args.get("to"):
            start = dt.date.fromisoformat(request.args["from"])
            end = dt.date.fromisoformat(request.args["to"])
            if end >= start:
                return start, end, None
    except ValueError:
        pass
    year = request.args.get("year", "")
    year = int(year) if re.fullmatch(r"\d{4}", year) else history.fiscal_year(today, start_month)
    start, end = history.fiscal_year_bounds(year, start_month)
    return start, end, year


@bp.route("/metrics")
@allow("fundraiser", "member", "viewer")
def metrics():
    settings = current_settings().relationships
    start, end, year = _period(settings)
    services.ensure_relationships(clock.now())
    figures = services.metrics(current_user, start, end, clock.today(), settings)
    this_year = history.fiscal_year(clock.today(), settings.fiscal_year_start_month)
    return render_template("relationships/metrics.html", m=figures, year=year, this_year=this_year,
                           start_month=settings.fiscal_year_start_month, statuses=STATUSES)


@bp.route("/<int:relationship_id>", methods=["GET"])
@allow("fundraiser", "member", "viewer")
def show(relationship_id):
    return _render_show(relationship_id)


def _render_show(relationship_id, interaction_form=None, status=200):
    relationship = services.with_parties(Relationship.select()).where(Relationship.id == relationship_id).get()
    settings = current_settings().relationships
    overview = services.overviews([relationship], clock.today(), settings)[0]
    stewardship = StewardshipForm(obj=relationship)
    stewardship.steward.choices = choices([("", "–")] + [(str(u.id), u.name) for u in _stewards()])
    stewardship.steward.data = str(relationship.steward_id or "")
    interactions = (Interaction.select(Interaction, User).join(User, JOIN.LEFT_OUTER, on=(Interaction.actor == User.id))
                    .where(Interaction.relationship == relationship)
                    .order_by(Interaction.happened_on.desc(), Interaction.id.desc()))
    reports = list(services.report_deadlines_of(relationship))
    return render_template(
        "relationships/show.html", o=overview, r=relationship, statuses=STATUSES, kinds=INTERACTION_KINDS,
        applications=list(services.applications_of(relationship)), gift_ids={g.application_id for g in overview.gifts},
        interactions=list(interactions), reports=reports, today=clock.today(),
        on_time=[services.delivered_on_time(d) for d in reports],
        stewardship=stewardship, interaction_form=interaction_form or InteractionForm(),
    ), status


@bp.route("/<int:relationship_id>/stewardship", methods=["POST"])
@allow("fundraiser", "member")
def stewardship(relationship_id):
    relationship = Relationship.get_by_id(relationship_id)
    form = StewardshipForm()
    if form.validate_on_submit():
        steward_id = form.steward.data
        steward = None
        if steward_id and steward_id.isdigit():
            steward = services.possible_stewards(current_user).where(User.id == int(steward_id)).first()
        try:
            services.set_stewardship(relationship, steward=steward, next_step=form.next_step.data,
                                     next_step_on=form.next_step_on.data, notes=form.notes.data, now=clock.now())
        except ValidationError as error:
            for message, params in error.errors.values():
                flash(_(message, **params), "error")
        else:
            flash(_("Your changes are saved."), "success")
    else:
        flash(_("Please correct the marked fields."), "error")
    return redirect(url_for(".show", relationship_id=relationship_id))


@bp.route("/<int:relationship_id>/interactions", methods=["POST"])
@allow("fundraiser", "member")
def add_interaction(relationship_id):
    relationship = Relationship.get_by_id(relationship_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            services.log_interaction(relationship, kind=form.kind.data, happened_on=form.happened_on.data,
                                     text=form.text.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The interaction is logged."), "success")
            return redirect(url_for(".show", relationship_id=relationship_id) + "#interactions")
    return _render_show(relationship_id, interaction_form=form, status=400)
