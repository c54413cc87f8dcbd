"""Organisation pages: list, profile, create, edit, archive and contacts."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.applications.models import Application
from fundtrack.applications.services import visible_applications
from fundtrack.auth.access import allow, scope
from fundtrack.feeds.models import Call, CallMatch
from fundtrack.forms import choices
from fundtrack.funders.models import Funder
from fundtrack.i18n import translate_label
from fundtrack.organisations import services
from fundtrack.organisations.forms import ContactForm, OrganisationForm
from fundtrack.organisations.models import ORGANISATION_KINDS, Contact, Organisation
from fundtrack.relationships import services as relationship_services
from fundtrack.relationships.models import STATUSES
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, current_settings, paginate

bp = Blueprint("organisations", __name__)
scope("organisation_id")(services.visible_organisations)


@scope("contact_id")
def visible_contacts(user):
    visible = services.visible_organisations(user).select(Organisation.id)
    return Contact.select().join(Organisation).where(Organisation.id.in_(visible))


def _status(form) -> int:
    """400 for a form sent back with errors, so that the failure is visible to clients and tests."""
    return 400 if form.errors or form.form_errors else 200


def _kind_choices():
    return choices((key, translate_label(label)) for key, label in ORGANISATION_KINDS.items())


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query = services.visible_organisations(current_user)
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(Organisation.name.contains(text) | Organisation.description.contains(text))
    if request.args.get("archived") != "1":
        query = query.where(Organisation.archived_at.is_null())
    page = paginate(query.order_by(Organisation.name))
    return render_template("organisations/index.html", page=page, q=text, kinds=ORGANISATION_KINDS)


@bp.route("/<int:organisation_id>")
@allow("fundraiser", "member", "viewer")
def show(organisation_id):
    organisation = Organisation.get_by_id(organisation_id)
    applications = (visible_applications(current_user).select(Application, Funder).join(Funder)
                    .where(Application.organisation == organisation).order_by(Application.created_at.desc()))
    return _render_show(organisation, list(applications), ContactForm())


def _render_show(organisation, applications, contact_form, status=200):
    relationship_services.ensure_relationships(clock.now())
    relationships = relationship_services.portfolio(current_user, clock.today(), current_settings().relationships,
                                                    organisation_id=organisation.id)
    calls = (Call.select(Call, CallMatch).join(CallMatch)
             .where((CallMatch.organisation == organisation) & (Call.status != "dismissed"))
             .order_by(CallMatch.matched_at.desc()).limit(20))
    return render_template("organisations/show.html", organisation=organisation, applications=applications,
                           contacts=list(organisation.contacts.order_by(Contact.name)), contact_form=contact_form,
                           kinds=ORGANISATION_KINDS, relationships=relationships, statuses=STATUSES,
                           calls=list(calls)), status


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
    return render_template("organisations/form.html", form=form, organisation=None), _status(form)


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
    return render_template("organisations/form.html", form=form, organisation=organisation), _status(form)


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


@bp.route("/<int:organisation_id>/contacts", methods=["POST"])
@allow("fundraiser", "member")
def add_contact(organisation_id):
    organisation = Organisation.get_by_id(organisation_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.add_contact(organisation, form.data, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The contact is added."), "success")
            return redirect(url_for(".show", organisation_id=organisation.id))
    applications = (visible_applications(current_user).select(Application, Funder).join(Funder)
                    .where(Application.organisation == organisation))
    return _render_show(organisation, list(applications), form, status=400)


@bp.route("/<int:organisation_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@allow("fundraiser", "member")
def remove_contact(organisation_id, contact_id):
    contact = Contact.get_by_id(contact_id)
    if contact.organisation_id != organisation_id:
        abort(404)
    services.remove_contact(contact)
    flash(_("The contact is removed."), "success")
    return redirect(url_for(".show", organisation_id=organisation_id))
