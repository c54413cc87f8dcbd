"""Project pages: the list, a project's budget and funding mosaic, its form, and its budget lines; the project
an application funds, on the application's page; an organisation's projects, on its profile."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications import shares
from fundtrack.applications.models import STAGES, Application
from fundtrack.audit.views import history
from fundtrack.events import Section, answers
from fundtrack.forms import choices
from fundtrack.i18n import translate_label
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.projects import events, services, transfer
from fundtrack.projects.forms import LineForm, ProjectForm
from fundtrack.projects.models import INCOME_KINDS, SIDES, BudgetLine, Project
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import apply_errors, arg_id, current_settings, export_response, form_status, paginate, unless_confirmed

bp = Blueprint("projects", __name__)
scope(bp, "project_id")(services.visible_projects)
scope(bp, "line_id", within=("project_id", "project"))(services.visible_lines)
WRITERS = ("fundraiser", "member")


def _settings():
    return current_settings().reports


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query = services.visible_projects(current_user).join(Organisation)
    organisation_id = None if current_user.is_member else arg_id("organisation")
    if organisation_id:
        query = query.where(Project.organisation == organisation_id)
    page = paginate(query.select(Project, Organisation).order_by(Organisation.name, Project.name))
    return render_template(
        "projects/index.html",
        page=page,
        mosaics=services.mosaics(page.rows, _settings()),
        organisations=[] if current_user.is_member else list(Organisation.select().order_by(Organisation.name)),
        organisation_id=organisation_id,
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    projects = list(services.visible_projects(current_user).order_by(Project.name))
    records = transfer.export_projects(projects, _settings())
    return export_response(records, transfer.EXPORT_COLUMNS, fmt, "projects")


@bp.route("/budget.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export_budget(fmt):
    """Every budget line of the projects the user may see: the sheet the projects import reads."""
    records = transfer.export_lines(services.visible_lines(current_user))
    return export_response(records, transfer.LINE_COLUMNS, fmt, "project-budgets")


def _organisation_choices(form: ProjectForm) -> None:
    organisations = Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
    if current_user.is_member:
        organisations = Organisation.select().where(Organisation.id == current_user.organisation_id)
    form.organisation.choices = choices((str(o.id), o.name) for o in organisations)


def _project_data(form: ProjectForm) -> dict:
    organisation_id = current_user.organisation_id if current_user.is_member else parse_id(form.organisation.data)
    data = {name: getattr(form, name).data for name in ("name", "description", "start_on", "end_on")}
    data["organisation"] = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
    return data


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITERS)
def new():
    form = ProjectForm()
    _organisation_choices(form)
    if request.method == "GET" and arg_id("organisation"):
        form.organisation.data = str(arg_id("organisation"))
    if form.validate_on_submit():
        try:
            project = services.create_project(_project_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s is created. Add its costs and the money that pays for them.", name=project.name), "success")
            return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), form_status(form)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit(project_id):
    project = Project.get_by_id(project_id)
    form = ProjectForm(obj=project if request.method == "GET" else None)
    _organisation_choices(form)
    form.organisation.data = str(project.organisation_id)
    if form.validate_on_submit():
        try:
            services.update_project(project, _project_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project), form_status(form)


@bp.route("/<int:project_id>/delete", methods=["POST"])
@allow(*WRITERS)
def delete(project_id):
    project = Project.get_by_id(project_id)
    if (
        question := unless_confirmed(
            _("Remove the project %(name)s?", name=project.name), url_for(".show", project_id=project.id)
        )
    ) is not None:
        return question
    services.delete_project(project, actor=current_user, now=clock.now())
    flash(_("%(name)s is removed.", name=project.name), "success")
    return redirect(url_for(".index"))


def _line_choices(form: LineForm, project: Project, line: BudgetLine | None = None) -> None:
    form.side.choices = choices((key, translate_label(label)) for key, label in SIDES.items())
    form.kind.choices = choices([("", "–")] + [(key, translate_label(label)) for key, label in INCOME_KINDS.items()])
    applications = services.fundable_applications(project, line)
    form.application.choices = choices(
        [("", "–")] + [(str(a.id), f"{a.title} ({translate_label(STAGES[a.stage])})") for a in applications]
    )
    costs = BudgetLine.select().where((BudgetLine.project == project) & (BudgetLine.side == "cost"))
    form.covers.choices = choices([("", "–")] + [(str(c.id), c.label) for c in costs.order_by(BudgetLine.position)])


def _line_data(form: LineForm, project: Project) -> dict:
    application_id, covers_id = parse_id(form.application.data), parse_id(form.covers.data)
    application = (
        Application.get_or_none((Application.id == application_id) & shares.involves(project.organisation_id))
        if application_id
        else None
    )
    covers = BudgetLine.get_or_none((BudgetLine.id == covers_id) & (BudgetLine.project == project)) if covers_id else None
    return {
        "side": form.side.data,
        "kind": form.kind.data,
        "label": form.label.data,
        "amount_ore": form.amount_ore.data,
        "application": application,
        "covers": covers,
    }


def render_project(project: Project, *, line_form: LineForm | None = None, status: int = 200):
    """The project's page; `line_form` is a new line sent back with its errors."""
    if line_form is None:
        line_form = LineForm(formdata=None, side="cost")
    _line_choices(line_form, project)
    return render_template(
        "projects/show.html",
        project=project,
        mosaic=services.mosaic(project, _settings()),
        line_form=line_form,
        statuses=services.INCOME_STATUSES,
        kinds=INCOME_KINDS,
        stages=STAGES,
        may_change=current_user.role in WRITERS,
        history=history("project", project.id),
        sections=answers(events.page_sections, project, user=current_user),
    ), status


@bp.route("/<int:project_id>")
@allow("fundraiser", "member", "viewer")
def show(project_id):
    return render_project(Project.get_by_id(project_id))


@bp.route("/<int:project_id>/lines", methods=["POST"])
@allow(*WRITERS)
def add_line(project_id):
    project = Project.get_by_id(project_id)
    form = LineForm()
    _line_choices(form, project)
    if form.validate_on_submit():
        try:
            services.add_line(project, _line_data(form, project), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The budget line is added."), "success")
            return redirect(url_for(".show", project_id=project.id) + "#budget")
    return render_project(project, line_form=form, status=400)


@bp.route("/<int:project_id>/lines/<int:line_id>", methods=["GET", "POST"])
@allow(*WRITERS, readers=("viewer",))
def edit_line(project_id, line_id):
    project = Project.get_by_id(project_id)
    line = BudgetLine.get_by_id(line_id)
    line.project = project
    form = LineForm(obj=line if request.method == "GET" else None)
    _line_choices(form, project, line)
    if request.method == "GET":
        form.application.data = str(line.application_id or "")
        form.covers.data = str(line.covers_id or "")
    if form.validate_on_submit():
        try:
            services.update_line(line, _line_data(form, project), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The budget line is saved."), "success")
            return redirect(url_for(".show", project_id=project.id) + "#budget")
    return render_template("projects/line.html", form=form, project=project, line=line), form_status(form)


@bp.route("/<int:project_id>/lines/<int:line_id>/delete", methods=["POST"])
@allow(*WRITERS)
def delete_line(project_id, line_id):
    line = BudgetLine.get_by_id(line_id)
    line.project = Project.get_by_id(project_id)
    if (
        question := unless_confirmed(
            _("Remove the budget line %(name)s?", name=line.label), url_for(".show", project_id=project_id) + "#budget"
        )
    ) is not None:
        return question
    services.delete_line(line, actor=current_user, now=clock.now())
    flash(_("The budget line is removed."), "success")
    return redirect(url_for(".show", project_id=project_id) + "#budget")


@application_events.page_sections.connect
def funded_project_section(application, user, **rest):
    project = services.funded_project(application)
    if project is None or not services.visible_projects(user).where(Project.id == project.id).exists():
        return None  # a partner's member does not see the lead's project
    return Section("projects/_application.html", order=18, data={"project": project})


@organisation_events.page_sections.connect
def organisation_projects(organisation, user, **rest):
    projects = list(Project.select().where(Project.organisation == organisation.id).order_by(Project.name))
    return Section(
        "projects/_organisation.html",
        order=25,
        data={"projects": projects, "mosaics": services.mosaics(projects, _settings()), "may_add": user.role in WRITERS},
    )
