"""Relationship pages: the portfolio, one relationship, the ask-again list and the metrics; also the
relationships on a funder's and an organisation's page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.audit.views import history as record_history
from fundtrack.auth.models import User
from fundtrack.events import Section
from fundtrack.forms import choices
from fundtrack.funders import events as funder_events
from fundtrack.organisations import events as organisation_events
from fundtrack.relationships import history, services, transfer
from fundtrack.relationships.forms import InteractionForm, StewardshipForm
from fundtrack.relationships.models import INTERACTION_KINDS, STATUSES, Interaction, Relationship
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import apply_errors, arg_choice, arg_date, arg_id, arg_int, current_settings, export_response, safe_next

bp = Blueprint("relationships", __name__)
scope(bp, "relationship_id")(services.visible_relationships)
SECTION_ROWS = 20


def _section(**filters):
    listing = services.portfolio(current_user, clock.today(), current_settings().relationships, size=SECTION_ROWS, **filters)
    return {"listing": listing, "statuses": STATUSES, "filters": filters}


@funder_events.page_sections.connect
def funder_relationships(funder, **rest):
    return Section("relationships/_section.html", order=40, data={**_section(funder_id=funder.id), "show_funder": False})


@organisation_events.page_sections.connect
def organisation_relationships(organisation, **rest):
    return Section(
        "relationships/_section.html", order=20, data={**_section(organisation_id=organisation.id), "show_organisation": False}
    )


def _stewards():
    return list(services.possible_stewards(current_user))


def _filters() -> dict:
    return {"steward_id": arg_id("steward"), "funder_id": arg_id("funder"), "organisation_id": arg_id("organisation")}


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    listing = services.portfolio(
        current_user,
        clock.today(),
        current_settings().relationships,
        status=arg_choice("status", STATUSES),
        page=arg_int("page", low=1, high=10**7, default=1),
        **_filters(),
    )
    return render_template(
        "relationships/index.html",
        listing=listing,
        statuses=STATUSES,
        stewards=_stewards(),
        today=clock.today(),
        rules=current_settings().relationships,
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    rows = services.everything(
        current_user, clock.today(), current_settings().relationships, status=arg_choice("status", STATUSES), **_filters()
    )
    return export_response(transfer.export_relationships(rows), transfer.EXPORT_COLUMNS, fmt, "relationships")


@bp.route("/ask-again")
@allow("fundraiser", "member", "viewer")
def ask_again():
    settings = current_settings().relationships
    days = arg_int("days", low=1, high=730, default=settings.ask_again_days)
    listing = services.ask_again(current_user, clock.today(), settings, days, page=arg_int("page", low=1, high=10**7, default=1))
    return render_template("relationships/ask_again.html", listing=listing, days=days, statuses=STATUSES, today=clock.today())


def _period(settings):
    """The period asked for: a fiscal year (`year=2026`) or `from`/`to` dates; this fiscal year by default."""
    start_month = settings.fiscal_year_start_month
    start, end = arg_date("from"), arg_date("to")
    if start and end and end >= start:
        return start, end, None
    year = arg_int("year", low=1990, high=2100, default=history.fiscal_year(clock.today(), start_month))
    start, end = history.fiscal_year_bounds(year, start_month)
    return start, end, year


@bp.route("/metrics")
@allow("fundraiser", "member", "viewer")
def metrics():
    settings = current_settings().relationships
    start, end, year = _period(settings)
    figures = services.metrics(
        current_user,
        start,
        end,
        clock.today(),
        settings,
        **{
            name: arg_int(name, low=1, high=10**7, default=1)
            for name in ("lybunt_page", "sybunt_page", "funders_page", "organisations_page")
        },
    )
    return render_template(
        "relationships/metrics.html",
        m=figures,
        year=year,
        start_month=settings.fiscal_year_start_month,
        statuses=STATUSES,
    )


@bp.route("/<int:relationship_id>", methods=["GET"])
@allow("fundraiser", "member", "viewer")
def show(relationship_id):
    return _render_show(relationship_id)


def _render_show(relationship_id, interaction_form=None, stewardship_form=None, status=200):
    relationship = services.with_parties(Relationship.select()).where(Relationship.id == relationship_id).get()
    settings = current_settings().relationships
    overview = services.overviews([relationship], clock.today(), settings)[0]
    stewardship = stewardship_form or StewardshipForm(formdata=None, obj=relationship)
    stewardship.steward.choices = choices([("", "–")] + [(str(u.id), u.name) for u in _stewards()])
    if stewardship_form is None:
        stewardship.steward.data = str(relationship.steward_id or "")
    interactions = (
        Interaction.select(Interaction, User)
        .join(User, JOIN.LEFT_OUTER, on=(Interaction.actor == User.id))
        .where(Interaction.relationship == relationship)
        .order_by(Interaction.happened_on.desc(), Interaction.id.desc())
    )
    reports = list(services.report_deadlines_of(relationship))
    return render_template(
        "relationships/show.html",
        o=overview,
        r=relationship,
        statuses=STATUSES,
        kinds=INTERACTION_KINDS,
        applications=list(services.applications_of(relationship)),
        gift_ids={g.application_id for g in overview.gifts},
        interactions=list(interactions),
        reports=reports,
        today=clock.today(),
        stewardship=stewardship,
        interaction_form=interaction_form or InteractionForm(formdata=None),
        history=record_history("relationship", relationship.id),
    ), status


@bp.route("/<int:relationship_id>/stewardship", methods=["POST"])
@allow("fundraiser", "member")
def stewardship(relationship_id):
    relationship = Relationship.get_by_id(relationship_id)
    form = StewardshipForm()
    form.steward.choices = choices([("", "–")] + [(str(u.id), u.name) for u in _stewards()])
    if form.validate_on_submit():
        steward_id = parse_id(form.steward.data)
        steward = services.possible_stewards(current_user).where(User.id == steward_id).first() if steward_id else None
        if steward_id and steward is None:
            form.steward.errors = [_("Choose a steward from the list.")]
        else:
            try:
                services.set_stewardship(
                    relationship,
                    steward=steward,
                    next_step=form.next_step.data,
                    next_step_on=form.next_step_on.data,
                    notes=form.notes.data,
                    actor=current_user,
                    now=clock.now(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                flash(_("Your changes are saved."), "success")
                return redirect(url_for(".show", relationship_id=relationship_id))
    return _render_show(relationship_id, stewardship_form=form, status=400)


@bp.route("/<int:relationship_id>/next-step/done", methods=["POST"])
@allow("fundraiser", "member")
def next_step_done(relationship_id):
    relationship = Relationship.get_by_id(relationship_id)
    if services.complete_next_step(relationship, actor=current_user, now=clock.now()):
        flash(_("The next step is done. Add the next one when you know it."), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".show", relationship_id=relationship_id)))


@bp.route("/<int:relationship_id>/interactions", methods=["POST"])
@allow("fundraiser", "member")
def add_interaction(relationship_id):
    relationship = Relationship.get_by_id(relationship_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            services.log_interaction(
                relationship,
                kind=form.kind.data,
                happened_on=form.happened_on.data,
                text=form.text.data,
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The interaction is logged."), "success")
            return redirect(url_for(".show", relationship_id=relationship_id) + "#interactions")
    return _render_show(relationship_id, interaction_form=form, status=400)
