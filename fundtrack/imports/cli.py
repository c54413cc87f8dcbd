"""`fundtrack import` and `fundtrack export`: spreadsheets of every kind of record, from the command line."""

from pathlib import Path

import click

from fundtrack import clock, spreadsheets
from fundtrack.applications import transfer as applications
from fundtrack.applications.models import Application
from fundtrack.auth.models import User
from fundtrack.console import settings, write_output
from fundtrack.db import db
from fundtrack.deadlines import transfer as deadlines
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import visible_deadlines
from fundtrack.feeds import transfer as calls
from fundtrack.feeds.models import Call
from fundtrack.funders import transfer as funders
from fundtrack.funders.models import Funder
from fundtrack.importing import preview, run_import
from fundtrack.imports.services import importers
from fundtrack.instalments import transfer as instalments
from fundtrack.organisations import transfer as organisations
from fundtrack.organisations.models import Organisation
from fundtrack.projects import transfer as project_records
from fundtrack.projects.models import BudgetLine, Project
from fundtrack.relationships import services as relationships
from fundtrack.relationships import transfer as relationship_records

EXPORTABLE = (
    "funders",
    "organisations",
    "applications",
    "deadlines",
    "instalments",
    "projects",
    "project-budgets",
    "relationships",
    "calls",
)
EVERYONE = User(role="fundraiser")  # the command line sees every record


@click.command("import")
@click.argument("entity", type=click.Choice(["funders", "organisations", "applications", "instalments", "projects"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be imported, writing nothing.")
def import_command(entity, file, dry_run):
    """Import funders, organisations, applications, instalments or project budgets from a spreadsheet (CSV or
    XLSX); all rows or none. Funders and organisations an application sheet names and fundtrack does not know are
    created with it."""
    data = Path(file).read_bytes()
    importer = importers()[entity]
    with db.connection_context():
        checked = preview(importer, data, Path(file).name)
        for row in checked.rows:
            click.echo(f"row {row.row:>4}: {row.action:<6} {row.summary}" + (f" ({row.label})" if row.label else ""))
        for new in checked.new_records:
            similar = f" (similar: {', '.join(name for _, name in new.similar)})" if new.similar else ""
            click.echo(f"new {new.kind}: {new.name}{similar}")
        for error in checked.errors:
            where = f"row {error.row}" if error.row else "file"
            message = error.message % error.params if error.params else error.message
            click.echo(f"{where}, column {error.column!r}: {message}", err=True)
        if not checked.valid:
            raise click.ClickException(f"{len(checked.errors)} errors; nothing was imported.")
        if dry_run:
            click.echo(f"{len(checked.rows)} rows would be imported (dry run: nothing written).")
            return
        count = run_import(importer, data, Path(file).name, actor=None, now=clock.now())
    click.echo(f"Imported {count} {entity}.")


@click.command("export")
@click.argument("entity", type=click.Choice(EXPORTABLE))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_command(entity, fmt, output):
    """Export funders, organisations, applications, deadlines, instalments, projects (with their budgets' totals),
    project budgets (one line a row), relationships or calls as CSV, XLSX or JSON."""
    with db.connection_context():
        records, columns = export_records(entity)
        body = spreadsheets.export_bytes(records, columns, fmt, entity)
    write_output(body, output, f"Wrote {len(records)} {entity} to {output}.")


def export_records(entity: str):
    """Every record of `entity` as the fundraiser sees it, and its columns."""
    if entity == "funders":
        return funders.export_funders(Funder.select().order_by(Funder.name)), funders.EXPORT_COLUMNS
    if entity == "organisations":
        return (
            organisations.export_organisations(Organisation.select().order_by(Organisation.name)),
            organisations.EXPORT_COLUMNS,
        )
    if entity == "calls":
        return calls.export_calls(Call.select().order_by(Call.id)), calls.EXPORT_COLUMNS
    if entity == "relationships":
        rows = relationships.everything(EVERYONE, clock.today(), settings().relationships)
        return relationship_records.export_relationships(rows), relationship_records.EXPORT_COLUMNS
    if entity == "applications":
        return (
            applications.export_applications(Application.select().order_by(Application.id), shows_notes=lambda a: True),
            applications.EXPORT_COLUMNS,
        )
    if entity == "projects":
        projects = list(Project.select().order_by(Project.name))
        return project_records.export_projects(projects, settings().reports), project_records.EXPORT_COLUMNS
    if entity == "project-budgets":
        return project_records.export_lines(BudgetLine.select()), project_records.LINE_COLUMNS
    if entity == "instalments":
        return instalments.export_instalments(instalments.visible_instalments(EVERYONE)), instalments.EXPORT_COLUMNS
    query = visible_deadlines(EVERYONE).order_by(Deadline.due_on, Deadline.id)
    return deadlines.export_deadlines(query), deadlines.EXPORT_COLUMNS
