"""`fundtrack reports`: the funding overview as a file, from the command line."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from fundtrack.console import settings, write_output
from fundtrack.db import db
from fundtrack.organisations.services import organisation_by_name
from fundtrack.periods import PeriodError, parse_period
from fundtrack.reports import render
from fundtrack.reports.pdf import PdfUnavailable

group = AppGroup("reports", help="Funding overviews for the committee and the annual report.")


@group.command("quarterly")
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "xlsx", "csv", "json"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--organisation", help="Only this organisation (by name).")
@click.option("--language", type=click.Choice(["da", "en"]), help="Language of the labels (default: app.default_language).")
@click.option("--with-fees", is_flag=True, help="Include the fundraiser's fees (leave out for reports that go to others).")
def quarterly(period, fmt, output, organisation, language, with_fees):
    """The overview of a quarter (2026-Q3), a half-year (2026-H2) or a year (2026).

    HTML is a standalone document, PDF the same document on A4 (with WeasyPrint installed); their numbers
    link to the application lists at app.base_url. PERIOD may be written in words: "3. kvartal 2026",
    "Q3 2026", "2. halvår 2026", "H2 2026", "2026".
    """
    try:
        chosen = parse_period(period)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="PERIOD") from None
    current = settings()
    # A request context, so that links point at the installation; its teardown closes the connection.
    with current_app.test_request_context(base_url=current.app.base_url), force_locale(language or current.app.default_language):
        db.connect(reuse_if_open=True)
        found = organisation_by_name(organisation) if organisation else None
        if organisation and found is None:
            raise click.BadParameter(f"no organisation is called {organisation!r}", param_hint="--organisation")
        overview = render.build(chosen, found, with_fees=with_fees)
        try:
            body = render.render_file(overview, fmt)
        except PdfUnavailable as error:
            raise click.ClickException(str(error)) from None
    write_output(body, output, f"Wrote the overview of {chosen.code} to {output}.")
