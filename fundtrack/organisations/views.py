"""Organisation pages: list, profile, create, edit and archive. Other domains add their parts of the
profile (applications, relationships, calls, contacts) through `events.page_sections`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.audit.views import history
from fundtrack.events import answers
from fundtrack.forms import choices
from fundtrack.i18n import translate_label
from fundtrack.organisations import events, services, transfer
from fundtrack.organisations.forms import OrganisationForm
from fundtrack.organisations.models import ORGANISATION_KINDS, Organisation
from fundtrack.search.index import folded_contains
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, arg_text, export_response, form_status, paginate

bp = Blueprint("organisations", __name__)
scope(bp, "organisation_id")(services.visible_organisations)


def _kind_choices():
    return choices((key, translate_label(label)) for key, label in ORGANISATION_KINDS.items())


def _filtered():
    """The organisations the user may see, narrowed by the list's search and archive filter."""
    query = services.visible_organisations(current_user)
    text = arg_text("q")
    if text:
        query = query.where(folded_contains(Organisation.name, text) | folded_contains(Organisation.description, text))
    if request.args.get("archived") != "1":
        query = query.where(Organisation.archived_at.is_null())
    return query.order_by(Organisation.name), text


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query, text = _filtered()
    return render_template("organisations/index.html", page=paginate(query), q=text, kinds=ORGANISATION_KINDS)


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query, _text = _filtered()
    return export_response(transfer.export_organisations(query), transfer.EXPORT_COLUMNS, fmt, "organisations")


def render_page(organisation: Organisation, *, forms: dict | None = None, status: int = 200):
    """The profile with every domain's section; `forms` carries a form sent back with errors to its section."""
    sections = answers(events.page_sections, organisation, user=current_user, forms=forms or {})
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        kinds=ORGANISATION_KINDS,
        sections=sections,
        history=history("organisation", organisation.id),
    ), status


@bp.route("/<int:organisation_id>")
@allow("fundraiser", "member", "viewer")
def show(organisation_id):
    return render_page(Organisation.get_by_id(organisation_id))


@bp.route("/new", methods=["GET", "POST"])
@allow("fundraiser")
def new():
    form = OrganisationForm()
    form.kind.choices = _kind_choices()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(form.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s is created.", name=organisation.name), "success")
            return redirect(url_for(".show", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None), form_status(form)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@allow("fundraiser")
def edit(organisation_id):
    organisation = Organisation.get_by_id(organisation_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    form.kind.choices = _kind_choices()
    if request.method == "GET":
        form.interests.data = ", ".join(organisation.interests)
        form.keywords.data = ", ".join(organisation.keywords)
        form.excluded_words.data = ", ".join(organisation.excluded_words)
        form.un_goals.data = ", ".join(str(g) for g in organisation.un_goals)
        form.cvr_number.data = organisation.cvr_number or ""
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, form.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation), form_status(form)


@bp.route("/<int:organisation_id>/archive", methods=["POST"])
@allow("fundraiser")
def archive(organisation_id):
    organisation = Organisation.get_by_id(organisation_id)
    archived = organisation.archived_at is None
    services.set_archived(organisation, archived, actor=current_user, now=clock.now())
    if archived:
        flash(_("%(name)s is archived.", name=organisation.name), "success")
    else:
        flash(_("%(name)s is active again.", name=organisation.name), "success")
    return redirect(url_for(".show", organisation_id=organisation.id))
