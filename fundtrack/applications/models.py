"""Applications and the history of their stage moves."""

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from fundtrack.audit.services import Choice, Day, Money, Note, Number, Ref, Text, describe
from fundtrack.auth.models import User
from fundtrack.clock import now
from fundtrack.db import BaseModel, UTCDateTimeField
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import Text as Found

STAGES = {
    "idea": N_("Idea"),
    "drafting": N_("Drafting"),
    "submitted": N_("Submitted"),
    "granted": N_("Granted"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "reporting": N_("Reporting"),
    "closed": N_("Closed"),
}

REJECTION_REASONS = {
    "budget": N_("The funder's budget was used up"),
    "outside_focus": N_("Outside the funder's focus"),
    "competition": N_("Too many good applications"),
    "formal": N_("Formal requirements not met"),
    "quality": N_("The application was not strong enough"),
    "other": N_("Other reason"),
}

# Which stage may follow which. Everything else is refused with a message.
TRANSITIONS = {
    "idea": ("drafting", "withdrawn"),
    "drafting": ("submitted", "idea", "withdrawn"),
    "submitted": ("granted", "rejected", "withdrawn"),
    "granted": ("reporting",),
    "reporting": ("closed",),
    "rejected": (),
    "withdrawn": (),
    "closed": (),
}

OPEN_STAGES = ("idea", "drafting", "submitted")
WON_STAGES = ("granted", "reporting", "closed")


class Application(BaseModel):
    """One application from one organisation to one funder, with its amounts and its stage."""

    organisation = ForeignKeyField(Organisation, backref="applications", on_delete="RESTRICT")
    funder = ForeignKeyField(Funder, backref="applications", on_delete="RESTRICT")
    round = ForeignKeyField(Round, null=True, backref="applications", on_delete="SET NULL")
    title = CharField()
    purpose = TextField(default="")
    amount_requested_ore = BigIntegerField(null=True)
    amount_granted_ore = BigIntegerField(null=True)
    stage = CharField(default="idea", index=True)
    owner = ForeignKeyField(User, null=True, backref="owned_applications", on_delete="SET NULL")
    project_start_on = DateField(null=True)
    project_end_on = DateField(null=True, index=True)  # the overviews spread a grant over its project
    cosigned_on = DateField(null=True)
    cosigned_by = CharField(default="")
    notes = TextField(default="")
    submitted_on = DateField(null=True, index=True)
    decided_on = DateField(null=True, index=True)
    money_received_on = DateField(null=True)
    # Money the funder took back (unspent or misused); a grant counts only net of this.
    reclaimed_ore = BigIntegerField(default=0)
    reclaimed_on = DateField(null=True)
    stage_changed_at = UTCDateTimeField(default=now)
    created_at = UTCDateTimeField(default=now)
    updated_at = UTCDateTimeField(default=now)

    class Meta:
        # The board lists each stage's most recently moved applications; the relationships and the
        # overviews look up a funder's earlier grants to the same organisation; the list's default order.
        indexes = ((("stage", "stage_changed_at"), False), (("funder", "organisation"), False), (("updated_at", "id"), False))

    def __str__(self):
        return self.title


class Reclaim(BaseModel):
    """Money the funder took back, dated when it happened: the figures count it in that period, so an
    overview already sent stays as it was. `Application.reclaimed_ore` holds their sum."""

    application = ForeignKeyField(Application, backref="reclaims", on_delete="CASCADE")
    amount_ore = BigIntegerField()
    reclaimed_on = DateField(index=True)
    reason = TextField(default="")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=now)


WHOLE_BP = 10_000  # a whole budget in basis points: a share of 2500 is 25 %


class Partner(BaseModel):
    """Another organisation applying together with the lead one (a cross-cutting collaboration), with its share of
    the budget. The lead organisation keeps what the partners' shares leave. Members of a partner see the
    application, read-only; it counts under each of them, by its share, in the overviews."""

    application = ForeignKeyField(Application, backref="partners", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="partnerships", on_delete="RESTRICT")
    share_bp = IntegerField()
    created_at = UTCDateTimeField(default=now)

    class Meta:
        indexes = ((("application", "organisation"), True),)


class StageChange(BaseModel):
    """One move of an application from one stage to another: who, when, why."""

    application = ForeignKeyField(Application, backref="stage_changes", on_delete="CASCADE")
    from_stage = CharField(null=True)
    to_stage = CharField()
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = UTCDateTimeField(default=now)
    reason_code = CharField(default="")
    reason = TextField(default="")


describe(
    Application,
    N_("Application"),
    {
        "title": Text(N_("Title")),
        "purpose": Text(N_("Purpose")),
        "organisation": Ref(N_("Organisation"), Organisation),
        "funder": Ref(N_("Funder"), Funder),
        "round": Ref(N_("Round"), Round),
        "stage": Choice(N_("Stage"), STAGES),
        "amount_requested_ore": Money(N_("Amount requested")),
        "amount_granted_ore": Money(N_("Amount granted")),
        "owner": Ref(N_("Owner"), User),
        "project_start_on": Day(N_("Project starts")),
        "project_end_on": Day(N_("Project ends")),
        "cosigned_on": Day(N_("Co-signed by the municipality on")),
        "cosigned_by": Text(N_("Co-signed by")),
        "notes": Note(N_("Notes")),
        "submitted_on": Day(N_("Submitted")),
        "decided_on": Day(N_("Decided")),
        "money_received_on": Day(N_("Money received")),
        "reclaimed_ore": Money(N_("Reclaimed by the funder")),
        "reclaimed_on": Day(N_("Reclaimed on")),
        "reason": Note(N_("Reason")),
        "reason_code": Choice(N_("Reason for the rejection"), REJECTION_REASONS),
    },
    organisation=lambda application: application.organisation_id,
    link=("applications.show", "application_id"),
    secret=("stage_changed_at",),
    actions={
        "move": N_("moved"),
        "money_received": N_("money received"),
        "reclaim": N_("money reclaimed"),
        "schedule": N_("payment schedule proposed"),
    },
    search=lambda a: [Found(a.title, a.purpose)] + ([Found(a.title, a.notes, "notes", "notes")] if a.notes else []),
)

describe(
    Reclaim,
    N_("Reclaim"),
    {"amount_ore": Money(N_("Amount reclaimed")), "reclaimed_on": Day(N_("Reclaimed on")), "reason": Note(N_("Reason"))},
    page=lambda reclaim: ("application", reclaim.application_id),
    organisation=lambda reclaim: reclaim.application.organisation_id,
    name=lambda reclaim: "",
    secret=("application", "actor"),
)

describe(
    Partner,
    N_("Partner"),
    {
        "organisation": Ref(N_("Partner organisation"), Organisation),
        "share_bp": Number(N_("Share of the budget in basis points")),
    },
    page=lambda partner: ("application", partner.application_id),
    organisation=lambda partner: partner.application.organisation_id,
    name=lambda partner: partner.organisation.name,
    secret=("application",),
)
