"""Contacts on organisation and funder pages: the list, adding, changing and removing a person."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, undo
from fundtrack.access import allow, scope
from fundtrack.contacts import services
from fundtrack.contacts.forms import ContactForm
from fundtrack.contacts.models import Contact
from fundtrack.events import Section
from fundtrack.funders import events as funder_events
from fundtrack.funders import services as funder_services
from fundtrack.funders import views as funder_views
from fundtrack.funders.models import Funder
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations import services as organisation_services
from fundtrack.organisations import views as organisation_views
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, form_status, unless_confirmed

bp = Blueprint("contacts", __name__)
scope(bp, "organisation_id")(organisation_services.visible_organisations)
scope(bp, "funder_id")(funder_services.visible_funders)
scope(bp, "contact_id")(services.changeable_contacts)


@organisation_events.page_sections.connect
def organisation_contacts(organisation, user, forms):
    form = forms.get("contact") or ContactForm(formdata=None)
    return Section(
        "contacts/_section.html",
        order=60,
        data={
            "contacts": services.contacts_of(organisation),
            "form": form,
            "alerts": True,
            "add_url": url_for("contacts.add_to_organisation", organisation_id=organisation.id),
            "may_change": user.role in ("fundraiser", "member"),
        },
    )


@funder_events.page_sections.connect
def funder_contacts(funder, user, forms):
    form = forms.get("contact") or ContactForm(formdata=None)
    return Section(
        "contacts/_section.html",
        order=30,
        data={
            "contacts": services.contacts_of(funder),
            "form": form,
            "alerts": False,
            "add_url": url_for("contacts.add_to_funder", funder_id=funder.id),
            "may_change": user.is_fundraiser,
        },
    )


@bp.route("/organisations/<int:organisation_id>/contacts", methods=["POST"])
@allow("fundraiser", "member")
def add_to_organisation(organisation_id):
    organisation = Organisation.get_by_id(organisation_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.add_contact(organisation, form.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The contact is added."), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#contacts")
    return organisation_views.render_page(organisation, forms={"contact": form}, status=400)


@bp.route("/funders/<int:funder_id>/contacts", methods=["POST"])
@allow("fundraiser")
def add_to_funder(funder_id):
    funder = Funder.get_by_id(funder_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.add_contact(funder, form.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The contact is added."), "success")
            return redirect(url_for("funders.show", funder_id=funder.id) + "#contacts")
    return funder_views.render_page(funder, forms={"contact": form}, status=400)


def _back(contact: Contact):
    if contact.organisation_id:
        return url_for("organisations.show", organisation_id=contact.organisation_id) + "#contacts"
    return url_for("funders.show", funder_id=contact.funder_id) + "#contacts"


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allow("fundraiser", "member")
def edit(contact_id):
    contact = Contact.get_by_id(contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            services.update_contact(contact, form.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(_back(contact))
    return render_template("contacts/form.html", form=form, contact=contact, back=_back(contact)), form_status(form)


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@allow("fundraiser", "member")
def delete(contact_id):
    contact = Contact.get_by_id(contact_id)
    back = _back(contact)
    if (question := unless_confirmed(_("Remove the contact %(name)s?", name=contact.name), back)) is not None:
        return question
    removed = services.remove_contact(contact, actor=current_user, now=clock.now())
    undo.offer("contact", removed.id, _("The contact %(name)s is removed.", name=contact.name), now=clock.now())
    return redirect(back)


@undo.taker("contact")
def _put_back(removed_id, *, actor, now):
    if not undo.copy_kept_by(removed_id, actor):
        return None
    contact = services.restore_contact(removed_id, actor=actor, now=now)
    return _back(contact) if contact is not None else None
