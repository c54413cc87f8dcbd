"""`fundtrack calendars`: calendar subscription addresses from the command line."""

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from fundtrack import clock
from fundtrack.auth.models import User
from fundtrack.calendars import services
from fundtrack.calendars.models import Subscription
from fundtrack.console import settings
from fundtrack.db import db
from fundtrack.organisations.services import organisation_by_name

group = AppGroup("calendars", help="Calendar subscription addresses.")


@group.command("issue")
@click.option("--organisation", "organisation_name", help="A calendar for this organisation (by name).")
@click.option("--user", "email", help="A calendar for this user (by e-mail).")
@click.option("--name", default="", help="The calendar's name in calendar programs.")
@click.option("--language", type=click.Choice(["da", "en"]), help="Language of the events (default: the user's, else Danish).")
def issue(organisation_name, email, name, language):
    """Issue a secret calendar address and print it (it is not stored and cannot be shown again)."""
    if bool(organisation_name) == bool(email):
        raise click.UsageError("Give exactly one of --organisation and --user.")
    with db.connection_context():
        organisation = user = None
        if organisation_name:
            organisation = organisation_by_name(organisation_name)
            if organisation is None:
                raise click.ClickException(f"No organisation is called {organisation_name!r}.")
        else:
            user = User.get_or_none(User.email == email.strip().lower())
            if user is None:
                raise click.ClickException(f"No user has the e-mail {email!r}.")
        subscription, token = services.issue(
            organisation=organisation,
            user=user,
            name=name,
            language=language or (user.language if user else "da"),
            now=clock.now(),
        )
    base = settings().app.base_url.rstrip("/")
    with current_app.test_request_context():
        path = url_for("calendars.feed", token=token)
    click.echo(f"Calendar {subscription.id}: {base}{path}")
    click.echo(f"webcal://{(base + path).split('://', 1)[1]}")


@group.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id):
    """Revoke a calendar address by its number (shown by `calendars issue` and `calendars list`)."""
    with db.connection_context():
        subscription = Subscription.get_or_none(Subscription.id == token_id)
        if subscription is None or subscription.revoked_at is not None:
            raise click.ClickException(f"No live calendar {token_id}.")
        services.revoke(subscription, now=clock.now())
    click.echo(f"Calendar {token_id} is revoked.")


@group.command("list")
def list_calendars():
    """List calendar addresses, with whom they are for and when they were made."""
    everyone = User(role="fundraiser")  # the command line sees every calendar
    with db.connection_context():
        for s in services.listed_for(everyone):
            owner = s.organisation.name if s.organisation_id else s.user.email
            click.echo(f"{s.id:>4}  live     {owner:<30} made {s.created_at.isoformat(timespec='minutes')}")
