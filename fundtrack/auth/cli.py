"""`fundtrack users`: user accounts from the command line."""

import click
from flask.cli import AppGroup

from fundtrack import clock
from fundtrack.auth.models import User
from fundtrack.auth.services import create_user
from fundtrack.db import db
from fundtrack.organisations.services import organisation_by_name
from fundtrack.validation import ValidationError

group = AppGroup("users", help="User accounts.")


@group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["fundraiser", "member", "viewer"]))
@click.option("--organisation", "organisation_name", help="The member's organisation (by name).")
@click.option("--name", help="Full name (default: the part of the e-mail before @).")
@click.option("--language", default="da", type=click.Choice(["da", "en"]), show_default=True)
@click.password_option(help="The password (asked for when not given).")
def add(email, role, organisation_name, name, language, password):
    """Create an account."""
    with db.connection_context():
        organisation = None
        if organisation_name:
            organisation = organisation_by_name(organisation_name)
            if organisation is None:
                raise click.ClickException(f"No organisation is called {organisation_name!r}.")
        try:
            user = create_user(
                email, name or email.split("@")[0], role, password, organisation=organisation, language=language, now=clock.now()
            )
        except ValidationError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.email} ({user.role}).")


@group.command("list")
def list_users():
    """List accounts."""
    with db.connection_context():
        for user in User.select().order_by(User.email):
            state = "" if user.active else " (deactivated)"
            click.echo(f"{user.email:<32} {user.role:<11} {user.name}{state}")
