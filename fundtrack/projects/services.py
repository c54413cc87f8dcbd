"""Projects and their budgets, each change on the record; and the funding mosaic: the budget against what
is granted, pending (weighted by stage, as in the forecast) and missing.

Members see and change their own organisation's projects; fundraisers all of them; viewers read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, fn

from fundtrack.applications import shares
from fundtrack.applications.models import OPEN_STAGES, WHOLE_BP, WON_STAGES, Application, Partner
from fundtrack.audit import services as audit
from fundtrack.config import ReportSettings
from fundtrack.db import db
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.money import weighted
from fundtrack.organisations.models import Organisation
from fundtrack.projects.models import INCOME_KINDS, SIDES, BudgetLine, Project
from fundtrack.validation import LARGEST_ORE, ValidationError, check_day, require

PROJECT_FIELDS = ("organisation", "name", "description", "start_on", "end_on")
LINE_FIELDS = ("side", "kind", "label", "amount_ore", "application", "covers")


def visible_projects(user):
    """Members see their own organisation's projects; fundraisers and viewers see all."""
    query = Project.select()
    if user.is_member:
        query = query.where(Project.organisation == user.organisation_id)
    return query


def visible_lines(user):
    """The budget lines of the projects `user` may see."""
    return BudgetLine.select().where(BudgetLine.project.in_(visible_projects(user).select(Project.id)))


def project_by_name(organisation: Organisation, name: str) -> Project | None:
    return Project.get_or_none((Project.organisation == organisation) & (fn.LOWER(Project.name) == name.strip().lower()))


def validate_project(data: dict, existing: Project | None) -> dict:
    """The cleaned values of a project, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    organisation = data.get("organisation")
    require(errors, "organisation", organisation)
    name = (data.get("name") or "").strip()
    require(errors, "name", name)
    if organisation is not None and name:
        clash = project_by_name(organisation, name)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = N_("The organisation has a project with this name already.")
    for key in ("start_on", "end_on"):
        check_day(errors, key, data.get(key))
    start, end = data.get("start_on"), data.get("end_on")
    if start and end and end < start and "end_on" not in errors:
        errors["end_on"] = N_("The project cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    return {
        "organisation": organisation,
        "name": name,
        "description": (data.get("description") or "").strip(),
        "start_on": start,
        "end_on": end,
    }


def create_project(data: dict, *, actor, now: dt.datetime) -> Project:
    values = validate_project(data, None)
    with db.atomic():
        project = Project.create(**values, created_at=now, updated_at=now)
        audit.record_create(actor, project, now)
    return project


def update_project(project: Project, data: dict, *, actor, now: dt.datetime) -> Project:
    """Change a project; its organisation stays (its lines name that organisation's applications)."""
    values = validate_project({**data, "organisation": project.organisation}, project)
    values.pop("organisation")
    with db.atomic():
        audit.save_changes(project, {**values, "updated_at": now}, actor=actor, now=now)
    return project


def delete_project(project: Project, *, actor, now: dt.datetime) -> None:
    """Remove a project and its budget (kept in the history); the applications it named stay."""
    with db.atomic():
        for line in project.lines:
            line.project = project
            audit.record_delete(actor, line, now)
        audit.record_delete(actor, project, now)
        BudgetLine.delete().where(BudgetLine.project == project).execute()
        project.delete_instance()


def _application_funding(project: Project, application: Application | None, line: BudgetLine | None):
    """Why `application` cannot fund `project` (a message, or a message and its parameters), or None."""
    if application is None:
        return N_("Choose the application.")
    if project.organisation_id not in shares.organisation_ids(application):
        return N_("Only an application of the project's organisation (or one it is a partner of) can fund it.")
    taken = BudgetLine.get_or_none(BudgetLine.application == application)
    if taken is not None and (line is None or taken.id != line.id):
        return N_("The application funds another project already (%(project)s)."), {"project": taken.project.name}
    return None


def validate_line(project: Project, data: dict, existing: BudgetLine | None) -> dict:
    """The cleaned values of a budget line, or ValidationError naming each bad field."""
    errors: dict = {}
    side = data.get("side") or "cost"
    if side not in SIDES:
        errors["side"] = N_("Choose cost or income.")
    kind = (data.get("kind") or "") if side == "income" else ""
    if side == "income" and kind not in INCOME_KINDS:
        errors["kind"] = N_("Choose where the money comes from.")
    label = (data.get("label") or "").strip()
    application = data.get("application") if kind == "application" else None
    amount = data.get("amount_ore")
    if kind == "application":
        problem = _application_funding(project, application, existing)
        if problem:
            errors["application"] = problem
    else:
        require(errors, "label", label)
        if amount is None:
            errors["amount_ore"] = N_("Give the amount.")
    if amount is not None and not 0 < amount <= LARGEST_ORE:
        errors["amount_ore"] = N_("An amount is more than 0 kr. and at most 100 billion kr.")
    covers = data.get("covers") if side == "income" else None
    if covers is not None and (covers.project_id != project.id or covers.side != "cost"):
        errors["covers"] = N_("Choose a cost of this project.")
    if errors:
        raise ValidationError(errors)
    if kind == "application" and not label:
        label = application.title
    return {"side": side, "kind": kind, "label": label, "amount_ore": amount, "application": application, "covers": covers}


def add_line(project: Project, data: dict, *, actor, now: dt.datetime) -> BudgetLine:
    values = validate_line(project, data, None)
    position = (BudgetLine.select(fn.MAX(BudgetLine.position)).where(BudgetLine.project == project).scalar() or 0) + 1
    with db.atomic():
        line = BudgetLine.create(project=project, **values, position=position, created_at=now, updated_at=now)
        line.project = project
        audit.record_create(actor, line, now)
        _touch(project, now)
    return line


def update_line(line: BudgetLine, data: dict, *, actor, now: dt.datetime) -> BudgetLine:
    values = validate_line(line.project, data, line)
    with db.atomic():
        audit.save_changes(line, {**values, "updated_at": now}, actor=actor, now=now)
        _touch(line.project, now)
    return line


def delete_line(line: BudgetLine, *, actor, now: dt.datetime) -> None:
    """Remove a line (kept in the history); income that covered it no longer names a cost."""
    with db.atomic():
        audit.record_delete(actor, line, now)
        line.delete_instance()
        _touch(line.project, now)


def _touch(project: Project, now: dt.datetime) -> None:
    Project.update(updated_at=now).where(Project.id == project.id).execute()


def funded_project(application: Application) -> Project | None:
    """The project the application funds, if any (an application funds at most one)."""
    line = BudgetLine.select(BudgetLine, Project).join(Project).where(BudgetLine.application == application).first()
    return line.project if line else None


def fundable_applications(project: Project, line: BudgetLine | None = None):
    """The organisation's applications that may fund the project: not withdrawn or rejected, and funding no other
    project (the line's own application stays on the list)."""
    taken = BudgetLine.select(BudgetLine.application).where(BudgetLine.application.is_null(False))
    if line is not None:
        taken = taken.where(BudgetLine.id != line.id)
    return (
        Application.select()
        .where(
            shares.involves(project.organisation_id)
            & Application.stage.not_in(("rejected", "withdrawn"))
            & Application.id.not_in(taken)
        )
        .order_by(Application.title)
    )


# The funding mosaic.

INCOME_STATUSES = {
    "granted": N_("Granted"),
    "pending": N_("Pending"),
    "lost": N_("Not granted"),
    "planned": N_("Planned"),
}


@dataclass
class IncomeRow:
    """One source of the project's money as it stands: `amount_ore` is what it brings if it comes, `counted_ore`
    what the mosaic counts (granted in full, pending weighted by its stage, lost nothing, the rest as planned)."""

    line: BudgetLine
    status: str
    amount_ore: int
    counted_ore: int
    probability: float | None = None


@dataclass
class Mosaic:
    project: Project
    costs: list[BudgetLine]
    income: list[IncomeRow]
    covering: dict[int, list[IncomeRow]] = field(default_factory=dict)  # cost line id -> the income that covers it

    @property
    def cost_ore(self) -> int:
        return sum(line.amount_ore or 0 for line in self.costs)

    def _sum(self, status: str, attribute: str = "amount_ore") -> int:
        return sum(getattr(row, attribute) for row in self.income if row.status == status)

    @property
    def granted_ore(self) -> int:
        return self._sum("granted")

    @property
    def planned_ore(self) -> int:
        """Own revenue, the municipality, in kind and other income: as budgeted."""
        return self._sum("planned")

    @property
    def pending_ore(self) -> int:
        return self._sum("pending")

    @property
    def pending_weighted_ore(self) -> int:
        return self._sum("pending", "counted_ore")

    @property
    def lost_ore(self) -> int:
        return self._sum("lost")

    @property
    def secured_ore(self) -> int:
        return self.granted_ore + self.planned_ore

    @property
    def missing_ore(self) -> int:
        """What the budget still lacks once the pending applications are counted by their chance."""
        return max(0, self.cost_ore - self.secured_ore - self.pending_weighted_ore)

    @property
    def missing_if_none_granted_ore(self) -> int:
        return max(0, self.cost_ore - self.secured_ore)

    @property
    def surplus_ore(self) -> int:
        return max(0, self.secured_ore - self.cost_ore)


def _income_row(line: BudgetLine, application: Application | None, share_bp: int, settings: ReportSettings) -> IncomeRow:
    """`share_bp`: the project's organisation's share of a joint application (the whole of its own one)."""
    if line.kind != "application" or application is None:
        amount = line.amount_ore or 0
        return IncomeRow(line, "planned", amount, amount)
    if application.stage in WON_STAGES:
        kept = max(0, (application.amount_granted_ore or 0) - (application.reclaimed_ore or 0)) * share_bp // WHOLE_BP
        amount = min(line.amount_ore, kept) if line.amount_ore is not None else kept
        return IncomeRow(line, "granted", amount, amount)
    asked = (application.amount_requested_ore or 0) * share_bp // WHOLE_BP
    asked = line.amount_ore if line.amount_ore is not None else asked
    if application.stage in OPEN_STAGES:
        chance = settings.probability(application.stage)
        return IncomeRow(line, "pending", asked, weighted(asked, chance), chance)
    return IncomeRow(line, "lost", asked, 0)


def mosaics(projects: list[Project], settings: ReportSettings) -> dict[int, Mosaic]:
    """Each project's mosaic, from one query of all their lines with their applications."""
    found = {project.id: Mosaic(project, [], []) for project in projects}
    if not found:
        return {}
    lines = (
        BudgetLine.select(BudgetLine, Application, Funder)
        .join(Application, JOIN.LEFT_OUTER, on=(BudgetLine.application == Application.id))
        .join(Funder, JOIN.LEFT_OUTER)
        .where(BudgetLine.project.in_(list(found)))
        .order_by(BudgetLine.position, BudgetLine.id)
    )
    lines = list(lines)
    joint = Partner.select().where(Partner.application.in_([line.application_id for line in lines if line.application_id]))
    partner_shares = {(p.application_id, p.organisation_id): p.share_bp for p in joint}
    taken: dict[int, int] = {}
    for (application_id, _), share in partner_shares.items():
        taken[application_id] = taken.get(application_id, 0) + share
    for line in lines:
        mosaic = found[line.project_id]
        line.project = mosaic.project
        if line.side == "cost":
            mosaic.costs.append(line)
            continue
        application = line.application if line.application_id else None
        share = WHOLE_BP
        if application is not None and application.organisation_id != mosaic.project.organisation_id:
            share = partner_shares.get((application.id, mosaic.project.organisation_id), 0)
        elif application is not None:
            share = WHOLE_BP - taken.get(application.id, 0)
        row = _income_row(line, application, share, settings)
        mosaic.income.append(row)
        if line.covers_id:
            mosaic.covering.setdefault(line.covers_id, []).append(row)
    return found


def mosaic(project: Project, settings: ReportSettings) -> Mosaic:
    return mosaics([project], settings)[project.id]
