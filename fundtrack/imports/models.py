"""An uploaded file waiting for the user to confirm its import."""

from peewee import BlobField, CharField, ForeignKeyField

from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField


class PendingImport(BaseModel):
    """The bytes of an uploaded spreadsheet between its preview and the user's confirmation.

    Kept in the database (not on one server's disk) so that any web worker can finish the import.
    """

    user = ForeignKeyField(User, on_delete="CASCADE")
    entity = CharField()
    filename = CharField()
    content = BlobField()
    created_at = UTCDateTimeField(default=now, index=True)
