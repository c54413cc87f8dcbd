"""Report versions (an overview as it was sent or handed to the committee, kept unchanged) and the schedules
that send overviews by themselves."""

from peewee import BigIntegerField, BlobField, BooleanField, CharField, IntegerField

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
    schedule_id = IntegerField(null=True, index=True)  # the schedule that sent it, if one did


PERIOD_KINDS = {"Q": N_("Each quarter"), "H": N_("Each half-year"), "Y": N_("Each year")}


class ReportSchedule(BaseModel):
    """An overview the scheduler makes and mails by itself: which period, how long after its end, to whom.

    Each period is sent once per recipient: the sending goes through the outbox, keyed by schedule, period
    and address, and the PDF sent is the version frozen for that period.
    """

    name = CharField()
    period_kind = CharField(default="Q")
    days_after = IntegerField(default=10)
    to_viewers = BooleanField(default=True)
    addresses = JSONField(default=list)
    language = CharField(default="da")
    with_fees = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = UTCDateTimeField()
    configured = BooleanField(default=False)  # kept from the configuration ([reports] committee_*), not edited here


class UnitCost(BaseModel):
    """What the municipality spent on the unit in one period (a quarter, a half-year or a year), as entered;
    a period without an entry of its own counts its quarters, and a quarter without one a fourth of the year's
    configured cost."""

    period = CharField(unique=True)
    amount_ore = BigIntegerField()
    updated_at = UTCDateTimeField()
