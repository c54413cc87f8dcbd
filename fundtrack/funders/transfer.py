"""Funders to and from spreadsheets: the columns a fundraiser's sheet may have, and the export records."""

from __future__ import annotations

from fundtrack.funders import services
from fundtrack.funders.models import FUNDER_KINDS
from fundtrack.i18n_markers import N_
from fundtrack.importing import Column, Importer, RowResult, create_or_update, read_text
from fundtrack.money import kroner, parse_dkk
from fundtrack.spreadsheets import normalise_header, parse_bool
from fundtrack.tags import parse_tags, parse_un_goals
from fundtrack.validation import ValidationError

KIND_NAMES = {
    "private_foundation": ("privat fond", "private foundation", "fond", "foundation", "privat"),
    "public_pool": ("offentlig pulje", "public pool", "pulje", "offentlig", "public"),
    "eu_programme": ("eu program", "eu programme", "eu program me", "eu", "eu midler"),
    "company_csr": ("virksomheds csr", "company csr", "csr", "virksomhed", "company"),
}


def read_kind(cell):
    text = normalise_header(read_text(cell))
    if not text:
        return None
    for kind, names in KIND_NAMES.items():
        if text == kind.replace("_", " ") or text in names:
            return kind
    raise ValueError(text)


def read_months(cell):
    text = read_text(cell).lower().replace("mdr", "").replace("måneder", "").replace("months", "").strip(" .")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


COLUMNS = (
    Column("name", N_("Name"), ("navn", "fond", "fondens navn", "name", "funder"), read_text, required=True),
    Column("kind", N_("Kind"), ("type", "fondstype", "kind"), read_kind),
    Column("website", N_("Website"), ("hjemmeside", "website", "url", "web"), read_text),
    Column("description", N_("Description"), ("beskrivelse", "description"), read_text),
    Column(
        "focus_tags",
        N_("Focus"),
        ("fokus", "fokusområder", "emner", "focus", "tags", "focus tags"),
        lambda c: parse_tags(read_text(c)),
    ),
    Column("un_goals", N_("UN goals"), ("verdensmål", "un goals", "sdg", "sdgs"), lambda c: parse_un_goals(read_text(c))),
    Column(
        "grant_min_ore", N_("Smallest grant"), ("min bevilling", "mindste bevilling", "minimum", "grant min", "min"), parse_dkk
    ),
    Column(
        "grant_max_ore",
        N_("Largest grant"),
        ("maks bevilling", "max bevilling", "største bevilling", "maximum", "grant max", "max"),
        parse_dkk,
    ),
    Column(
        "allows_consultant_fees",
        N_("Consultant fees allowed"),
        ("konsulenthonorar", "konsulenthonorar tilladt", "consultant fees", "consultant fees allowed"),
        parse_bool,
    ),
    Column(
        "cooldown_after_grant_months",
        N_("Cool-down after a grant (months)"),
        ("karens efter bevilling", "karens efter bevilling mdr", "cooldown after grant", "cool down after grant months"),
        read_months,
    ),
    Column(
        "cooldown_after_rejection_months",
        N_("Cool-down after a rejection (months)"),
        ("karens efter afslag", "karens efter afslag mdr", "cooldown after rejection", "cool down after rejection months"),
        read_months,
    ),
    Column("notes", N_("Notes"), ("noter", "bemærkninger", "notes", "note"), read_text),
)


def check_row(values: dict, context: dict) -> RowResult:
    """A funder row: new or an update of the funder of that name; the same name twice in a file is an error."""
    name = values["name"]
    key = name.strip().lower()
    if key in context["seen"]:
        raise ValidationError({"name": (N_("The name is also on row %(row)d."), {"row": context["seen"][key]})})
    context["seen"][key] = context["row"]
    existing = services.funder_by_name(name)
    data = {k: v for k, v in values.items() if v is not None or k in ("name",)}
    data.setdefault("kind", existing.kind if existing else "private_foundation")
    merged = {**({k: getattr(existing, k) for k in services.FUNDER_FIELDS} if existing else {}), **data}
    services.validate_funder(merged, existing)  # the same checks as the form
    return RowResult(row=0, data=data, action="update" if existing else "create", summary=name, label=FUNDER_KINDS[data["kind"]])


IMPORTER = Importer(
    entity="funders",
    columns=COLUMNS,
    check=check_row,
    save=create_or_update(services.funder_by_name, services.create_funder, services.update_funder),
)

EXPORT_COLUMNS = [
    "id",
    "name",
    "kind",
    "website",
    "description",
    "focus_tags",
    "un_goals",
    "grant_min",
    "grant_max",
    "allows_consultant_fees",
    "cooldown_after_grant_months",
    "cooldown_after_rejection_months",
    "interim_report_months",
    "final_report_months",
    "archived",
]


def export_funders(query) -> list[dict]:
    """Funders as export records (amounts in DKK)."""
    return [
        {
            "id": f.id,
            "name": f.name,
            "kind": f.kind,
            "website": f.website,
            "description": f.description,
            "focus_tags": f.focus_tags,
            "un_goals": f.un_goals,
            "grant_min": kroner(f.grant_min_ore),
            "grant_max": kroner(f.grant_max_ore),
            "allows_consultant_fees": f.allows_consultant_fees,
            "cooldown_after_grant_months": f.cooldown_after_grant_months,
            "cooldown_after_rejection_months": f.cooldown_after_rejection_months,
            "interim_report_months": f.interim_report_months,
            "final_report_months": f.final_report_months,
            "archived": f.archived_at is not None,
        }
        for f in query
    ]
