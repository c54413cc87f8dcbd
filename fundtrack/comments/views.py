"""Comments on the application, funder and organisation pages: the list, the form (with the @names one may
use), and removing one's own comment."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import changeable_applications, visible_applications
from fundtrack.comments import services
from fundtrack.comments.models import Comment
from fundtrack.events import Section
from fundtrack.funders import events as funder_events
from fundtrack.funders.models import Funder
from fundtrack.funders.services import visible_funders
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.organisations.services import visible_organisations
from fundtrack.validation import ValidationError
from fundtrack.web import error_texts, unless_confirmed

bp = Blueprint("comments", __name__)
scope(bp, "comment_id")(services.visible_comments)
scope(bp, "application_id", writable=changeable_applications)(visible_applications)
scope(bp, "funder_id")(visible_funders)
scope(bp, "organisation_id")(visible_organisations)
WRITERS = ("fundraiser", "member")
PAGE_ENDPOINTS = {"application": "applications.show", "funder": "funders.show", "organisation": "organisations.show"}


def _page_of(record) -> str:
    table = record._meta.table_name
    return url_for(PAGE_ENDPOINTS[table], **{f"{table}_id": record.id})


def _section(record, user, order: int) -> Section:
    table = record._meta.table_name
    organisation_id = {"application": getattr(record, "organisation_id", None), "funder": None, "organisation": record.id}[table]
    people = list(services.readers_of(organisation_id).order_by("name")) if user.role in WRITERS else []
    return Section(
        "comments/_section.html",
        order=order,
        data={
            "comments": services.comments_on(table, record.id),
            "post_url": url_for(f"comments.on_{table}", **{f"{table}_id": record.id}),
            "may_write": user.role in WRITERS,
            "people": [(services.handle_of(person), person.name) for person in people],
            "draft": "",
        },
    )


@bp.app_template_filter("mentions")
def mark_mentions(body: str) -> Markup:
    """A comment's text, escaped, with each @name marked."""
    out, last = [], 0
    for found in services.MENTION.finditer(body or ""):
        out.append(escape(body[last : found.start()]))
        out.append(Markup('<span class="mention">%s</span>') % found.group())
        last = found.end()
    out.append(escape((body or "")[last:]))
    return Markup("").join(out)


@application_events.page_sections.connect
def application_comments(application, user, **rest):
    if user.is_member and application.organisation_id != user.organisation_id:
        return None  # a partner reads the joint application; the lead's conversation stays the lead's
    return _section(application, user, 90)


@funder_events.page_sections.connect
def funder_comments(funder, user, **rest):
    return None if user.is_member else _section(funder, user, 90)


@organisation_events.page_sections.connect
def organisation_comments(organisation, user, **rest):
    return _section(organisation, user, 90)


def _post(record):
    page = _page_of(record)
    try:
        comment, unknown = services.add_comment(
            record, request.form.get("body", ""), actor=current_user, now=clock.now(), link=page
        )
    except ValidationError as error:
        # What was typed comes back whole, in the same form, with the reason beside it.
        people = _section(record, current_user, 0).data["people"]
        return render_template(
            "comments/refused.html",
            errors=error_texts(error),
            post_url=request.path,
            draft=request.form.get("body", ""),
            people=people,
            back=page,
        ), 400
    if unknown:
        flash(
            _("The comment is saved, but nobody who may read it is called %(names)s.", names=", ".join(f"@{n}" for n in unknown)),
            "error",
        )
    else:
        flash(_("The comment is saved."), "success")
    return redirect(f"{page}#comment-{comment.id}")


@bp.route("/applications/<int:application_id>", methods=["POST"])
@allow(*WRITERS)
def on_application(application_id):
    return _post(Application.get_by_id(application_id))  # a partner's member is refused by the scope


@bp.route("/funders/<int:funder_id>", methods=["POST"])
@allow("fundraiser")
def on_funder(funder_id):
    return _post(Funder.get_by_id(funder_id))


@bp.route("/organisations/<int:organisation_id>", methods=["POST"])
@allow(*WRITERS)
def on_organisation(organisation_id):
    return _post(Organisation.get_by_id(organisation_id))


@bp.route("/<int:comment_id>/delete", methods=["POST"])
@allow(*WRITERS)
def delete(comment_id):
    comment = Comment.get_by_id(comment_id)
    table, record_id = comment.page
    page = url_for(PAGE_ENDPOINTS[table], **{f"{table}_id": record_id})
    if not services.may_remove(current_user, comment):
        flash(_("Only the one who wrote a comment removes it."), "error")
        return redirect(page + "#comments")
    if (question := unless_confirmed(_("Remove this comment?"), page + "#comments")) is not None:
        return question
    services.remove_comment(comment, actor=current_user, now=clock.now())
    flash(_("The comment is removed."), "success")
    return redirect(page + "#comments")
