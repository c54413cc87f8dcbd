"""The fee ledger per quarter and organisation, and the fee steps of one application. Fundraisers only."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.applications.models import Application
from fundtrack.auth.access import allow
from fundtrack.fees import services
from fundtrack.fees.forms import FeeAgreementForm, InvoiceForm, PaidForm, WriteOffForm
from fundtrack.fees.models import ENTRY_KINDS, FEE_STATUSES
from fundtrack.money import kroner
from fundtrack.organisations.models import Organisation
from fundtrack.periods import Period, PeriodError, parse_period, quarter_of
from fundtrack.validation import ValidationError
from fundtrack.web import export_response

bp = Blueprint("fees", __name__)


def _quarter() -> Period:
    """The quarter asked for (`?quarter=2026-Q3`), else the current one."""
    try:
        period = parse_period(request.args.get("quarter", ""))
    except PeriodError:
        period = None
    return period if period is not None and period.kind == "Q" else quarter_of(clock.today())


@bp.route("/")
@allow("fundraiser")
def ledger():
    period = _quarter()
    start, end = period.start, period.end
    organisation = request.args.get("organisation", "")
    organisation_id = int(organisation) if organisation.isdigit() else None
    return render_template(
        "fees/ledger.html", year=period.year, quarter=period.number, start=start, end=end,
        entries=list(services.ledger(start, end, organisation_id)),
        totals=services.ledger_totals(start, end, organisation_id), outstanding=list(services.outstanding()),
        organisations=list(Organisation.select().order_by(Organisation.name)), organisation_id=organisation_id,
        previous=period.previous().code, next=period.following().code, entry_kinds=ENTRY_KINDS,
        statuses=FEE_STATUSES,
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", unscoped=("fmt",))
def export(fmt):
    period = _quarter()
    start, end = period.start, period.end
    organisation = request.args.get("organisation", "")
    records = [{
        "booked_on": e.booked_on, "kind": e.kind, "amount": kroner(e.amount_ore), "application": e.agreement.application.title,
        "application_id": e.agreement.application_id, "organisation": e.agreement.application.organisation.name,
        "organisation_id": e.agreement.application.organisation_id, "funder": e.agreement.application.funder.name,
        "note": e.note,
    } for e in services.ledger(start, end, int(organisation) if organisation.isdigit() else None)]
    columns = ["booked_on", "kind", "amount", "application", "application_id", "organisation", "organisation_id",
               "funder", "note"]
    return export_response(records, columns, fmt, f"fees-{period.code}")


def _back(application_id):
    return redirect(url_for("applications.show", application_id=application_id) + "#fee")


def _refused(error) -> None:
    if isinstance(error, ValidationError):
        for message, params in error.errors.values():
            flash(_(message, **params), "error")
    else:
        flash(_(str(error.args[0])), "error")


@bp.route("/applications/<int:application_id>", methods=["POST"])
@allow("fundraiser")
def agreement(application_id):
    application = Application.get_by_id(application_id)
    form = FeeAgreementForm()
    if form.validate_on_submit():
        data = dict(form.data)
        try:
            data["percent_bp"] = services.parse_percent(form.percent.data)
        except ValueError:
            flash(_("The percentage is not a number."), "error")
            return _back(application_id)
        try:
            services.set_agreement(application, data, actor=current_user, now=clock.now())
        except (ValidationError, services.FeeRefused) as error:
            _refused(error)
        else:
            flash(_("The fee agreement is saved."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return _back(application_id)


def _agreement_or_back(application_id):
    application = Application.get_by_id(application_id)
    return services.agreement_of(application)


@bp.route("/applications/<int:application_id>/invoice", methods=["POST"])
@allow("fundraiser")
def invoice(application_id):
    agreement = _agreement_or_back(application_id)
    form = InvoiceForm()
    if agreement is not None and form.validate_on_submit():
        try:
            services.invoice(agreement, number=form.number.data or "", on=form.on.data, actor=current_user, now=clock.now())
            flash(_("The fee is invoiced."), "success")
        except services.FeeRefused as error:
            _refused(error)
    else:
        flash(_("Give the invoice date."), "error")
    return _back(application_id)


@bp.route("/applications/<int:application_id>/paid", methods=["POST"])
@allow("fundraiser")
def paid(application_id):
    agreement = _agreement_or_back(application_id)
    form = PaidForm()
    if agreement is not None and form.validate_on_submit():
        try:
            services.mark_paid(agreement, on=form.on.data, actor=current_user, now=clock.now())
            flash(_("The fee is paid."), "success")
        except services.FeeRefused as error:
            _refused(error)
    else:
        flash(_("Give the payment date."), "error")
    return _back(application_id)


@bp.route("/applications/<int:application_id>/write-off", methods=["POST"])
@allow("fundraiser")
def write_off(application_id):
    agreement = _agreement_or_back(application_id)
    form = WriteOffForm()
    if agreement is not None and form.validate_on_submit():
        try:
            services.write_off(agreement, on=form.on.data, reason=form.reason.data, actor=current_user, now=clock.now())
            flash(_("The fee is written off."), "success")
        except (services.FeeRefused, ValidationError) as error:
            _refused(error)
    else:
        flash(_("Give the date and why the fee is written off."), "error")
    return _back(application_id)
