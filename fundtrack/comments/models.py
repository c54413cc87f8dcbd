"""Comments on applications, funders and organisations, and who each one mentions."""

from peewee import CharField, ForeignKeyField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Moment, Note, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found


class Comment(BaseModel):
    """A remark by a user on a record. `organisation` is whose record it is, for who may read it (a funder's
    comments belong to no organisation: the fundraisers' and viewers' only); `mentioned` holds the ids of
    the users it names with @."""

    application = ForeignKeyField(Application, null=True, backref="comments", on_delete="CASCADE")
    funder = ForeignKeyField(Funder, null=True, backref="comments", on_delete="CASCADE")
    about = ForeignKeyField(Organisation, null=True, backref="comments_about", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, null=True, backref="comments", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="comments", on_delete="SET NULL")
    author_name = CharField(default="")
    body = TextField()
    mentioned = ListField(default=list)
    created_at = UTCDateTimeField(default=now)
    removed_at = UTCDateTimeField(null=True)

    def __str__(self):
        return self.body[:60]

    @property
    def page(self) -> tuple[str, int]:
        if self.application_id:
            return "application", self.application_id
        if self.funder_id:
            return "funder", self.funder_id
        return "organisation", self.about_id


describe(
    Comment,
    N_("Comment"),
    {"body": Note(N_("Comment")), "removed_at": Moment(N_("Removed"))},
    page=lambda comment: comment.page,
    organisation=lambda comment: comment.organisation_id,
    name=lambda comment: comment.body[:80],
    secret=("application", "funder", "about", "organisation", "author", "author_name", "mentioned"),
    search=lambda comment: None if comment.removed_at else Found(comment.author_name, comment.body),
)
