"""Projects to and from spreadsheets: the projects with their mosaic's totals, and their budgets one line a
row (the sheet a fundraiser keeps, and the one the import reads)."""

from __future__ import annotations

from peewee import JOIN, fn

from fundtrack.applications.models import Application
from fundtrack.config import ReportSettings
from fundtrack.i18n_markers import N_
from fundtrack.importing import Column, Importer, RowResult, read_day, read_text
from fundtrack.money import kroner, parse_dkk
from fundtrack.organisations.models import Organisation
from fundtrack.organisations.services import organisation_by_name
from fundtrack.projects import services
from fundtrack.projects.models import BudgetLine, Project
from fundtrack.spreadsheets import normalise_header
from fundtrack.validation import ValidationError

EXPORT_COLUMNS = [
    "id",
    "name",
    "organisation",
    "organisation_id",
    "start_on",
    "end_on",
    "description",
    "costs",
    "granted",
    "planned_income",
    "pending",
    "pending_weighted",
    "missing",
]
LINE_COLUMNS = [
    "project",
    "project_id",
    "organisation",
    "organisation_id",
    "side",
    "kind",
    "line",
    "amount",
    "application",
    "application_id",
    "covers",
]


def export_projects(projects: list[Project], settings: ReportSettings) -> list[dict]:
    """Projects with their organisation by name beside its id, and what their budgets come to, in DKK."""
    mosaics = services.mosaics(projects, settings)
    organisations = {o.id: o.name for o in Organisation.select(Organisation.id, Organisation.name)}
    return [
        {
            "id": p.id,
            "name": p.name,
            "organisation": organisations.get(p.organisation_id),
            "organisation_id": p.organisation_id,
            "start_on": p.start_on,
            "end_on": p.end_on,
            "description": p.description,
            "costs": kroner(m.cost_ore),
            "granted": kroner(m.granted_ore),
            "planned_income": kroner(m.planned_ore),
            "pending": kroner(m.pending_ore),
            "pending_weighted": kroner(m.pending_weighted_ore),
            "missing": kroner(m.missing_ore),
        }
        for p, m in ((p, mosaics[p.id]) for p in projects)
    ]


def export_lines(query) -> list[dict]:
    """Budget lines, one a row, with their project, organisation and application by name beside the id."""
    covered = BudgetLine.alias("covered")
    rows = (
        query.select(BudgetLine, Project, Organisation, Application, covered.label.alias("covers_label"))
        .join(Project)
        .join(Organisation)
        .switch(BudgetLine)
        .join(Application, JOIN.LEFT_OUTER, on=(BudgetLine.application == Application.id))
        .switch(BudgetLine)
        .join(covered, JOIN.LEFT_OUTER, on=(BudgetLine.covers == covered.id))
        .order_by(Organisation.name, Project.name, BudgetLine.position, BudgetLine.id)
    )
    return [
        {
            "project": line.project.name,
            "project_id": line.project_id,
            "organisation": line.project.organisation.name,
            "organisation_id": line.project.organisation_id,
            "side": line.side,
            "kind": line.kind,
            "line": line.label,
            "amount": kroner(line.amount_ore),
            "application": line.application.title if line.application_id else None,
            "application_id": line.application_id,
            "covers": getattr(line, "covers_label", None) or None,
        }
        for line in rows.objects()
    ]


# The import: one budget line a row; a project is created the first time its name appears for its organisation.

SIDE_NAMES = {
    "cost": ("udgift", "udgifter", "omkostning", "cost", "costs", "expense"),
    "income": ("indtægt", "indtægter", "finansiering", "income", "funding"),
}
KIND_NAMES = {
    "application": ("ansøgning", "fond", "bevilling", "application", "grant"),
    "own_revenue": ("egenindtægt", "egne indtægter", "salg", "own revenue", "revenue"),
    "municipality": ("kommunen", "kommune", "municipality"),
    "in_kind": ("naturalier", "frivillig tid", "in kind"),
    "other": ("andet", "anden indtægt", "other"),
}


def _reader(names: dict[str, tuple[str, ...]]):
    def read(cell):
        text = normalise_header(read_text(cell))
        if not text:
            return None
        for key, accepted in names.items():
            if text == key or text in accepted:
                return key
        raise ValueError(text)

    return read


COLUMNS = (
    Column("project", N_("Project"), ("projekt", "projektnavn", "project"), read_text, required=True),
    Column("organisation", N_("Organisation"), ("organisation", "virksomhed", "organization"), read_text, required=True),
    Column("side", N_("Cost or income"), ("type", "udgift/indtægt", "side"), _reader(SIDE_NAMES)),
    Column("kind", N_("Source"), ("kilde", "finansieringskilde", "source", "kind"), _reader(KIND_NAMES)),
    Column("label", N_("Line"), ("post", "budgetpost", "linje", "line", "item"), read_text),
    Column("amount_ore", N_("Amount"), ("beløb", "amount"), parse_dkk),
    Column("application", N_("Application"), ("ansøgning", "application"), read_text),
    Column("covers", N_("Covers"), ("dækker", "covers"), read_text),
    Column("start_on", N_("Start"), ("projektstart", "start"), read_day),
    Column("end_on", N_("End"), ("projektslut", "slut", "end"), read_day),
    Column("description", N_("Description"), ("beskrivelse", "description"), read_text),
)


def _application_named(organisation: Organisation, title: str) -> Application:
    found = list(
        Application.select().where(
            (Application.organisation == organisation) & (fn.LOWER(Application.title) == title.strip().lower())
        )
    )
    if not found:
        raise ValidationError(
            {"application": (N_("%(name)s has no application called %(title)s."), {"name": organisation.name, "title": title})}
        )
    if len(found) > 1:
        raise ValidationError(
            {
                "application": (
                    N_("%(name)s has several applications called %(title)s."),
                    {"name": organisation.name, "title": title},
                )
            }
        )
    return found[0]


def check_row(values: dict, context: dict) -> RowResult:
    """A budget line: its organisation must exist; its project is found or will be made; the line is checked as the
    form checks it (a cost it covers must be in the project or earlier in the file)."""
    organisation = organisation_by_name(values["organisation"])
    if organisation is None:
        raise ValidationError({"organisation": (N_("No organisation is called %(name)s."), {"name": values["organisation"]})})
    name = values["project"].strip()
    key = (organisation.id, name.lower())
    project = services.project_by_name(organisation, name)
    projects = context.setdefault("projects", {})
    if project is None and key not in projects:
        services.validate_project({"organisation": organisation, "name": name, **_period(values)}, None)
    projects.setdefault(key, context["row"])
    new_project = {"organisation": organisation, "name": name, **_period(values)}
    data = {"project_key": key, "project": project, "new_project": new_project}
    summary = name
    if values.get("side") or values.get("label") or values.get("amount_ore") is not None:
        side = values.get("side") or ("income" if values.get("kind") else "cost")
        kind = values.get("kind") or ("application" if values.get("application") else "other" if side == "income" else "")
        application = _application_named(organisation, values["application"]) if kind == "application" else None
        line = {"side": side, "kind": kind, "label": values.get("label"), "amount_ore": values.get("amount_ore")}
        costs = context.setdefault("costs", set())
        covers = (values.get("covers") or "").strip()
        if covers and side == "income":
            exists = project is not None and (
                BudgetLine.select()
                .where(
                    (BudgetLine.project == project) & (BudgetLine.side == "cost") & (fn.LOWER(BudgetLine.label) == covers.lower())
                )
                .exists()
            )
            if not exists and (key, covers.lower()) not in costs:
                raise ValidationError({"covers": (N_("The project has no cost called %(name)s."), {"name": covers})})
        if side == "cost":
            costs.add((key, (values.get("label") or "").strip().lower()))
        checking = project or Project(organisation=organisation, name=name)
        services.validate_line(checking, {**line, "application": application}, None)
        if application is not None:
            claimed = context.setdefault("applications", {})
            if application.id in claimed:
                raise ValidationError(
                    {"application": (N_("The same application is also on row %(row)d."), {"row": claimed[application.id]})}
                )
            claimed[application.id] = context["row"]
        data["line"] = {**line, "application": application, "covers": covers}
        amount = kroner(values["amount_ore"]) if values.get("amount_ore") is not None else ""
        summary = f"{name} · {line['label'] or (application.title if application else '')} {amount}".strip()
    return RowResult(row=0, data=data, action="update" if project else "create", summary=summary)


def _period(values: dict) -> dict:
    return {key: values.get(key) for key in ("start_on", "end_on", "description") if values.get(key)}


def save_rows(rows: list[RowResult], actor, now) -> int:
    """Make the new projects, then the costs, then the income (which may name a cost of the file)."""
    projects: dict = {}
    for row in rows:
        key = row.data["project_key"]
        if row.data["project"] is not None:
            projects[key] = row.data["project"]
        elif key not in projects:
            values: dict = {}
            for other in rows:  # the name as first written; the period and description from any of its rows
                if other.data["project_key"] == key:
                    values = {**other.data["new_project"], **values}
            projects[key] = services.create_project(values, actor=actor, now=now)
    for side in ("cost", "income"):
        for row in rows:
            line = row.data.get("line")
            if line is None or line["side"] != side:
                continue
            project = projects[row.data["project_key"]]
            covers = None
            if line["covers"]:
                covers = BudgetLine.get_or_none(
                    (BudgetLine.project == project)
                    & (BudgetLine.side == "cost")
                    & (fn.LOWER(BudgetLine.label) == line["covers"].lower())
                )
            services.add_line(project, {**line, "covers": covers}, actor=actor, now=now)
    return len(rows)


IMPORTER = Importer(entity="projects", columns=COLUMNS, check=check_row, save=save_rows)
