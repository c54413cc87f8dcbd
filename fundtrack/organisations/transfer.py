"""Organisations to and from spreadsheets: the columns of a list of partners, and the export records."""

from __future__ import annotations

from fundtrack.i18n_markers import N_
from fundtrack.importing import Column, Importer, RowResult, create_or_update, read_text
from fundtrack.organisations import services
from fundtrack.organisations.models import ORGANISATION_KINDS
from fundtrack.spreadsheets import normalise_header
from fundtrack.tags import parse_tags, parse_un_goals
from fundtrack.validation import ValidationError

KIND_NAMES = {
    "enterprise": ("social virksomhed", "socialøkonomisk virksomhed", "virksomhed", "social enterprise", "enterprise"),
    "initiative": ("socialt initiativ", "initiativ", "social initiative", "initiative"),
    "association": ("forening", "frivillig forening", "association"),
    "municipality": ("kommune", "kommunen", "municipality"),
}


def read_kind(cell):
    text = normalise_header(read_text(cell))
    if not text:
        return None
    for kind, names in KIND_NAMES.items():
        if text == kind or text in names:
            return kind
    raise ValueError(text)


def _tags(cell):
    return parse_tags(read_text(cell))


COLUMNS = (
    Column("name", N_("Name"), ("navn", "organisation", "virksomhed", "name", "organization"), read_text, required=True),
    Column("kind", N_("Kind"), ("type", "form", "kind"), read_kind),
    Column("cvr_number", N_("CVR number"), ("cvr", "cvr nummer", "cvr nr", "cvr number"), read_text),
    Column("website", N_("Website"), ("hjemmeside", "website", "url", "web"), read_text),
    Column("description", N_("Description"), ("beskrivelse", "description"), read_text),
    Column("interests", N_("Interests"), ("interesser", "fokus", "interests"), _tags),
    Column("keywords", N_("Keywords for open calls"), ("søgeord", "nøgleord", "keywords"), _tags),
    Column("excluded_words", N_("Words that keep a call away"), ("udelukkede ord", "excluded words"), _tags),
    Column("un_goals", N_("UN goals"), ("verdensmål", "un goals", "sdg", "sdgs"), lambda c: parse_un_goals(read_text(c))),
)


def check_row(values: dict, context: dict) -> RowResult:
    """An organisation row: new, or an update of the organisation of that name; a name twice in a file is an error."""
    name = values["name"]
    key = name.strip().lower()
    if key in context["seen"]:
        raise ValidationError({"name": (N_("The name is also on row %(row)d."), {"row": context["seen"][key]})})
    context["seen"][key] = context["row"]
    existing = services.organisation_by_name(name)
    data = {k: v for k, v in values.items() if v not in (None, [], "") or k == "name"}
    merged = {**({k: getattr(existing, k) for k in services.ORGANISATION_FIELDS} if existing else {}), **data}
    kind = services.validate_organisation(merged, existing)["kind"]  # the same checks as the form
    return RowResult(row=0, data=data, action="update" if existing else "create", summary=name, label=ORGANISATION_KINDS[kind])


IMPORTER = Importer(
    entity="organisations",
    columns=COLUMNS,
    check=check_row,
    save=create_or_update(services.organisation_by_name, services.create_organisation, services.update_organisation),
)


EXPORT_COLUMNS = [
    "id",
    "name",
    "kind",
    "cvr_number",
    "website",
    "description",
    "interests",
    "keywords",
    "excluded_words",
    "un_goals",
    "archived",
]


def export_organisations(query) -> list[dict]:
    return [
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind,
            "cvr_number": o.cvr_number,
            "website": o.website,
            "description": o.description,
            "interests": o.interests,
            "keywords": o.keywords,
            "excluded_words": o.excluded_words,
            "un_goals": o.un_goals,
            "archived": o.archived_at is not None,
        }
        for o in query
    ]
