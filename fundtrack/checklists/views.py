"""Checklist pages: fill in, copy, upgrade, print; record outcomes with a report; edit the template.
Also the checklist's part of an application's page and the score on its board card."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, visible_applications
from fundtrack.checklists import services
from fundtrack.checklists.models import ANSWER_STATUSES, INDICATORS, ITEM_KINDS, ChecklistTemplate
from fundtrack.db import db
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.deadlines.services import changeable_deadlines, visible_deadlines
from fundtrack.events import Column, Section
from fundtrack.forms import Form
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import arg_choice

bp = Blueprint("checklists", __name__)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)
scope(bp, "deadline_id", writable=changeable_deadlines)(
    lambda user: visible_deadlines(user).where(Deadline.kind.in_(list(REPORT_KINDS)))
)
FIELDS = ("status", "text", "number", "source", "reason", "un_goals")


@scope(bp, "template_id")
def visible_templates(user):
    return ChecklistTemplate.select()


@application_events.page_sections.connect
def checklist_section(application, **rest):
    return Section(
        "checklists/_section.html", order=10, data={"score": services.scores_for([application.id]).get(application.id)}
    )


@application_events.list_columns.connect
def score_column(sender, **rest):
    return Column("checklist", _("Theory of change"), services.scores_for, card="checklists/_score_card.html", order=90)


def _application(application_id):
    return (
        Application.select(Application, Organisation, Funder)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Application.id == application_id)
        .get()
    )


def _grouped(rows):
    """Items with their answers, grouped by section (in template order)."""
    sections: list[tuple[tuple[str, str], list]] = []
    for item, answer in rows:
        key = (item.section_da, item.section_en)
        if not sections or sections[-1][0] != key:
            sections.append((key, []))
        sections[-1][1].append((item, answer))
    return sections


def _render(application, *, typed=None, errors=None, status=200):
    template, rows = services.rows_of(application)
    done, total = services.score_of(rows)
    return render_template(
        "checklists/show.html",
        application=application,
        template=template,
        sections=_grouped(rows),
        statuses=ANSWER_STATUSES,
        done=done,
        total=total,
        typed=typed or {},
        errors=errors or {},
        current=services.current_template(),
        sources=list(services.earlier_applications(application)),
        form=Form(),
    ), status


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def show(application_id):
    """The checklist; a save writes every answer or none (what was typed comes back with the errors)."""
    application = _application(application_id)
    if request.method == "GET":
        return _render(application)
    now = clock.now()
    typed, errors = {}, {}
    with db.atomic() as transaction:
        checklist = services.checklist_for(application, now=now)
        for item, answer in services.rows(checklist):
            prefix = f"i{item.id}-"
            typed[item.id] = {name: request.form.get(prefix + name, "") for name in FIELDS}
            typed[item.id]["un_goals"] = ", ".join(request.form.getlist(prefix + "un_goals"))
            try:
                services.save_answer(answer, typed[item.id], actor=current_user, now=now)
            except ValidationError as error:
                errors[item.id] = [_(message, **params) for message, params in error.errors.values()]
        if errors:
            transaction.rollback()  # all or nothing: what was typed is shown again, with the errors
    if errors:
        flash(
            ngettext(
                "Nothing was saved: %(num)d item needs attention.",
                "Nothing was saved: %(num)d items need attention.",
                len(errors),
            ),
            "error",
        )
        return _render(application, typed=typed, errors=errors, status=400)
    flash(_("The checklist is saved."), "success")
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/copy", methods=["POST"])
@allow("fundraiser", "member")
def copy(application_id):
    application = _application(application_id)
    source_id = parse_id(request.form.get("source"))
    source = visible_applications(current_user).where(Application.id == source_id).first() if source_id else None
    if source is None:
        flash(_("Choose an earlier application of the same organisation to copy from."), "error")
        return redirect(url_for(".show", application_id=application_id))
    try:
        count = services.copy_from(
            services.checklist_for(application, now=clock.now()), source, actor=current_user, now=clock.now()
        )
    except ValidationError as error:
        for message, params in error.errors.values():
            flash(_(message, **params), "error")
    else:
        flash(_("%(count)d answers copied as drafts: read them through and mark them done.", count=count), "success")
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/upgrade", methods=["POST"])
@allow("fundraiser", "member")
def upgrade(application_id):
    application = _application(application_id)
    template = services.upgrade(services.checklist_for(application, now=clock.now()), actor=current_user, now=clock.now())
    flash(
        _("The checklist now follows version %(version)d of the template; your answers are kept.", version=template.version),
        "success",
    )
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/print")
@allow("fundraiser", "member", "viewer")
def print_view(application_id):
    """The whole checklist as a clean page, to send to a funder or print to PDF, in either language."""
    application = _application(application_id)
    template, rows = services.rows_of(application)
    language = arg_choice("lang", ("da", "en"), current_user.language)
    with force_locale(language):
        return render_template(
            "checklists/print.html",
            application=application,
            template=template,
            sections=_grouped(rows),
            language=language,
            score=services.score_of(rows),
            statuses=ANSWER_STATUSES,
            today=clock.today(),
        )


@bp.route("/outcomes/<int:deadline_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def outcomes(deadline_id):
    """The indicators promised in the checklist, and what the report says was achieved."""
    deadline = Deadline.get_by_id(deadline_id)
    application = _application(deadline.application_id)
    promised = services.promised_indicators(application)
    errors = {}
    if request.method == "POST":
        values = {
            item.id: (request.form.get(f"value-{item.id}", ""), request.form.get(f"note-{item.id}", ""))
            for item, _answer in promised
        }
        try:
            services.record_outcomes(deadline, values, actor=current_user, now=clock.now())
        except ValidationError as error:
            errors = {key: _(message, **params) for key, (message, params) in error.errors.items()}
        else:
            flash(_("The outcomes are recorded."), "success")
            return redirect(url_for("applications.show", application_id=application.id) + "#deadlines")
    return render_template(
        "checklists/outcomes.html",
        deadline=deadline,
        application=application,
        promised=promised,
        recorded=services.outcomes_of(deadline),
        indicators=INDICATORS,
        errors=errors,
        typed=request.form if request.method == "POST" else None,
        form=Form(),
    ), 400 if errors else 200


@bp.route("/templates/")
@allow("fundraiser", "member", "viewer")
def templates():
    versions = list(ChecklistTemplate.select().order_by(ChecklistTemplate.version.desc()))
    return render_template("checklists/templates.html", versions=versions)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@allow("fundraiser", readers=("member", "viewer"))
def template(template_id):
    """A template version; a fundraiser's changes are saved as a new version."""
    base = ChecklistTemplate.get_by_id(template_id)
    items = services.items_of(base)
    errors = {}
    if request.method == "POST":
        edited = []
        for item in items:
            if request.form.get(f"remove-{item.id}"):
                continue
            edited.append(
                {
                    field: request.form.get(f"{field}-{item.id}", getattr(item, field))
                    for field in ("section_da", "section_en", "label_da", "label_en", "help_da", "help_en", "kind", "indicator")
                }
                | {"code": item.code, "required": bool(request.form.get(f"required-{item.id}"))}
            )
        new = {
            field: request.form.get(f"new-{field}", "")
            for field in ("section_da", "section_en", "label_da", "label_en", "kind", "indicator")
        }
        if new["label_da"].strip() or new["label_en"].strip():
            edited.append(
                new
                | {
                    "code": f"custom_{len(items) + 1}_{int(clock.now().timestamp())}",
                    "help_da": "",
                    "help_en": "",
                    "kind": new["kind"] or "text",
                    "required": bool(request.form.get("new-required")),
                }
            )
        try:
            version = services.new_version(base, edited, note=request.form.get("note", ""), actor=current_user, now=clock.now())
        except ValidationError as error:
            errors = {key: _(message, **params) for key, (message, params) in error.errors.items()}
        else:
            flash(
                _(
                    "Saved as version %(version)d. Checklists already started keep their version until they are upgraded.",
                    version=version.version,
                ),
                "success",
            )
            return redirect(url_for(".template", template_id=version.id))
    return render_template(
        "checklists/template.html",
        template=base,
        items=items,
        kinds=ITEM_KINDS,
        indicators=INDICATORS,
        errors=errors,
        current=services.current_template(),
        form=Form(),
    ), 400 if errors else 200
