"""Deadline pages: the list of what is due, and adding, changing, completing and removing deadlines; also
the deadlines on an application's page, the list's "next deadline" column and its deadline filter."""

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from fundtrack import clock, i18n, undo
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, may_change, visible_applications
from fundtrack.applications.views import render_page as application_page
from fundtrack.audit.views import history
from fundtrack.auth.models import User
from fundtrack.deadlines import events, services
from fundtrack.deadlines.forms import DeadlineForm
from fundtrack.deadlines.models import DEADLINE_KINDS, MANAGED_KINDS, REPORT_KINDS, Deadline
from fundtrack.deadlines.transfer import EXPORT_COLUMNS, export_deadlines
from fundtrack.events import Column, Filter, Section, answers
from fundtrack.i18n import translate_label
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError
from fundtrack.web import (
    apply_errors,
    arg_choice,
    arg_id,
    arg_text,
    export_response,
    form_status,
    paginate,
    safe_next,
    unless_confirmed,
)

bp = Blueprint("deadlines", __name__)
scope(bp, "deadline_id", writable=services.changeable_deadlines)(services.visible_deadlines)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)
WINDOWS = {"overdue": None, "7": 7, "30": 30, "90": 90}


@application_events.page_sections.connect
def deadlines_section(application, user, today, forms, **rest):
    deadlines = list(application.deadlines.where(Deadline.deleted_at.is_null()).order_by(Deadline.due_on, Deadline.id))
    return Section(
        "deadlines/_section.html",
        order=20,
        data={
            "deadlines": deadlines,
            "form": forms.get("deadline") or DeadlineForm(formdata=None),
            "kinds": DEADLINE_KINDS,
            "report_kinds": REPORT_KINDS,
            "managed_kinds": MANAGED_KINDS,
            "may_change": may_change(user, application),
        },
    )


@application_events.list_columns.connect
def next_deadline_column(sender, user, today, **rest):
    return Column(
        "deadline",
        _("Next deadline"),
        services.next_open_by_application,
        cell="deadlines/_next_cell.html",
        card="deadlines/_next_card.html",
        sort=services.next_due_on(),
        order=80,
    )


@application_events.list_filters.connect
def window_filter(sender, user, today, **rest):
    window = arg_choice("window", WINDOWS)
    condition = services.open_within(today, WINDOWS[window]) if window else None
    return Filter(condition, template="deadlines/_window_filter.html", parameters=("window",))


WINDOW_LABELS = {"overdue": _l("Overdue"), "7": _l("Next 7 days"), "30": _l("Next 30 days"), "90": _l("Next 90 days")}


@bp.app_context_processor
def window_labels():
    return {"deadline_windows": WINDOW_LABELS}


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    """Every open deadline, the overdue first, with words, kind, organisation, owner, window and "mine" to narrow it."""
    today = clock.today()
    filters = services.DeadlineFilters(
        text=arg_text("q"),
        kind=arg_choice("kind", DEADLINE_KINDS),
        organisation_id=None if current_user.is_member else arg_id("organisation"),
        owner_id=arg_id("owner"),
        window=arg_choice("window", WINDOWS),
        mine=arg_choice("mine", ("1",)) == "1",
    )
    organisations = (
        []
        if current_user.is_member
        else list(Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name))
    )
    return render_template(
        "deadlines/index.html",
        page=paginate(services.open_deadlines(current_user, today, filters)),
        filters=filters,
        today=today,
        kinds=DEADLINE_KINDS,
        managed_kinds=MANAGED_KINDS,
        organisations=[] if current_user.is_member else list(organisations),
        owners=list(User.select(User.id, User.name).where(User.role == "fundraiser").order_by(User.name)),
        windows=WINDOW_LABELS,
        filtered=filters != services.DeadlineFilters(),
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query = services.visible_deadlines(current_user).order_by(Deadline.due_on, Deadline.id)
    return export_response(export_deadlines(query), EXPORT_COLUMNS, fmt, "deadlines")


def _moment(form) -> dt.datetime | None:
    """The deadline's time of day as an aware moment, when one was given."""
    if form.due_time.data is None or form.due_on.data is None:
        return None
    return dt.datetime.combine(form.due_on.data, form.due_time.data, tzinfo=clock.local_zone()).astimezone(clock.UTC)


@bp.route("/new/<int:application_id>", methods=["POST"])
@allow("fundraiser", "member")
def new(application_id):
    application = Application.get_by_id(application_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        try:
            services.add_deadline(
                application,
                form.kind.data,
                form.due_on.data,
                title=form.title.data or "",
                due_at=_moment(form),
                notes=form.notes.data or "",
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The deadline is added."), "success")
            return redirect(url_for("applications.show", application_id=application.id) + "#deadlines")
    return application_page(application, forms={"deadline": form}, status=400)


def _kept_elsewhere(deadline: Deadline):
    """An instalment's deadline follows its payment schedule: changed there, never here."""
    if deadline.kind not in MANAGED_KINDS:
        return None
    flash(_("This deadline follows the payment schedule: change the instalment instead."), "error")
    return redirect(url_for("applications.show", application_id=deadline.application_id) + "#instalments")


@bp.route("/<int:deadline_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def edit(deadline_id):
    deadline = Deadline.get_by_id(deadline_id)
    if (elsewhere := _kept_elsewhere(deadline)) is not None:
        return elsewhere
    form = DeadlineForm(obj=deadline if request.method == "GET" else None)
    if request.method == "GET" and deadline.due_at:
        form.due_time.data = clock.to_local(deadline.due_at).time()
    if form.validate_on_submit():
        try:
            services.update_deadline(
                deadline,
                kind=form.kind.data,
                due_on=form.due_on.data,
                title=form.title.data or "",
                due_at=_moment(form),
                notes=form.notes.data or "",
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The deadline is saved."), "success")
            return redirect(url_for("applications.show", application_id=deadline.application_id) + "#deadlines")
    return render_template(
        "deadlines/form.html",
        form=form,
        application=deadline.application,
        deadline=deadline,
        history=history("deadline", deadline.id, own=True),
        sections=answers(events.page_sections, deadline, user=current_user, forms={}),
    ), form_status(form)


@bp.route("/<int:deadline_id>/complete", methods=["POST"])
@allow("fundraiser", "member")
def complete(deadline_id):
    deadline = Deadline.get_by_id(deadline_id)
    if (elsewhere := _kept_elsewhere(deadline)) is not None:
        return elsewhere
    services.complete_deadline(deadline, actor=current_user, now=clock.now())
    flash(_("The deadline is marked done."), "success")
    if deadline.kind in REPORT_KINDS:
        return redirect(url_for("checklists.outcomes", deadline_id=deadline.id))  # the report's results next
    return redirect(
        safe_next(request.form.get("next"), url_for("applications.show", application_id=deadline.application_id) + "#deadlines")
    )


@bp.route("/<int:deadline_id>/reopen", methods=["POST"])
@allow("fundraiser", "member")
def reopen(deadline_id):
    deadline = Deadline.get_by_id(deadline_id)
    if (elsewhere := _kept_elsewhere(deadline)) is not None:
        return elsewhere
    services.reopen_deadline(deadline, actor=current_user, now=clock.now())
    flash(_("The deadline is open again."), "success")
    return redirect(url_for("applications.show", application_id=deadline.application_id) + "#deadlines")


@bp.route("/<int:deadline_id>/delete", methods=["POST"])
@allow("fundraiser", "member")
def delete(deadline_id):
    deadline = Deadline.get_by_id(deadline_id)
    if (elsewhere := _kept_elsewhere(deadline)) is not None:
        return elsewhere
    back = url_for("applications.show", application_id=deadline.application_id) + "#deadlines"
    name = f"{translate_label(DEADLINE_KINDS[deadline.kind])} {i18n.date(deadline.due_on)}"
    if (question := unless_confirmed(_("Remove the deadline %(name)s?", name=name), back)) is not None:
        return question
    services.delete_deadline(deadline, actor=current_user, now=clock.now())
    undo.offer("deadline", deadline.id, _("The deadline %(name)s is removed.", name=name), now=clock.now())
    return redirect(back)


@undo.taker("deadline")
def _put_back(deadline_id, *, actor, now):
    deadline = Deadline.get_or_none(Deadline.id == deadline_id)
    if deadline is None or deadline.deleted_at is None or not may_change(actor, deadline.application):
        return None
    services.restore_deadline(deadline, actor=actor, now=now)
    return url_for("applications.show", application_id=deadline.application_id) + "#deadlines"
