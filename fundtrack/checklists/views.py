"""Checklist pages: fill in, copy, upgrade, print; record outcomes with a report; edit the template."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.applications.models import Application
from fundtrack.auth.access import allow, scope
from fundtrack.checklists import services
from fundtrack.checklists.models import ANSWER_STATUSES, INDICATORS, ITEM_KINDS, ChecklistTemplate
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.forms import Form
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError

bp = Blueprint("checklists", __name__)


@scope("template_id")
def visible_templates(user):
    return ChecklistTemplate.select()


def _application(application_id):
    return (Application.select(Application, Organisation, Funder).join(Organisation).switch(Application).join(Funder)
            .where(Application.id == application_id).get())


def _grouped(rows):
    """Items with their answers, grouped by section (in template order)."""
    sections: list[tuple[tuple[str, str], list]] = []
    for item, answer in rows:
        key = (item.section_da, item.section_en)
        if not sections or sections[-1][0] != key:
            sections.append((key, []))
        sections[-1][1].append((item, answer))
    return sections


def _render(application, checklist, *, typed=None, errors=None, status=200):
    done, total = services.score(checklist)
    return render_template(
        "checklists/show.html", application=application, checklist=checklist,
        sections=_grouped(services.rows(checklist)), statuses=ANSWER_STATUSES, done=done, total=total,
        typed=typed or {}, errors=errors or {}, current=services.current_template(),
        sources=list(services.earlier_applications(application)), form=Form(),
    ), status


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def show(application_id):
    application = _application(application_id)
    now = clock.now()
    checklist = services.checklist_for(application, now=now)
    if request.method == "GET":
        return _render(application, checklist)
    if not Form().validate_on_submit():
        abort(400)
    typed, errors = {}, {}
    answers = services.rows(checklist)
    for _item, answer in answers:
        prefix = f"a{answer.id}-"
        typed[answer.id] = {field: request.form.get(prefix + field, "") for field in ("status", "text", "number",
                                                                                       "source", "reason", "un_goals")}
        typed[answer.id]["un_goals"] = ", ".join(request.form.getlist(prefix + "un_goals"))
    from fundtrack.db import db

    with db.atomic() as transaction:
        for _item, answer in answers:
            try:
                services.save_answer(answer, typed[answer.id], actor=current_user, now=now)
            except ValidationError as error:
                errors[answer.id] = [_(message, **params) for message, params in error.errors.values()]
        if errors:
            transaction.rollback()  # all or nothing: what was typed is shown again, with the errors
    if errors:
        flash(_("Nothing was saved: %(count)d items need attention.", count=len(errors)), "error")
        return _render(application, services.checklist_for(application, now=now), typed=typed, errors=errors,
                       status=400)
    flash(_("The checklist is saved."), "success")
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/copy", methods=["POST"])
@allow("fundraiser", "member")
def copy(application_id):
    application = _application(application_id)
    source_id = request.form.get("source", "")
    source = Application.get_or_none(Application.id == int(source_id)) if source_id.isdigit() else None
    if source is None or source.organisation_id != application.organisation_id or not Form().validate_on_submit():
        abort(404)
    try:
        count = services.copy_from(services.checklist_for(application, now=clock.now()), source, actor=current_user,
                                   now=clock.now())
    except ValidationError as error:
        for message, params in error.errors.values():
            flash(_(message, **params), "error")
    else:
        flash(_("%(count)d answers copied as drafts: read them through and mark them done.", count=count), "success")
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/upgrade", methods=["POST"])
@allow("fundraiser", "member")
def upgrade(application_id):
    if not Form().validate_on_submit():
        abort(400)
    application = _application(application_id)
    template = services.upgrade(services.checklist_for(application, now=clock.now()), now=clock.now())
    flash(_("The checklist now follows version %(version)d of the template; your answers are kept.",
            version=template.version), "success")
    return redirect(url_for(".show", application_id=application_id))


@bp.route("/<int:application_id>/print")
@allow("fundraiser", "member", "viewer")
def print_view(application_id):
    """The whole checklist as a clean page, to send to a funder or print to PDF, in either language."""
    application = _application(application_id)
    checklist = services.checklist_for(application, now=clock.now())
    language = request.args.get("lang") if request.args.get("lang") in ("da", "en") else current_user.language
    with force_locale(language):
        return render_template("checklists/print.html", application=application, checklist=checklist,
                               sections=_grouped(services.rows(checklist)), language=language,
                               score=services.score(checklist), statuses=ANSWER_STATUSES, today=clock.today())


@bp.route("/outcomes/<int:deadline_id>", methods=["GET", "POST"])
@allow("fundraiser", "member", readers=("viewer",))
def outcomes(deadline_id):
    """The indicators promised in the checklist, and what the report says was achieved."""
    deadline = Deadline.get_by_id(deadline_id)
    if deadline.kind not in REPORT_KINDS:
        abort(404)
    application = _application(deadline.application_id)
    checklist = services.checklist_for(application, now=clock.now())
    promised = services.promised_indicators(checklist)
    errors = {}
    if request.method == "POST":
        if not Form().validate_on_submit():
            abort(400)
        values = {item.id: (request.form.get(f"value-{item.id}", ""), request.form.get(f"note-{item.id}", ""))
                  for item, _answer in promised}
        try:
            services.record_outcomes(deadline, values, actor=current_user, now=clock.now())
        except ValidationError as error:
            errors = {key: _(message, **params) for key, (message, params) in error.errors.items()}
        else:
            flash(_("The outcomes are recorded."), "success")
            return redirect(url_for("applications.show", application_id=application.id) + "#deadlines")
    return render_template("checklists/outcomes.html", deadline=deadline, application=application, promised=promised,
                           recorded=services.outcomes_of(deadline), indicators=INDICATORS, errors=errors,
                           typed=request.form if request.method == "POST" else None, form=Form()), 400 if errors else 200


@bp.route("/templates/")
@allow("fundraiser", "member", "viewer")
def templates():
    versions = list(ChecklistTemplate.select().order_by(ChecklistTemplate.version.desc()))
    if not versions:
        versions = [services.current_template(clock.now())]
    return render_template("checklists/templates.html", versions=versions)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@allow("fundraiser", readers=("member", "viewer"))
def template(template_id):
    """A template version; a fundraiser's changes are saved as a new version."""
    base = ChecklistTemplate.get_by_id(template_id)
    items = services.items_of(base)
    errors = {}
    if request.method == "POST":
        if not Form().validate_on_submit():
            abort(400)
        edited = []
        for item in items:
            if request.form.get(f"remove-{item.id}"):
                continue
            edited.append({field: request.form.get(f"{field}-{item.id}", getattr(item, field)) for field in
                           ("section_da", "section_en", "label_da", "label_en", "help_da", "help_en", "kind", "indicator")}
                          | {"code": item.code, "required": bool(request.form.get(f"required-{item.id}"))})
        new = {field: request.form.get(f"new-{field}", "") for field in
               ("section_da", "section_en", "label_da", "label_en", "kind", "indicator")}
        if new["label_da"].strip() or new["label_en"].strip():
            edited.append(new | {"code": f"custom_{len(items) + 1}_{int(clock.now().timestamp())}", "help_da": "",
                                 "help_en": "", "kind": new["kind"] or "text",
                                 "required": bool(request.form.get("new-required"))})
        try:
            version = services.new_version(base, edited, note=request.form.get("note", ""), actor=current_user,
                                           now=clock.now())
        except ValidationError as error:
            errors = {key: _(message, **params) for key, (message, params) in error.errors.items()}
        else:
            flash(_("Saved as version %(version)d. Checklists already started keep their version until they are "
                    "upgraded.", version=version.version), "success")
            return redirect(url_for(".template", template_id=version.id))
    return render_template("checklists/template.html", template=base, items=items, kinds=ITEM_KINDS,
                           indicators=INDICATORS, errors=errors, current=services.current_template(),
                           form=Form()), 400 if errors else 200
