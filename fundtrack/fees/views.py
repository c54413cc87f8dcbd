"""The fee ledger per quarter and organisation, the fee section of an application's page, and the fee steps.
Fundraisers only."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, visible_applications
from fundtrack.applications.views import render_page as application_page
from fundtrack.events import Section
from fundtrack.fees import services
from fundtrack.fees.forms import FeeAgreementForm, InvoiceForm, PaidForm, WriteOffForm
from fundtrack.fees.models import ENTRY_KINDS, FEE_KINDS, FEE_STATUSES, FEE_TRIGGERS, FeeEntry
from fundtrack.i18n import explain, translate_label
from fundtrack.money import kroner
from fundtrack.organisations.models import Organisation
from fundtrack.periods import quarter_of
from fundtrack.validation import ValidationError, parse_percent
from fundtrack.web import apply_errors, arg_id, arg_period, export_response

bp = Blueprint("fees", __name__)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)


@application_events.page_sections.connect
def fee_section(application, user, forms, **rest):
    if not user.is_fundraiser:
        return None
    agreement = services.agreement_of(application)
    return Section(
        "fees/_section.html",
        order=40,
        data={
            "agreement": agreement,
            "fee_form": forms.get("fee") or FeeAgreementForm.for_agreement(agreement),
            "invoice_form": forms.get("invoice") or InvoiceForm(formdata=None),
            "paid_form": forms.get("paid") or PaidForm(formdata=None),
            "write_off_form": forms.get("write_off") or WriteOffForm(formdata=None),
            "kinds": FEE_KINDS,
            "statuses": FEE_STATUSES,
            "triggers": FEE_TRIGGERS,
            "entry_kinds": ENTRY_KINDS,
            "entries": list(agreement.entries.order_by(FeeEntry.booked_on, FeeEntry.id)) if agreement else [],
            "warning": services.consultant_fee_warning(application.funder),
            "share_warning": _share_warning(agreement, application),
            "whole_fee": services.fee_amount(agreement, application.amount_granted_ore, application.reclaimed_ore)
            if agreement
            else 0,
            "received": services.received_share(agreement, application) if agreement else (0, 0),
        },
    )


def _share_warning(agreement, application) -> str | None:
    """The configured warning of a fee above its share of the grant, translated, with the field named."""
    if agreement is None:
        return None
    limit = current_app.extensions["fundtrack.settings"].fees.warn_above_percent
    notice = services.share_warning(agreement, application, limit)
    if notice is None:
        return None
    share = format_decimal(notice.params["share"])
    return explain(notice.message, {**notice.params, "share": share, "field": translate_label(notice.params["field"])})


def _quarter():
    """The quarter asked for (`?quarter=2026-Q3`), else the current one."""
    period = arg_period("quarter")
    return period if period is not None and period.kind == "Q" else quarter_of(clock.today())


@bp.route("/")
@allow("fundraiser")
def ledger():
    period = _quarter()
    start, end = period.start, period.end
    organisation_id = arg_id("organisation")
    return render_template(
        "fees/ledger.html",
        year=period.year,
        quarter=period.number,
        start=start,
        end=end,
        entries=list(services.ledger(start, end, organisation_id)),
        totals=services.ledger_totals(start, end, organisation_id),
        outstanding=list(services.outstanding()),
        organisations=list(Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)),
        organisation_id=organisation_id,
        previous=period.previous().code,
        next=period.following().code,
        entry_kinds=ENTRY_KINDS,
        statuses=FEE_STATUSES,
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", unscoped=("fmt",))
def export(fmt):
    period = _quarter()
    records = [
        {
            "booked_on": e.booked_on,
            "kind": e.kind,
            "amount": kroner(e.amount_ore),
            "application": e.agreement.application.title,
            "application_id": e.agreement.application_id,
            "organisation": e.agreement.application.organisation.name,
            "organisation_id": e.agreement.application.organisation_id,
            "funder": e.agreement.application.funder.name,
            "note": e.note,
        }
        for e in services.ledger(period.start, period.end, arg_id("organisation"))
    ]
    columns = [
        "booked_on",
        "kind",
        "amount",
        "application",
        "application_id",
        "organisation",
        "organisation_id",
        "funder",
        "note",
    ]
    return export_response(records, columns, fmt, f"fees-{period.code}")


def _done(application_id, message):
    flash(message, "success")
    return redirect(url_for("applications.show", application_id=application_id) + "#fee")


def _again(application, name, form, error=None):
    """The application's page again, the fee form with what was typed and the errors at their fields."""
    if isinstance(error, ValidationError):
        apply_errors(form, error)
    elif error is not None:
        form.form_errors.append(_(str(error.args[0])))
    return application_page(application, forms={name: form}, status=400)


@bp.route("/applications/<int:application_id>", methods=["POST"])
@allow("fundraiser")
def agreement(application_id):
    application = Application.get_by_id(application_id)
    form = FeeAgreementForm()
    if not form.validate_on_submit():
        return _again(application, "fee", form)
    data = dict(form.data)
    try:
        data["percent_bp"] = parse_percent(form.percent.data)
    except ValueError:
        form.percent.errors = [_("The percentage is not a number.")]
        return _again(application, "fee", form)
    try:
        services.set_agreement(application, data, actor=current_user, now=clock.now())
    except (ValidationError, services.FeeRefused) as error:
        return _again(application, "fee", form, error)
    return _done(application_id, _("The fee agreement is saved."))


def _step(application_id, name, form_class, step, done_message):
    """One step of a fee (invoice, payment, write-off) from its form, or the page again with its errors."""
    application = Application.get_by_id(application_id)
    agreement = services.agreement_of(application)
    form = form_class()
    if agreement is None:
        form.form_errors.append(_("There is no fee agreement yet."))
        return _again(application, name, form)
    if not form.validate_on_submit():
        return _again(application, name, form)
    try:
        step(agreement, form)
    except (ValidationError, services.FeeRefused) as error:
        return _again(application, name, form, error)
    return _done(application_id, done_message)


@bp.route("/applications/<int:application_id>/invoice", methods=["POST"])
@allow("fundraiser")
def invoice(application_id):
    return _step(
        application_id,
        "invoice",
        InvoiceForm,
        lambda agreement, form: services.invoice(
            agreement, number=form.number.data or "", on=form.on.data, actor=current_user, now=clock.now()
        ),
        _("The fee is invoiced."),
    )


@bp.route("/applications/<int:application_id>/paid", methods=["POST"])
@allow("fundraiser")
def paid(application_id):
    return _step(
        application_id,
        "paid",
        PaidForm,
        lambda agreement, form: services.mark_paid(agreement, on=form.on.data, actor=current_user, now=clock.now()),
        _("The fee is paid."),
    )


@bp.route("/applications/<int:application_id>/write-off", methods=["POST"])
@allow("fundraiser")
def write_off(application_id):
    return _step(
        application_id,
        "write_off",
        WriteOffForm,
        lambda agreement, form: services.write_off(
            agreement, on=form.on.data, reason=form.reason.data, actor=current_user, now=clock.now()
        ),
        _("The fee is written off."),
    )
