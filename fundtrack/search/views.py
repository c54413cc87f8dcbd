"""The search page, reached from the box in every page's header: ranked results of every kind the user may
see, the matching words marked, each linked to the page that shows it."""

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from fundtrack.access import allow
from fundtrack.audit.services import description
from fundtrack.search import index
from fundtrack.web import arg_choice, arg_text

bp = Blueprint("search", __name__)

# The page each kind of record is shown on: (endpoint, URL variable).
PAGES = {
    "application": ("applications.show", "application_id"),
    "funder": ("funders.show", "funder_id"),
    "organisation": ("organisations.show", "organisation_id"),
    "project": ("projects.show", "project_id"),
    "relationship": ("relationships.show", "relationship_id"),
    "call": ("calls.show", "call_id"),
    "task": ("tasks.edit", "task_id"),
    "document": ("documents.show", "document_id"),
}
# Where on its page a part of another record is shown.
ANCHORS = {"deadline": "#deadlines", "answer": "#checklist", "contact": "#contacts", "interaction": "#interactions"}
# The search finds records by kind: the filter's choices.
KINDS = ("application", "funder", "organisation", "call", "contact", "task", "document", "answer", "interaction", "project")


def link_of(hit: index.Hit) -> str | None:
    """The address of the page that shows a hit: its own page, else the page it is part of."""
    kind = hit.kind.partition(":")[0]
    if kind in PAGES:
        endpoint, variable = PAGES[kind]
        return url_for(endpoint, **{variable: hit.record_id})
    if hit.page_table in PAGES:
        endpoint, variable = PAGES[hit.page_table]
        return url_for(endpoint, **{variable: hit.page_id}) + ANCHORS.get(kind, "")
    return None


def label_of(kind: str) -> str:
    """The name of a kind of record (`application:notes` is an application's)."""
    found = description(kind.partition(":")[0])
    return found.label if found else kind


@bp.app_context_processor
def kind_labels():
    return {"describe_label": label_of}


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def results():
    query = arg_text("q")
    kind = arg_choice("kind", KINDS)
    hits = index.search(current_user, query, kinds=tuple(k for k in (kind, f"{kind}:notes") if kind)) if query else []
    rows = [(hit, link_of(hit), label_of(hit.kind)) for hit in hits]
    return render_template("search/results.html", query=query, kind=kind, kinds=KINDS, rows=rows)
