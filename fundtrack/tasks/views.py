"""Task pages: the list (mine, everyone's, done), a task's form, ticking off (from the list, a record's page or
the link in a reminder, without logging in), the templates per deadline kind, and the tasks section of the
application, organisation and funder pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from fundtrack import clock
from fundtrack.access import allow, public, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, may_change
from fundtrack.audit.views import history
from fundtrack.auth.models import User
from fundtrack.contacts.models import Contact
from fundtrack.deadlines import events as deadline_events
from fundtrack.deadlines.models import DEADLINE_KINDS, MANAGED_KINDS, Deadline
from fundtrack.deadlines.services import changeable_deadlines
from fundtrack.events import Section
from fundtrack.forms import choices
from fundtrack.funders import events as funder_events
from fundtrack.funders.models import Funder
from fundtrack.funders.services import visible_funders
from fundtrack.i18n import translate_label
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.organisations.services import visible_organisations
from fundtrack.tasks import services
from fundtrack.tasks.forms import TaskForm, TemplateForm
from fundtrack.tasks.models import ASSIGN_TO, Task, TaskTemplate
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import apply_errors, arg_choice, form_status, paginate, safe_next, unless_confirmed

bp = Blueprint("tasks", __name__)
scope(bp, "task_id", writable=services.changeable_tasks)(services.visible_tasks)
scope(bp, "template_id")(lambda user: TaskTemplate.select())
WRITERS = ("fundraiser", "member")
SHOWS = {"mine": "mine", "open": "open", "done": "done"}


def _assignee_choices(form: TaskForm, organisation_id: int | None) -> None:
    """Users and contacts the task may go to. A member picks among the fundraisers and its own people."""
    users = services.assignable_users()
    contacts = services.assignable_contacts(organisation_id)
    if current_user.is_member:
        users = users.where((User.role == "fundraiser") | (User.organisation == current_user.organisation_id))
        contacts = services.assignable_contacts(current_user.organisation_id)
    options = [("", _("Nobody yet"))]
    options += [(f"user:{u.id}", u.name) for u in users]
    options += [(f"contact:{c.id}", _("%(name)s (contact, by e-mail)", name=c.name)) for c in contacts.limit(500)]
    form.assignee.choices = choices(options)


def _assignee(form: TaskForm, organisation_id: int | None) -> dict:
    """The user or contact the form names, only among those it offered (anything else: nobody)."""
    kind, _sep, raw = (form.assignee.data or "").partition(":")
    offered = {choice.value for choice in form.assignee.choices}
    if form.assignee.data not in offered:
        return {"assignee": None, "contact": None}
    record_id = parse_id(raw)
    if kind == "user" and record_id:
        return {"assignee": User.get_or_none(User.id == record_id), "contact": None}
    if kind == "contact" and record_id:
        return {"assignee": None, "contact": Contact.get_or_none(Contact.id == record_id)}
    return {"assignee": None, "contact": None}


def _link() -> dict:
    """What a new task belongs to, from the query string or the form (`application`, `organisation`,
    `funder`), only among the records the user may see; a member's task is its organisation's."""
    source = request.form if request.method == "POST" else request.args
    found: dict = {}
    application_id = parse_id(source.get("application"))
    if application_id:
        found["application"] = changeable_applications(current_user).where(Application.id == application_id).first()
    deadline_id = parse_id(source.get("deadline"))
    if deadline_id and not found.get("application"):
        found["deadline"] = changeable_deadlines(current_user).where(Deadline.id == deadline_id).first()
    organisation_id = parse_id(source.get("organisation"))
    if organisation_id and not (found.get("application") or found.get("deadline")):
        found["organisation"] = visible_organisations(current_user).where(Organisation.id == organisation_id).first()
    funder_id = parse_id(source.get("funder"))
    if funder_id and current_user.is_fundraiser:
        found["funder"] = visible_funders(current_user).where(Funder.id == funder_id).first()
    found = {key: value for key, value in found.items() if value is not None}
    if current_user.is_member and not (found.get("application") or found.get("deadline")):
        found["organisation"] = Organisation.get_by_id(current_user.organisation_id)
    return found


def _organisation_id(link: dict) -> int | None:
    if link.get("application") is not None:
        return link["application"].organisation_id
    if link.get("deadline") is not None:
        return link["deadline"].application.organisation_id
    if link.get("organisation") is not None:
        return link["organisation"].id
    return None


@bp.route("/")
@allow(*WRITERS, "viewer")
def index():
    show = arg_choice("show", SHOWS, default="mine")
    query = (
        services.visible_tasks(current_user)
        .select(Task, Application, User, Contact)
        .join(Application, JOIN.LEFT_OUTER, on=(Task.application == Application.id))
        .switch(Task)
        .join(User, JOIN.LEFT_OUTER, on=(Task.assignee == User.id))
        .switch(Task)
        .join(Contact, JOIN.LEFT_OUTER, on=(Task.contact == Contact.id))
    )
    if show == "mine":
        query = query.where((Task.assignee == current_user.id) & Task.done_at.is_null()).order_by(Task.due_on, Task.id)
    elif show == "open":
        query = query.where(Task.done_at.is_null()).order_by(Task.due_on, Task.id)
    else:
        query = query.where(Task.done_at.is_null(False)).order_by(Task.done_at.desc(), Task.id.desc())
    form = TaskForm(formdata=None, due_on=clock.today())
    _assignee_choices(form, current_user.organisation_id if current_user.is_member else None)
    form.assignee.data = f"user:{current_user.id}"
    return render_template("tasks/index.html", page=paginate(query), show=show, form=form, today=clock.today())


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITERS)
def new():
    link = _link()
    form = TaskForm()
    _assignee_choices(form, _organisation_id(link))
    if request.method == "GET":
        form.due_on.data = form.due_on.data or clock.today()
        form.assignee.data = f"user:{current_user.id}"
    if form.validate_on_submit():
        data = {"title": form.title.data, "due_on": form.due_on.data, "notes": form.notes.data, **link}
        data.update(_assignee(form, _organisation_id(link)))
        try:
            task = services.create_task(data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The task %(title)s is added.", title=task.title), "success")
            return redirect(safe_next(request.form.get("next"), url_for(".index")))
    return render_template("tasks/form.html", form=form, task=None, link=link, next=request.values.get("next", "")), form_status(
        form
    )


@bp.route("/<int:task_id>", methods=["GET", "POST"])
@allow(*WRITERS, readers=("viewer",))
def edit(task_id):
    task = Task.get_by_id(task_id)
    form = TaskForm(obj=task if request.method == "GET" else None)
    _assignee_choices(form, task.organisation_id)
    if request.method == "GET":
        form.assignee.data = (
            f"user:{task.assignee_id}" if task.assignee_id else f"contact:{task.contact_id}" if task.contact_id else ""
        )
        if form.assignee.data and form.assignee.data not in {choice.value for choice in form.assignee.choices}:
            # someone a member may not choose: keep them, shown by name
            extra = choices([(form.assignee.data, task.assignee_name)])
            form.assignee.choices = [*form.assignee.choices, *extra]
    if form.validate_on_submit():
        data = {"title": form.title.data, "due_on": form.due_on.data, "notes": form.notes.data}
        data.update(_assignee(form, task.organisation_id))
        try:
            services.update_task(task, data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".edit", task_id=task.id))
    return render_template(
        "tasks/form.html", form=form, task=task, link={}, next="", history=history("task", task.id, own=True)
    ), form_status(form)


def _back() -> str:
    """Where a tick-off returns to: the page it was made on (a list, a record, the start page)."""
    return safe_next(request.form.get("next"), url_for(".index"))


@bp.route("/<int:task_id>/complete", methods=["POST"])
@allow(*WRITERS)
def complete(task_id):
    task = Task.get_by_id(task_id)
    if services.complete_task(task, actor=current_user, now=clock.now()):
        flash(_("%(title)s is done.", title=task.title), "success")
    return redirect(_back())


@bp.route("/<int:task_id>/reopen", methods=["POST"])
@allow(*WRITERS)
def reopen(task_id):
    task = Task.get_by_id(task_id)
    services.reopen_task(task, actor=current_user, now=clock.now())
    flash(_("%(title)s is open again.", title=task.title), "success")
    return redirect(_back())


@bp.route("/<int:task_id>/delete", methods=["POST"])
@allow(*WRITERS)
def delete(task_id):
    task = Task.get_by_id(task_id)
    if (question := unless_confirmed(_("Remove the task %(name)s?", name=task.title), _back())) is not None:
        return question
    services.delete_task(task, actor=current_user, now=clock.now())
    flash(_("%(title)s is removed.", title=task.title), "success")
    return redirect(_back())


@bp.route("/done/<token>", methods=["GET", "POST"])
@public
def done_by_link(token):
    """The link in a task's reminder: shows the task (GET changes nothing) and ticks it off on the button."""
    task = services.task_for_token(token, current_app.config["SECRET_KEY"], clock.now())
    if task is None:
        return render_template("tasks/link.html", task=None), 404
    if request.method == "POST":
        services.complete_task(task, actor=None, now=clock.now(), by=task.assignee_name)
        return render_template("tasks/link.html", task=task, done=True)
    return render_template("tasks/link.html", task=task, done=task.done_at is not None)


# Templates per deadline kind.


def _template_choices(form: TemplateForm) -> None:
    form.deadline_kind.choices = choices(
        (key, translate_label(label)) for key, label in DEADLINE_KINDS.items() if key not in MANAGED_KINDS
    )
    form.assign_to.choices = choices((key, translate_label(label)) for key, label in ASSIGN_TO.items())


def _template_data(form: TemplateForm) -> dict:
    return {name: getattr(form, name).data for name in ("deadline_kind", "title", "days_before", "assign_to")}


@bp.route("/templates", methods=["GET", "POST"])
@allow("fundraiser")
def templates():
    form = TemplateForm(formdata=request.form if request.method == "POST" else None, days_before=7)
    _template_choices(form)
    if request.method == "GET":
        form.deadline_kind.data = arg_choice("kind", DEADLINE_KINDS, default="submission")
    if request.method == "POST" and form.validate():
        try:
            services.create_template(_template_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The template is added; new deadlines of this kind get the task."), "success")
            return redirect(url_for(".templates"))
    return render_template(
        "tasks/templates.html",
        form=form,
        groups=services.templates_by_kind(),
        kinds=DEADLINE_KINDS,
        assign_to=ASSIGN_TO,
        suggested=services.SUGGESTED_TEMPLATES if not TaskTemplate.select().exists() else (),
    ), form_status(form)


@bp.route("/templates/suggested", methods=["POST"])
@allow("fundraiser")
def add_suggested():
    added = services.add_suggested_templates(actor=current_user, now=clock.now())
    flash(_("%(count)d templates are added.", count=len(added)), "success")
    return redirect(url_for(".templates"))


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@allow("fundraiser")
def edit_template(template_id):
    template = TaskTemplate.get_by_id(template_id)
    form = TemplateForm(obj=template if request.method == "GET" else None)
    _template_choices(form)
    if form.validate_on_submit():
        try:
            services.update_template(template, _template_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".templates"))
    return render_template("tasks/template.html", form=form, template=template), form_status(form)


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@allow("fundraiser")
def delete_template(template_id):
    template = TaskTemplate.get_by_id(template_id)
    if (
        question := unless_confirmed(_("Remove the task template %(name)s?", name=template.title), url_for(".templates"))
    ) is not None:
        return question
    services.delete_template(template, actor=current_user, now=clock.now())
    flash(_("The template is removed; the tasks it added stay."), "success")
    return redirect(url_for(".templates"))


# The tasks section of other pages.


def _section(tasks, *, may_add: bool, add_args: dict, back: str, order: int) -> Section:
    return Section(
        "tasks/_section.html",
        order=order,
        data={"tasks": tasks, "may_add": may_add, "add_args": add_args, "back": back, "today": clock.today()},
    )


@application_events.page_sections.connect
def application_tasks(application, user, **rest):
    if user.is_member and application.organisation_id != user.organisation_id:
        return None
    back = url_for("applications.show", application_id=application.id) + "#tasks"
    tasks = services.tasks_of(application_id=application.id)
    return _section(tasks, may_add=may_change(user, application), add_args={"application": application.id}, back=back, order=22)


@deadline_events.page_sections.connect
def deadline_tasks(deadline, user, **rest):
    if user.is_member and deadline.application.organisation_id != user.organisation_id:
        return None
    back = url_for("deadlines.edit", deadline_id=deadline.id) + "#tasks"
    tasks = services.tasks_of(deadline_id=deadline.id)
    return _section(
        tasks, may_add=may_change(user, deadline.application), add_args={"deadline": deadline.id}, back=back, order=30
    )


@organisation_events.page_sections.connect
def organisation_tasks(organisation, user, **rest):
    back = url_for("organisations.show", organisation_id=organisation.id) + "#tasks"
    tasks = services.tasks_of(organisation_id=organisation.id)
    return _section(tasks, may_add=user.role in WRITERS, add_args={"organisation": organisation.id}, back=back, order=35)


@funder_events.page_sections.connect
def funder_tasks(funder, user, **rest):
    if user.is_member:
        return None
    back = url_for("funders.show", funder_id=funder.id) + "#tasks"
    tasks = services.tasks_of(funder_id=funder.id)
    return _section(tasks, may_add=user.is_fundraiser, add_args={"funder": funder.id}, back=back, order=35)


@bp.app_context_processor
def task_counts():
    """The number of the user's open tasks that are due, for the menu."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"tasks_due": lambda: services.due_counts(current_user, clock.today())}
