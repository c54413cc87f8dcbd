"""Spreadsheet import pages: upload, preview with every error by row and column, confirm."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.forms import Form
from fundtrack.importing import ImportRefused
from fundtrack.imports import services
from fundtrack.imports.models import PendingImport

bp = Blueprint("imports", __name__)
scope(bp, "pending_id")(services.visible_pending)
LIST_PAGES = {
    "funders": "funders.index",
    "applications": "applications.index",
    "instalments": "applications.index",
    "projects": "projects.index",
}
HEADINGS = {
    "funders": _l("Import funders"),
    "applications": _l("Import applications"),
    "instalments": _l("Import instalments"),
    "projects": _l("Import project budgets"),
}


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file."))])


class ConfirmForm(Form):
    pass


def _importer(entity):
    importer = services.importers().get(entity)
    if importer is None:
        abort(404)
    return importer


@bp.route("/<entity>", methods=["GET", "POST"])
@allow("fundraiser", unscoped=("entity",))
def upload(entity):
    importer = _importer(entity)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        pending, preview = services.stage_upload(current_user, entity, upload.filename or "", upload.read(), now=clock.now())
        return render_template(
            "imports/preview.html", entity=entity, preview=preview, pending=pending, confirm_form=ConfirmForm(), importer=importer
        ), 200 if preview.valid else 400
    return render_template(
        "imports/upload.html", entity=entity, form=form, importer=importer, heading=HEADINGS[entity]
    ), 400 if form.errors else 200


@bp.route("/<entity>/<int:pending_id>/confirm", methods=["POST"])
@allow("fundraiser", unscoped=("entity",))
def confirm(entity, pending_id):
    importer = _importer(entity)
    pending = PendingImport.get_by_id(pending_id)
    if pending.entity != entity:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = services.confirm(pending, actor=current_user, now=clock.now())
    except ImportRefused as refused:
        return render_template(
            "imports/preview.html", entity=entity, preview=refused.preview, pending=pending, confirm_form=form, importer=importer
        ), 400
    flash(_("%(count)d rows imported from %(file)s.", count=count, file=pending.filename), "success")
    return redirect(url_for(LIST_PAGES[entity]))
