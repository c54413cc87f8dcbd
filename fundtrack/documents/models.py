"""Documents and their versions: the award letter, the budget, the statutes, kept beside the records."""

from peewee import BigIntegerField, CharField, ForeignKeyField, IntegerField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Moment, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.deadlines.models import Deadline
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.projects.models import Project
from fundtrack.search.index import Text as Found

DOCUMENT_KINDS = {
    "application_text": N_("Application text"),
    "budget": N_("Budget"),
    "award_letter": N_("Award letter"),
    "report": N_("Report"),
    "accounts": N_("Annual accounts"),
    "statutes": N_("Statutes"),
    "cvr": N_("CVR papers"),
    "other": N_("Other"),
}
# An organisation's own papers that every application asks for: offered when an application is started.
STANDING_KINDS = ("statutes", "accounts", "cvr")
OWNERS = ("application", "funder", "project", "deadline", "organisation")


class Document(BaseModel):
    """A file kept with one record (an application, a funder, a project, a report deadline, or an organisation
    itself), in versions. `organisation` is whose file it is, for who may see it: members see only their own
    organisation's files, and a funder's files belong to no organisation."""

    organisation = ForeignKeyField(Organisation, null=True, backref="documents", on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, backref="documents", on_delete="CASCADE")
    funder = ForeignKeyField(Funder, null=True, backref="documents", on_delete="CASCADE")
    project = ForeignKeyField(Project, null=True, backref="documents", on_delete="CASCADE")
    deadline = ForeignKeyField(Deadline, null=True, backref="documents", on_delete="CASCADE")
    kind = CharField(default="other")
    name = CharField()  # the latest version's file name
    versions_count = IntegerField(default=1)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)
    removed_at = UTCDateTimeField(null=True, index=True)  # removed from the lists; the versions are kept

    def __str__(self):
        return self.name

    @property
    def owner(self) -> tuple[str, int]:
        """(owner kind, id): the record the document is kept with."""
        for kind in OWNERS:
            value = getattr(self, f"{kind}_id")
            if value is not None:
                return kind, value
        return "organisation", self.organisation_id


class DocumentVersion(BaseModel):
    """One upload of a document. The bytes are in the storage under `key` (their SHA-256), so a version
    attached to several applications, or uploaded twice, is kept once."""

    document = ForeignKeyField(Document, backref="versions", on_delete="CASCADE")
    number = IntegerField()
    filename = CharField()
    content_type = CharField()
    size = BigIntegerField()
    key = CharField(index=True)
    uploaded_by = ForeignKeyField(User, null=True, backref="uploads", on_delete="SET NULL")
    uploaded_at = UTCDateTimeField(default=now)

    class Meta:
        indexes = ((("document", "number"), True),)


def _page(document: Document) -> tuple[str, int]:
    kind, value = document.owner
    if kind == "deadline":
        return "application", document.deadline.application_id
    return kind, value


describe(
    Document,
    N_("Document"),
    {
        "kind": Choice(N_("Kind"), DOCUMENT_KINDS),
        "name": Text(N_("File")),
        "removed_at": Moment(N_("Removed")),
    },
    page=_page,
    organisation=lambda document: document.organisation_id,
    name=lambda document: document.name,
    secret=("organisation", "application", "funder", "project", "deadline", "versions_count"),
    actions={"replace": N_("replaced with a new version"), "remove": N_("removed")},
    search=lambda d: None if d.removed_at else Found(d.name),
)
