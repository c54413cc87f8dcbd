"""Report versions: an overview as it was sent or handed to the committee, kept unchanged."""

from peewee import BlobField, BooleanField, CharField, IntegerField

from fundtrack.db import BaseModel, JSONField, UTCDateTimeField
from fundtrack.i18n_markers import N_

OCCASIONS = {"committee": N_("Kept for the committee"), "sent": N_("Sent by the report schedule")}


class ReportVersion(BaseModel):
    """The figures, the whole JSON document and the PDF of one overview on the day it left fundtrack.

    Never recomputed: a later change in the data shows as a difference against it. The organisation is kept
    by id and name, as the audit trail keeps its records, so that the version outlives a renamed record.
    """

    period = CharField(index=True)  # the period's code: 2026-Q3, 2026-H2, 2026
    organisation_id = IntegerField(null=True)
    organisation_name = CharField(default="")
    with_fees = BooleanField(default=False)
    language = CharField(default="da")
    occasion = CharField()
    recipients = JSONField(default=list)
    made_at = UTCDateTimeField(index=True)
    made_by_id = IntegerField(null=True)
    made_by_name = CharField(default="")
    figures = JSONField(default=dict)  # {figure: value} of the summary, as sent
    document = BlobField()  # the overview's JSON download, as sent
    pdf = BlobField()
    pdf_sha256 = CharField()
