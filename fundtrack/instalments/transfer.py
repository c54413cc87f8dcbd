"""Instalments to and from spreadsheets: the export, and the import of an instalment sheet (the export's own
columns read back, or a fundraiser's sheet naming each grant by its title and organisation)."""

from __future__ import annotations

from peewee import fn

from fundtrack.applications.models import WON_STAGES, Application
from fundtrack.applications.services import changeable_applications, visible_applications
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.importing import Column, Importer, RowResult, read_day, read_text
from fundtrack.instalments import services
from fundtrack.instalments.models import Instalment
from fundtrack.money import kroner, parse_dkk
from fundtrack.organisations.models import Organisation
from fundtrack.organisations.services import organisation_by_name
from fundtrack.validation import ValidationError, parse_id

EXPORT_COLUMNS = [
    "id",
    "application",
    "application_id",
    "organisation",
    "organisation_id",
    "funder",
    "funder_id",
    "planned_on",
    "planned_amount",
    "condition",
    "received_on",
    "received_amount",
]


def visible_instalments(user):
    """The instalments of the applications `user` may see, with application, organisation and funder joined."""
    return (
        Instalment.select(Instalment, Application, Organisation, Funder)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Application.id.in_(visible_applications(user).select(Application.id)))
        .order_by(Instalment.planned_on, Instalment.id)
    )


def changeable_instalments(user):
    """The instalments `user` may change: those of the applications they may change."""
    return Instalment.select().where(Instalment.application.in_(changeable_applications(user).select(Application.id)))


def export_instalments(query) -> list[dict]:
    """Instalments with their application, organisation and funder by name beside the id; amounts in DKK."""
    return [
        {
            "id": i.id,
            "application": i.application.title,
            "application_id": i.application_id,
            "organisation": i.application.organisation.name,
            "organisation_id": i.application.organisation_id,
            "funder": i.application.funder.name,
            "funder_id": i.application.funder_id,
            "planned_on": i.planned_on,
            "planned_amount": kroner(i.planned_ore),
            "condition": i.condition,
            "received_on": i.received_on,
            "received_amount": kroner(i.received_ore),
        }
        for i in query
    ]


def _read_id(cell):
    text = read_text(cell)
    if not text:
        return None
    number = parse_id(text)
    if number is None:
        raise ValueError(text)
    return number


COLUMNS = (
    Column("id", N_("Instalment id"), ("id", "rate id", "instalment id"), _read_id),
    Column("application_id", N_("Application id"), ("application_id", "ansøgning id", "application id"), _read_id),
    Column("application", N_("Application"), ("ansøgning", "titel", "projekt", "application", "title"), read_text),
    Column("organisation", N_("Organisation"), ("organisation", "ansøger", "organization"), read_text),
    Column(
        "planned_on",
        N_("Planned date"),
        ("planlagt dato", "udbetalingsdato", "dato", "planned_on", "planned date"),
        read_day,
        required=True,
    ),
    Column(
        "planned_ore",
        N_("Planned amount"),
        ("planlagt beløb", "rate", "beløb", "planned_amount", "planned amount", "amount"),
        parse_dkk,
        required=True,
    ),
    Column("condition", N_("Condition"), ("betingelse", "condition"), read_text),
    Column("received_on", N_("Received on"), ("modtaget dato", "modtaget den", "received_on", "received on"), read_day),
    Column("received_ore", N_("Amount received"), ("modtaget beløb", "received_amount", "amount received"), parse_dkk),
)


def _grant_of(values: dict) -> Application:
    """The granted application a row names: by its id, or by its title and organisation."""
    if values.get("application_id"):
        application = Application.get_or_none(Application.id == values["application_id"])
        if application is None:
            raise ValidationError({"application_id": (N_("No application has the id %(id)s."), {"id": values["application_id"]})})
        return application
    title, name = values.get("application") or "", values.get("organisation") or ""
    if not title or not name:
        raise ValidationError({"application": N_("Name the application by its id, or by its title and organisation.")})
    organisation = organisation_by_name(name)
    if organisation is None:
        raise ValidationError({"organisation": (N_("No organisation is called %(name)s."), {"name": name})})
    found = list(
        Application.select().where(
            (Application.organisation == organisation)
            & (fn.LOWER(Application.title) == title.strip().lower())
            & Application.stage.in_(WON_STAGES)
        )
    )
    if len(found) != 1:
        message = (
            N_("%(name)s has no granted application called %(title)s.")
            if not found
            else N_("%(name)s has several granted applications called %(title)s.")
        )
        raise ValidationError({"application": (message, {"name": organisation.name, "title": title})})
    return found[0]


def check_row(values: dict, context: dict) -> RowResult:
    """An instalment of a granted application: a new one, or (with the id of one) that instalment changed."""
    application = _grant_of(values)
    existing = None
    if values.get("id"):
        existing = Instalment.get_or_none((Instalment.id == values["id"]) & (Instalment.application == application))
        if existing is None:
            raise ValidationError({"id": (N_("The application has no instalment with the id %(id)s."), {"id": values["id"]})})
        if values["id"] in context["seen"]:
            message = N_("The same instalment is also on row %(row)d.")
            raise ValidationError({"id": (message, {"row": context["seen"][values["id"]]})})
        context["seen"][values["id"]] = context["row"]
    data = {key: values.get(key) for key in ("planned_on", "planned_ore", "condition", "received_on", "received_ore")}
    services.validate_instalment(application, data)
    summary = f"{application.title} · {data['planned_on'].isoformat()} {kroner(data['planned_ore'])}"
    return RowResult(
        row=0,
        data={"application": application, "instalment": existing, "values": data},
        action="update" if existing else "create",
        summary=summary,
    )


def save_rows(rows: list[RowResult], actor, now) -> int:
    """Add or change every checked instalment; each keeps its deadline, and money received lets a fee fall due."""
    for row in rows:
        if row.data["instalment"] is not None:
            services.update_instalment(row.data["instalment"], row.data["values"], actor=actor, now=now)
        else:
            services.add_instalment(row.data["application"], row.data["values"], actor=actor, now=now)
    return len(rows)


IMPORTER = Importer(entity="instalments", columns=COLUMNS, check=check_row, save=save_rows)
