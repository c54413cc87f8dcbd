"""Every model of every domain, in one list: what the migrations must create.

A test upgrades an empty database and checks that it matches these models, so a model
change without its migration is caught; `fundtrack db diff` writes the migration's draft.
"""

import re

from playhouse.migrations import template
from playhouse.schema_diff import diff_models

from fundtrack.alerts.models import Alert, SchedulerLease
from fundtrack.applications.models import Application, Partner, Reclaim, StageChange
from fundtrack.audit.models import AuditEntry
from fundtrack.auth.models import LoginFailure, User
from fundtrack.calendars.models import Subscription
from fundtrack.checklists.models import Answer, Checklist, ChecklistTemplate, Outcome, TemplateItem
from fundtrack.comments.models import Comment
from fundtrack.contacts.models import Contact
from fundtrack.deadlines.models import Deadline
from fundtrack.documents.models import Document, DocumentVersion
from fundtrack.feeds.models import Call, CallChange, CallDeadline, CallMatch, CallSource, FeedSource, GoalWords
from fundtrack.fees.models import FeeAgreement, FeeEntry
from fundtrack.funders.models import Funder, Round
from fundtrack.imports.models import PendingImport
from fundtrack.instalments.models import Instalment
from fundtrack.organisations.models import Organisation
from fundtrack.projects.models import BudgetLine, Project
from fundtrack.relationships.models import Gift, Interaction, Relationship
from fundtrack.reports.models import ReportSchedule, ReportVersion, UnitCost
from fundtrack.search.index import SearchEntry
from fundtrack.tasks.models import Task, TaskTemplate
from fundtrack.undo import Removed

MODELS = [
    Removed,
    Organisation,
    Contact,
    User,
    LoginFailure,
    AuditEntry,
    Funder,
    Application,
    Partner,
    StageChange,
    Reclaim,
    Deadline,
    Instalment,
    Project,
    BudgetLine,
    Document,
    DocumentVersion,
    TaskTemplate,
    Task,
    Comment,
    Round,
    FeeAgreement,
    FeeEntry,
    PendingImport,
    Relationship,
    Gift,
    Interaction,
    FeedSource,
    Call,
    CallSource,
    CallDeadline,
    CallChange,
    CallMatch,
    GoalWords,
    Subscription,
    Alert,
    SchedulerLease,
    ChecklistTemplate,
    TemplateItem,
    Checklist,
    Answer,
    Outcome,
    SearchEntry,
    ReportVersion,
    ReportSchedule,
    UnitCost,
]

# Migrations are frozen copies of the schema: they name plain peewee column types, never
# fundtrack's own field classes, so that an old migration keeps working when those change.
_PLAIN_TYPES = {"UTCDateTimeField": "DateTimeField", "ListField": "TextField", "JSONField": "TextField"}


# What the database has beyond the models, on purpose: PostgreSQL's full-text column of the search index
# and its index, which the search writes with SQL of its own (SQLite keeps them in a table of FTS5's).
DATABASE_ONLY = {("search_entry", "tsv")}


def schema_diff(database):
    """What the models have that `database` lacks (empty when the migrations are complete)."""
    diff = diff_models(database, MODELS)
    return diff._replace(
        drop_columns=[column for column in diff.drop_columns if tuple(column) not in DATABASE_ONLY],
        drop_indexes=[index for index in diff.drop_indexes if (index.table, *index.columns) not in DATABASE_ONLY],
    )


def migration_draft(database) -> str:
    """The text of a migration that brings `database` up to the models, for a developer to review."""
    text = template(schema_diff(database))
    for custom, plain in _PLAIN_TYPES.items():
        text = re.sub(rf"^from fundtrack\.db import {custom}\n", "", text, flags=re.M)
        text = re.sub(rf"\b{custom}\(", f"{plain}(", text)
    text = re.sub(r"^# TODO: \w+: default <function now at 0x[0-9a-f]+> must be added by hand\n", "", text, flags=re.M)
    text = text.replace("default=list", "default='[]'").replace("default=dict", "default='{}'")
    return text
