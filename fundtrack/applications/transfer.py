"""Applications to and from spreadsheets."""

from __future__ import annotations

import re

from peewee import JOIN, fn

from fundtrack.applications import partners, services
from fundtrack.applications.models import STAGES, WHOLE_BP, Application, Partner
from fundtrack.auth.models import User
from fundtrack.funders import services as funders
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.importing import CellError, Column, Importer, NewRecord, RowResult, created, existing_or_new, read_day, read_text
from fundtrack.money import kroner, parse_dkk
from fundtrack.organisations import services as organisations
from fundtrack.organisations.models import Organisation
from fundtrack.spreadsheets import normalise_header
from fundtrack.validation import ValidationError, parse_percent

STAGE_NAMES = {
    "idea": ("idé", "ide", "idea"),
    "drafting": ("under udarbejdelse", "udarbejdes", "kladde", "drafting", "draft", "i gang"),
    "submitted": ("indsendt", "sendt", "afventer", "afventer svar", "submitted", "pending"),
    "granted": ("bevilget", "bevilling", "tilsagn", "granted", "awarded"),
    "rejected": ("afslag", "afvist", "rejected", "declined"),
    "withdrawn": ("trukket tilbage", "trukket", "opgivet", "withdrawn"),
    "reporting": ("afrapportering", "rapportering", "reporting"),
    "closed": ("afsluttet", "lukket", "closed", "done"),
}


def read_stage(cell):
    text = normalise_header(read_text(cell))
    if not text:
        return None
    for stage, names in STAGE_NAMES.items():
        if text == stage or text in names:
            return stage
    raise ValueError(text)


COLUMNS = (
    Column("title", N_("Title"), ("titel", "projekt", "projekttitel", "ansøgning", "title", "project"), read_text, required=True),
    Column(
        "organisation",
        N_("Organisation"),
        ("organisation", "ansøger", "virksomhed", "applicant", "organization"),
        read_text,
        required=True,
    ),
    Column("funder", N_("Funder"), ("fond", "funder", "bevillingsgiver", "pulje"), read_text, required=True),
    Column("stage", N_("Stage"), ("status", "fase", "stage"), read_stage),
    Column(
        "amount_requested_ore",
        N_("Requested"),
        ("ansøgt beløb", "ansøgt", "beløb ansøgt", "requested", "amount requested"),
        parse_dkk,
    ),
    Column(
        "amount_granted_ore",
        N_("Granted"),
        ("bevilget beløb", "bevilget", "beløb bevilget", "granted", "amount granted"),
        parse_dkk,
    ),
    Column("submission_on", N_("Submission deadline"), ("ansøgningsfrist", "frist", "deadline", "submission deadline"), read_day),
    Column("submitted_on", N_("Submitted on"), ("indsendt dato", "indsendt den", "dato indsendt", "submitted on"), read_day),
    Column(
        "decided_on",
        N_("Decided on"),
        ("svar", "svardato", "afgørelse", "dato for svar", "decided on", "decision date"),
        read_day,
    ),
    Column("project_start_on", N_("Project start"), ("projektstart", "start", "project start"), read_day),
    Column("project_end_on", N_("Project end"), ("projektslut", "slut", "project end"), read_day),
    Column("purpose", N_("Purpose"), ("formål", "purpose"), read_text),
    Column("notes", N_("Notes"), ("noter", "bemærkninger", "notes", "note"), read_text),
    Column("owner", N_("Owner"), ("ansvarlig", "tovholder", "owner"), read_text),
    Column("partners", N_("Partners"), ("partnere", "samarbejdspartnere", "partners"), lambda cell: read_partners(cell)),
)
PARTNER = re.compile(r"^(?P<name>.*?)[\s:(]*(?P<share>\d+(?:[.,]\d+)?)\s*%?\)?$")


def read_partners(cell) -> list[tuple[str, int]]:
    """`Naturhaven 30 %; Genbrugslab 12,5 %` as [(name, basis points)], as the export writes them."""
    found = []
    for part in read_text(cell).split(";"):
        if not part.strip():
            continue
        match = PARTNER.match(part.strip())
        if not match or not match["name"].strip():
            raise CellError(N_("Write each partner as its name and its share, e.g. Naturhaven 30 %; separate them by ;."))
        found.append((match["name"].strip(), parse_percent(match["share"])))
    return found


def partners_text(application_partners) -> str:
    """The partners as `Naturhaven 30 %; Genbrugslab 12,5 %` (what the import reads back)."""
    return "; ".join(f"{p.organisation.name} {_percent(p.share_bp)} %" for p in application_partners)


def _percent(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return str(whole) if not rest else f"{whole},{rest:02d}".rstrip("0")


def _owner(text: str) -> User | None:
    text = text.strip().lower()
    return User.get_or_none((User.email == text) | (fn.LOWER(User.name) == text))


def _identity(record) -> object:
    """What tells a related record apart within one file: its id, or the name of one still to be created."""
    return record.key if isinstance(record, NewRecord) else record.id


def check_row(values: dict, context: dict) -> RowResult:
    """An application row: its organisation and funder are found by name or created with the import, its owner
    must exist, and it must not be in the file or in fundtrack twice."""
    errors: dict = {}
    organisation = existing_or_new(context, Organisation, values["organisation"])
    funder = existing_or_new(context, Funder, values["funder"])
    owner = None
    if values.get("owner"):
        owner = _owner(values["owner"])
        if owner is None:
            errors["owner"] = (N_("No user has the e-mail or name %(name)s."), {"name": values["owner"]})
    joint = []
    for name, share in values.get("partners") or []:
        partner = existing_or_new(context, Organisation, name)
        if _identity(partner) == _identity(organisation):
            errors["partners"] = N_("The lead organisation cannot also be a partner.")
        else:
            joint.append((partner, share))
    if joint and sum(share for _, share in joint) >= WHOLE_BP:
        errors["partners"] = N_("The partners' shares must leave a share for the lead organisation.")
    if errors:
        raise ValidationError(errors)
    key = (values["title"].strip().lower(), _identity(organisation), _identity(funder))
    if key in context["seen"]:
        raise ValidationError({"title": (N_("The same application is also on row %(row)d."), {"row": context["seen"][key]})})
    context["seen"][key] = context["row"]
    exists = not isinstance(organisation, NewRecord) and not isinstance(funder, NewRecord)
    if exists and (
        Application.select()
        .where(
            (fn.LOWER(Application.title) == key[0]) & (Application.organisation == organisation) & (Application.funder == funder)
        )
        .exists()
    ):
        raise ValidationError({"title": N_("This application exists already.")})
    stage = values.get("stage") or "idea"
    if stage in ("granted", "reporting", "closed") and values.get("amount_granted_ore") is None:
        raise ValidationError({"amount_granted_ore": N_("A granted application needs the amount granted.")})
    if stage in services.DECIDED_STAGES and values.get("decided_on") is None:
        raise ValidationError({"decided_on": N_("A decided application needs the date of the decision.")})
    data = {
        "title": values["title"],
        "organisation": organisation,
        "funder": funder,
        "owner": owner,
        "stage": stage,
        "amount_requested_ore": values.get("amount_requested_ore"),
        "amount_granted_ore": values.get("amount_granted_ore"),
        "project_start_on": values.get("project_start_on"),
        "project_end_on": values.get("project_end_on"),
        "purpose": values.get("purpose") or "",
        "notes": values.get("notes") or "",
        "submitted_on": values.get("submitted_on"),
        "decided_on": values.get("decided_on"),
        "submission_on": values.get("submission_on"),
        "partners": joint,
    }
    services.validate_application(data)
    return RowResult(row=0, data=data, summary=f"{values['title']} · {organisation.name} → {funder.name}", label=STAGES[stage])


def _create_new(rows: list[RowResult], actor, now) -> None:
    """The funders and organisations the file names and fundtrack does not know, each created once."""
    create = {"funder": funders.create_funder, "organisation": organisations.create_organisation}
    for row in rows:
        for value in (row.data["organisation"], row.data["funder"], *(partner for partner, _ in row.data["partners"])):
            if isinstance(value, NewRecord) and value.record is None:
                value.record = create[value.kind]({"name": value.name}, actor=actor, now=now)


def save_rows(rows: list[RowResult], actor, now) -> int:
    """Create the new funders and organisations, then every checked row; its submission deadline comes with it
    (done when it is already submitted)."""
    _create_new(rows, actor, now)
    for row in rows:
        data = dict(row.data)
        data["organisation"], data["funder"] = created(data["organisation"]), created(data["funder"])
        submission_on, joint = data.pop("submission_on"), [(created(o), share) for o, share in data.pop("partners")]
        application = services.create_application(
            data,
            actor=actor,
            now=now,
            history_note="import",
            submission=services.SubmissionDeadline(submission_on) if submission_on else None,
        )
        for organisation, share in joint:
            partners.add_partner(application, organisation, share, actor=actor, now=now)
    return len(rows)


IMPORTER = Importer(entity="applications", columns=COLUMNS, check=check_row, save=save_rows)

EXPORT_COLUMNS = [
    "id",
    "title",
    "organisation",
    "organisation_id",
    "funder",
    "funder_id",
    "stage",
    "amount_requested",
    "amount_granted",
    "amount_reclaimed",
    "submitted_on",
    "decided_on",
    "project_start_on",
    "project_end_on",
    "owner",
    "owner_id",
    "cosigned_on",
    "cosigned_by",
    "purpose",
    "notes",
    "partners",
]


def export_applications(query, shows_notes) -> list[dict]:
    """Applications as export records: related records by name beside their id, amounts in DKK; the notes of
    those for which `shows_notes(application)` is true."""
    rows = (
        query.select(Application, Organisation, Funder, User)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .switch(Application)
        .join(User, JOIN.LEFT_OUTER, on=(Application.owner == User.id))
    )
    joint: dict[int, list] = {}
    for partner in (
        Partner.select(Partner, Organisation)
        .join(Organisation)
        .where(Partner.application.in_(query.select(Application.id)))
        .order_by(Organisation.name)
    ):
        joint.setdefault(partner.application_id, []).append(partner)
    records = []
    for a in rows:
        records.append(
            {
                "id": a.id,
                "title": a.title,
                "organisation": a.organisation.name,
                "organisation_id": a.organisation_id,
                "funder": a.funder.name,
                "funder_id": a.funder_id,
                "stage": a.stage,
                "amount_requested": kroner(a.amount_requested_ore),
                "amount_granted": kroner(a.amount_granted_ore),
                "amount_reclaimed": kroner(a.reclaimed_ore),
                "submitted_on": a.submitted_on,
                "decided_on": a.decided_on,
                "project_start_on": a.project_start_on,
                "project_end_on": a.project_end_on,
                "owner": a.owner.name if a.owner_id else None,
                "owner_id": a.owner_id,
                "cosigned_on": a.cosigned_on,
                "cosigned_by": a.cosigned_by,
                "purpose": a.purpose,
                "notes": a.notes if shows_notes(a) else None,
                "partners": partners_text(joint.get(a.id, [])),
            }
        )
    return records
