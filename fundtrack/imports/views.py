"""Spreadsheet import pages: upload, preview with every error by row and column, confirm."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.forms import Form
from fundtrack.importing import Choices, ImportRefused
from fundtrack.imports import services
from fundtrack.imports.models import PendingImport
from fundtrack.validation import parse_id

bp = Blueprint("imports", __name__)
scope(bp, "pending_id")(services.visible_pending)
LIST_PAGES = {
    "funders": "funders.index",
    "organisations": "organisations.index",
    "applications": "applications.index",
    "instalments": "applications.index",
    "projects": "projects.index",
}
HEADINGS = {
    "funders": _l("Import funders"),
    "organisations": _l("Import organisations"),
    "applications": _l("Import applications"),
    "instalments": _l("Import instalments"),
    "projects": _l("Import project budgets"),
}


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file."))])


class ConfirmForm(Form):
    pass


@bp.app_template_global()
def import_error(error) -> str:
    """A row's error in the reader's language, the column it names translated too."""
    params = {key: _(value) if key == "column" else value for key, value in error.params.items()}
    return _(error.message, **params) if params else _(error.message)


def _importer(entity):
    importer = services.importers().get(entity)
    if importer is None:
        abort(404)
    return importer


def _choices(importer) -> Choices:
    """The corrections posted from the preview; anything that names no column or record is left out."""
    keys = {column.key for column in importer.columns}
    columns, names = {}, {}
    for name, value in request.form.items():
        if name.startswith("column:") and (value in keys or value == ""):
            columns[name.removeprefix("column:")] = value
        elif name.startswith("name:"):
            names[name.removeprefix("name:")] = parse_id(value) or 0
    return Choices(columns=columns, names=names)


def _preview_page(entity, importer, preview, pending, choices: Choices):
    return render_template(
        "imports/preview.html",
        entity=entity,
        preview=preview,
        pending=pending,
        confirm_form=ConfirmForm(),
        importer=importer,
        choices=choices,
        heading=HEADINGS[entity],
    ), 200 if preview.valid else 400


def _pending(entity, pending_id) -> PendingImport:
    pending = PendingImport.get_by_id(pending_id)
    if pending.entity != entity:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return pending


@bp.route("/<entity>", methods=["GET", "POST"])
@allow("fundraiser", unscoped=("entity",))
def upload(entity):
    importer = _importer(entity)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        pending, preview = services.stage_upload(current_user, entity, upload.filename or "", upload.read(), now=clock.now())
        return _preview_page(entity, importer, preview, pending, Choices())
    return render_template(
        "imports/upload.html", entity=entity, form=form, importer=importer, heading=HEADINGS[entity]
    ), 400 if form.errors else 200


@bp.route("/<entity>/<int:pending_id>/check", methods=["POST"])
@allow("fundraiser", unscoped=("entity",))
def check(entity, pending_id):
    """The kept file checked again with the corrections chosen in the preview."""
    importer = _importer(entity)
    pending = _pending(entity, pending_id)
    choices = _choices(importer)
    return _preview_page(entity, importer, services.check_again(pending, choices), pending, choices)


@bp.route("/<entity>/<int:pending_id>/confirm", methods=["POST"])
@allow("fundraiser", unscoped=("entity",))
def confirm(entity, pending_id):
    importer = _importer(entity)
    pending = _pending(entity, pending_id)
    choices = _choices(importer)
    filename = pending.filename
    try:
        count = services.confirm(pending, choices, actor=current_user, now=clock.now())
    except ImportRefused as refused:
        return _preview_page(entity, importer, refused.preview, pending, choices)
    flash(
        ngettext("%(num)d row imported from %(file)s.", "%(num)d rows imported from %(file)s.", count, file=filename), "success"
    )
    return redirect(url_for(LIST_PAGES[entity]))
