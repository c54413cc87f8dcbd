"""The payment schedule on a granted application's page: proposing one, adding, changing, receiving and
removing instalments."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, i18n
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import WON_STAGES, Application
from fundtrack.applications.services import changeable_applications, may_change, visible_applications
from fundtrack.applications.views import render_page as application_page
from fundtrack.audit.views import history
from fundtrack.events import Section
from fundtrack.instalments import services, transfer
from fundtrack.instalments.forms import InstalmentForm, PlanForm, ReceiveForm
from fundtrack.instalments.models import Instalment
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, export_response, form_status, unless_confirmed

bp = Blueprint("instalments", __name__)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)
scope(bp, "instalment_id", writable=transfer.changeable_instalments)(transfer.visible_instalments)


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    records = transfer.export_instalments(transfer.visible_instalments(current_user))
    return export_response(records, transfer.EXPORT_COLUMNS, fmt, "instalments")


@application_events.page_sections.connect
def schedule_section(application, user, today, forms, **rest):
    if application.stage not in WON_STAGES:
        return None
    instalments = services.schedule(application)
    return Section(
        "instalments/_section.html",
        order=15,
        data={
            "instalments": instalments,
            "totals": services.totals(application, instalments),
            "reclaims": services.reclaims(application),
            "form": forms.get("instalment") or InstalmentForm(formdata=None),
            "plan_form": forms.get("plan") or PlanForm(formdata=None, plan=services.default_plan(application)),
            "receive_form": ReceiveForm(formdata=None, received_on=today),
            "may_change": may_change(user, application),
        },
    )


def _to_schedule(application_id: int):
    return redirect(url_for("applications.show", application_id=application_id) + "#instalments")


@bp.route("/applications/<int:application_id>/plan", methods=["POST"])
@allow("fundraiser", "member")
def plan(application_id):
    application = Application.get_by_id(application_id)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            services.apply_plan(application, form.plan.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The payment schedule is proposed; change it as the award letter says."), "success")
            return _to_schedule(application.id)
    return application_page(application, forms={"plan": form}, status=400)


def _data(form) -> dict:
    return {name: getattr(form, name).data for name in ("planned_on", "planned_ore", "condition", "received_on", "received_ore")}


@bp.route("/applications/<int:application_id>/new", methods=["POST"])
@allow("fundraiser", "member")
def new(application_id):
    application = Application.get_by_id(application_id)
    form = InstalmentForm()
    if form.validate_on_submit():
        try:
            services.add_instalment(application, _data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The instalment is added."), "success")
            return _to_schedule(application.id)
    return application_page(application, forms={"instalment": form}, status=400)


@bp.route("/<int:instalment_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def edit(instalment_id):
    instalment = Instalment.get_by_id(instalment_id)
    form = InstalmentForm(obj=instalment)
    if form.validate_on_submit():
        try:
            services.update_instalment(instalment, _data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The instalment is saved."), "success")
            return _to_schedule(instalment.application_id)
    return _form_page(instalment, form, form_status(form))


def _form_page(instalment: Instalment, form, status: int):
    return render_template(
        "instalments/form.html",
        form=form,
        instalment=instalment,
        application=instalment.application,
        history=history("instalment", instalment.id, own=True),
    ), status


@bp.route("/<int:instalment_id>/receive", methods=["POST"])
@allow("fundraiser", "member")
def receive(instalment_id):
    instalment = Instalment.get_by_id(instalment_id)
    form = ReceiveForm()
    if form.validate_on_submit():
        try:
            services.receive(instalment, form.received_on.data, form.received_ore.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The instalment is marked received."), "success")
            return _to_schedule(instalment.application_id)
    # Sent back on the instalment's own page, with what was typed and why it was refused.
    full = InstalmentForm(formdata=None, obj=instalment)
    for name in ("received_on", "received_ore"):
        getattr(full, name).raw_data = [request.form.get(name, "")]
        getattr(full, name).errors = list(getattr(form, name).errors)
    full.form_errors = list(form.form_errors)
    return _form_page(instalment, full, 400)


@bp.route("/<int:instalment_id>/delete", methods=["POST"])
@allow("fundraiser", "member")
def delete(instalment_id):
    instalment = Instalment.get_by_id(instalment_id)
    back = url_for("applications.show", application_id=instalment.application_id) + "#instalments"
    if (
        question := unless_confirmed(
            _("Remove the instalment planned for %(name)s?", name=i18n.date(instalment.planned_on)), back
        )
    ) is not None:
        return question
    services.delete_instalment(instalment, actor=current_user, now=clock.now())
    flash(_("The instalment is removed."), "success")
    return _to_schedule(instalment.application_id)
