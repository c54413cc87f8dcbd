"""Every HTML page of the app as a concrete address, for the tests that walk through all of them.

The addresses are read off the app's own URL map, so a new page is walked as soon as it exists; each path
parameter is filled with the first record of its kind (the demo has one of each).
"""

from __future__ import annotations

from fundtrack.applications.models import Application
from fundtrack.calendars.models import Subscription
from fundtrack.checklists.models import ChecklistTemplate
from fundtrack.contacts.models import Contact
from fundtrack.deadlines.models import Deadline
from fundtrack.documents.models import Document
from fundtrack.feeds.models import Call, FeedSource
from fundtrack.funders.models import Round
from fundtrack.instalments.models import Instalment
from fundtrack.organisations.models import Organisation
from fundtrack.projects.models import BudgetLine
from fundtrack.relationships.models import Relationship
from fundtrack.tasks.models import Task, TaskTemplate

# Answers that are files or machine formats, not pages a person reads.
NOT_PAGES = ("static", "health.healthz", "tasks.done_by_link")
FILE_SUFFIXES = (".ics", "download", "export.<", ">.<", "budget.<")


def _first(model):
    return model.select().order_by(model.id).first()


def _values() -> dict[str, object]:
    line = _first(BudgetLine)
    round_ = _first(Round)
    return {
        "application_id": _first(Application).id,
        "subscription_id": _first(Subscription).id,
        "call_id": _first(Call).id,
        "deadline_id": _first(Deadline).id,
        "contact_id": _first(Contact).id,
        "document_id": _first(Document).id,
        "source_id": _first(FeedSource).id,
        "funder_id": round_.funder_id,
        "round_id": round_.id,
        "instalment_id": _first(Instalment).id,
        "organisation_id": _first(Organisation).id,
        "project_id": line.project_id,
        "line_id": line.id,
        "relationship_id": _first(Relationship).id,
        "task_id": _first(Task).id,
        "period": "2026-Q3",
        "entity": "applications",
    }


def every_page(app) -> list[str]:
    """The address of every HTML page, its parameters filled from the records in the database."""
    from flask import url_for

    with app.test_request_context():
        return [url_for(rule.endpoint, **arguments) for rule, arguments in _rules(app)]


def _rules(app):
    values = _values()
    templates = {"checklists.template": _first(ChecklistTemplate).id, "tasks.edit_template": _first(TaskTemplate).id}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or any(s in rule.rule for s in FILE_SUFFIXES):
            continue
        known = {**values, "template_id": templates.get(rule.endpoint)}
        yield rule, {name: known[name] for name in rule.arguments}


def demo_installation(app) -> list[str]:
    """The demo data with one stored document (so that every kind of page has a record), and every page."""
    from fundtrack import demo
    from fundtrack.db import db
    from fundtrack.documents.services import add_document
    from tests.conftest import NOW

    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
        add_document(
            Application.select().order_by(Application.id).first(),
            kind="budget",
            filename="budget.pdf",
            data=b"%PDF-1.4\n%%EOF\n",
            settings=app.extensions["fundtrack.settings"].files,
            storage=app.extensions["fundtrack.storage"],
            actor=None,
            now=NOW,
        )
    return every_page(app)
