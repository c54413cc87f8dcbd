"""Document pages: upload to a record (drag and drop, or a plain file input), download any version, replace,
change the kind, remove; the documents section of the application, funder, organisation, project and
report deadline pages; and the standing papers a new application is offered.

Uploads answer JSON to the page's drop zone (which asks for it) and redirect with a message otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, undo
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, may_change, visible_applications
from fundtrack.audit.views import history
from fundtrack.deadlines import events as deadline_events
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.deadlines.services import changeable_deadlines, visible_deadlines
from fundtrack.documents import services
from fundtrack.documents.models import DOCUMENT_KINDS, STANDING_KINDS, Document, DocumentVersion
from fundtrack.events import Section
from fundtrack.funders import events as funder_events
from fundtrack.funders.models import Funder
from fundtrack.funders.services import visible_funders
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.organisations.services import visible_organisations
from fundtrack.projects import events as project_events
from fundtrack.projects.models import Project
from fundtrack.projects.services import visible_projects
from fundtrack.storage import StorageError
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import current_settings, error_texts, unless_confirmed, wants_json

bp = Blueprint("documents", __name__)
scope(bp, "document_id", writable=services.changeable_documents)(services.visible_documents)
scope(bp, "version_id", within=("document_id", "document"))(services.visible_versions)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)
scope(bp, "deadline_id", writable=changeable_deadlines)(visible_deadlines)
scope(bp, "funder_id")(visible_funders)
scope(bp, "organisation_id")(visible_organisations)
scope(bp, "project_id")(visible_projects)
WRITERS = ("fundraiser", "member")


def storage():
    return current_app.extensions["fundtrack.storage"]


def _files():
    return current_settings().files


def owner_page(document_or_owner) -> str:
    """The page a document is shown on, at its documents section."""
    if isinstance(document_or_owner, Document):
        kind, record_id = document_or_owner.owner
    else:
        kind, record_id = document_or_owner._meta.table_name, document_or_owner.id
    endpoint, variable = {
        "application": ("applications.show", "application_id"),
        "funder": ("funders.show", "funder_id"),
        "organisation": ("organisations.show", "organisation_id"),
        "project": ("projects.show", "project_id"),
        "deadline": ("deadlines.edit", "deadline_id"),
    }[kind]
    return url_for(endpoint, **{variable: record_id}) + "#documents"


def _section(owner, user, *, may_upload: bool, order: int = 60, standing: list | None = None) -> Section:
    kind = owner._meta.table_name
    documents = services.documents_of(kind, owner.id)
    return Section(
        "documents/_section.html",
        order=order,
        data={
            "owner_kind": kind,
            "owner_id": owner.id,
            "documents": documents,
            "latest": services.latest_versions(documents),
            "kinds": DOCUMENT_KINDS,
            "may_upload": may_upload,
            "upload_url": url_for(f"documents.upload_{kind}", **{f"{kind}_id": owner.id}),
            "accepted": services.accepted(_files()),
            "max_mb": _files().max_mb,
            "standing": standing or [],
            "chosen_kind": request.args.get("document_kind", ""),
        },
    )


@application_events.page_sections.connect
def application_documents(application, user, **rest):
    if user.is_member and application.organisation_id != user.organisation_id:
        return None  # a partner reads the joint application; its files are the lead's
    attached = {d.name for d in services.documents_of("application", application.id)}
    standing = [d for d in services.standing_documents(application.organisation_id) if d.name not in attached]
    changeable = may_change(user, application)
    return _section(application, user, may_upload=changeable, order=55, standing=standing if changeable else [])


@funder_events.page_sections.connect
def funder_documents(funder, user, **rest):
    if user.is_member:
        return None  # a funder's files are the fundraiser's working papers
    return _section(funder, user, may_upload=user.is_fundraiser)


@organisation_events.page_sections.connect
def organisation_documents(organisation, user, **rest):
    return _section(organisation, user, may_upload=user.role in WRITERS, order=15)


@project_events.page_sections.connect
def project_documents(project, user, **rest):
    return _section(project, user, may_upload=user.role in WRITERS)


@deadline_events.page_sections.connect
def deadline_documents(deadline, user, **rest):
    if deadline.kind not in REPORT_KINDS:
        return None
    if user.is_member and deadline.application.organisation_id != user.organisation_id:
        return None
    return _section(deadline, user, may_upload=may_change(user, deadline.application))


def _uploaded() -> dict:
    """The file of the request as the services take it (file name, bytes, settings, storage, actor, now). The
    upload's temporary file (werkzeug keeps large ones on disk) is closed at once."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    try:
        data = upload.read()
    finally:
        upload.close()
    return {
        "filename": upload.filename or "",
        "data": data,
        "settings": _files(),
        "storage": storage(),
        "actor": current_user,
        "now": clock.now(),
    }


def _upload(owner):
    kind = request.form.get("kind") or "other"
    try:
        document = services.add_document(owner, kind=kind, **_uploaded())
    except ValidationError as error:
        messages = error_texts(error)
        if wants_json():
            return jsonify({"ok": False, "errors": messages}), 400
        for message in messages:
            flash(message, "error")
        return redirect(owner_page(owner).replace("#documents", f"?document_kind={kind}#documents"))
    message = _("%(name)s is added.", name=document.name)
    if wants_json():
        return jsonify({"ok": True, "message": message, "id": document.id})
    flash(message, "success")
    return redirect(owner_page(owner))


@bp.route("/applications/<int:application_id>", methods=["POST"])
@allow(*WRITERS)
def upload_application(application_id):
    return _upload(Application.get_by_id(application_id))


@bp.route("/funders/<int:funder_id>", methods=["POST"])
@allow("fundraiser")
def upload_funder(funder_id):
    return _upload(Funder.get_by_id(funder_id))


@bp.route("/organisations/<int:organisation_id>", methods=["POST"])
@allow(*WRITERS)
def upload_organisation(organisation_id):
    return _upload(Organisation.get_by_id(organisation_id))


@bp.route("/projects/<int:project_id>", methods=["POST"])
@allow(*WRITERS)
def upload_project(project_id):
    return _upload(Project.get_by_id(project_id))


@bp.route("/deadlines/<int:deadline_id>", methods=["POST"])
@allow(*WRITERS)
def upload_deadline(deadline_id):
    deadline = Deadline.get_by_id(deadline_id)
    if deadline.kind not in REPORT_KINDS:
        flash(_("Documents are kept with report deadlines; this deadline is of another kind."), "error")
        return redirect(url_for("deadlines.edit", deadline_id=deadline.id))
    return _upload(deadline)


@bp.route("/applications/<int:application_id>/standing", methods=["POST"])
@allow(*WRITERS)
def attach_standing(application_id):
    application = Application.get_by_id(application_id)
    chosen = {parse_id(value) for value in request.form.getlist("document")}
    sources = [d for d in services.standing_documents(application.organisation_id) if d.id in chosen]
    attached = services.attach_standing(application, sources, actor=current_user, now=clock.now())
    if attached:
        flash(_("%(count)d documents are attached.", count=len(attached)), "success")
    else:
        flash(_("Choose the documents to attach."), "error")
    return redirect(url_for("applications.show", application_id=application.id) + "#documents")


@bp.route("/<int:document_id>")
@allow(*WRITERS, "viewer")
def show(document_id):
    document = Document.get_by_id(document_id)
    return render_template(
        "documents/show.html",
        document=document,
        versions=services.versions_of(document),
        kinds=DOCUMENT_KINDS,
        back=owner_page(document),
        may_change=current_user.role in WRITERS,
        accepted=services.accepted(_files()),
        max_mb=_files().max_mb,
        history=history("document", document.id, own=True),
    )


def _download(version: DocumentVersion) -> Response:
    try:
        data = services.read_version(version, storage())
    except StorageError:
        current_app.logger.error("document bytes missing", extra={"version": version.id, "key": version.key})
        return render_template("errors/error.html", code=503, error=None), 503
    filename = version.filename
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        data,
        mimetype=version.content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/<int:document_id>/download")
@allow(*WRITERS, "viewer")
def download(document_id):
    return _download(services.latest_version(Document.get_by_id(document_id)))


@bp.route("/<int:document_id>/versions/<int:version_id>/download")
@allow(*WRITERS, "viewer")
def download_version(document_id, version_id):
    return _download(DocumentVersion.get_by_id(version_id))


@bp.route("/<int:document_id>/replace", methods=["POST"])
@allow(*WRITERS)
def replace(document_id):
    document = Document.get_by_id(document_id)
    try:
        version = services.replace_document(document, **_uploaded())
    except ValidationError as error:
        for message in error_texts(error):
            flash(message, "error")
    else:
        flash(
            _(
                "Version %(number)d of %(name)s is saved; the earlier versions are kept.",
                number=version.number,
                name=document.name,
            ),
            "success",
        )
    return redirect(url_for(".show", document_id=document.id))


@bp.route("/<int:document_id>/kind", methods=["POST"])
@allow(*WRITERS)
def change_kind(document_id):
    document = Document.get_by_id(document_id)
    try:
        services.change_kind(document, request.form.get("kind", ""), actor=current_user, now=clock.now())
    except ValidationError as error:
        for message in error_texts(error):
            flash(message, "error")
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for(".show", document_id=document.id))


@bp.route("/<int:document_id>/delete", methods=["POST"])
@allow(*WRITERS)
def delete(document_id):
    document = Document.get_by_id(document_id)
    back = owner_page(document)
    if (question := unless_confirmed(_("Remove %(name)s?", name=document.name), back)) is not None:
        return question
    services.remove_document(document, actor=current_user, now=clock.now())
    undo.offer("document", document.id, _("%(name)s is removed.", name=document.name), now=clock.now())
    return redirect(back)


@undo.taker("document")
def _put_back(document_id, *, actor, now):
    document = services.changeable_documents(actor).where(Document.id == document_id).first()
    if document is None or document.removed_at is None:
        return None
    services.restore_document(document, actor=actor, now=now)
    return owner_page(document)


@bp.app_context_processor
def document_kinds():
    return {"DOCUMENT_KINDS": DOCUMENT_KINDS, "STANDING_KINDS": STANDING_KINDS}
