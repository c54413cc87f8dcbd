"""Fee agreements and their ledger."""

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.applications.models import Application
from fundtrack.audit.services import Choice, Day, Money, Note, Number, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.i18n_markers import N_

FEE_KINDS = {"percent": N_("Percentage of the grant"), "fixed": N_("Fixed fee")}
FEE_TRIGGERS = {"award_letter": N_("When the award letter arrives"), "money_received": N_("When the money is received")}
FEE_STATUSES = {
    "not_due": N_("Not due"),
    "due": N_("Due"),
    "invoiced": N_("Invoiced"),
    "paid": N_("Paid"),
    "written_off": N_("Written off"),
}
ENTRY_KINDS = {
    "due": N_("Fee due"),
    "invoiced": N_("Invoiced"),
    "paid": N_("Paid"),
    "written_off": N_("Written off"),
    "clawback": N_("Clawback"),
    "adjustment": N_("Adjustment"),
}


class FeeAgreement(BaseModel):
    """The terms of the fundraiser's fee for one application, and where it stands.

    A percentage fee is `percent_bp` basis points (850 = 8.5 %) of the grant net of anything
    reclaimed, raised to `minimum_ore` and lowered to `cap_ore` where set; a fixed fee is `fixed_ore`.
    """

    application = ForeignKeyField(Application, unique=True, backref="fee_agreements", on_delete="CASCADE")
    kind = CharField(default="percent")
    percent_bp = IntegerField(null=True)
    minimum_ore = BigIntegerField(null=True)
    cap_ore = BigIntegerField(null=True)
    fixed_ore = BigIntegerField(null=True)
    trigger = CharField(default="award_letter")
    status = CharField(default="not_due", index=True)
    amount_ore = BigIntegerField(default=0)  # the fee as last computed when it fell due
    due_on = DateField(null=True)
    invoice_number = CharField(default="")
    invoiced_on = DateField(null=True)
    paid_on = DateField(null=True)
    written_off_on = DateField(null=True)
    notes = TextField(default="")
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)


class FeeEntry(BaseModel):
    """One booking in the fee ledger: a fee falling due, invoiced, paid, written off or clawed back.

    Amounts are signed: a clawback is negative. The ledger per quarter sums entries by their date.
    """

    agreement = ForeignKeyField(FeeAgreement, backref="entries", on_delete="CASCADE")
    kind = CharField()
    amount_ore = BigIntegerField()
    booked_on = DateField(index=True)
    note = TextField(default="")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=now)


describe(
    FeeAgreement,
    N_("Fee agreement"),
    {
        "kind": Choice(N_("Kind of fee"), FEE_KINDS),
        "percent_bp": Number(N_("Percentage in basis points")),
        "minimum_ore": Money(N_("Minimum fee")),
        "cap_ore": Money(N_("Maximum fee")),
        "fixed_ore": Money(N_("Fixed fee")),
        "trigger": Choice(N_("The fee falls due"), FEE_TRIGGERS),
        "status": Choice(N_("Status"), FEE_STATUSES),
        "amount_ore": Money(N_("Fee")),
        "due_on": Day(N_("Due")),
        "invoice_number": Text(N_("Invoice number")),
        "invoiced_on": Day(N_("Invoiced on")),
        "paid_on": Day(N_("Paid on")),
        "written_off_on": Day(N_("Written off on")),
        "notes": Note(N_("Notes")),
    },
    page=lambda agreement: ("application", agreement.application_id),
    organisation=lambda agreement: agreement.application.organisation_id,
    private=True,
    name=lambda agreement: "",
    secret=("application",),
)

describe(
    FeeEntry,
    N_("Fee ledger entry"),
    {
        "kind": Choice(N_("Kind"), ENTRY_KINDS),
        "amount_ore": Money(N_("Amount")),
        "booked_on": Day(N_("Booked on")),
        "note": Text(N_("Note")),
    },
    page=lambda entry: ("application", entry.agreement.application_id),
    organisation=lambda entry: entry.agreement.application.organisation_id,
    private=True,
    name=lambda entry: "",
    secret=("agreement", "actor"),
)
