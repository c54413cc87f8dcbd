"""`fundtrack files`: that the database and the file storage agree."""

import click
from flask import current_app
from flask.cli import AppGroup

from fundtrack.db import db
from fundtrack.documents import services
from fundtrack.storage import StorageError

group = AppGroup("files", help="The stored files of documents.")


@group.command("check")
def check():
    """Check that every document version has its bytes in the storage, and that the storage holds nothing else.

    Exits with status 1 when something is missing or left over, so that monitoring can run it."""
    storage = current_app.extensions["fundtrack.storage"]
    with db.connection_context():
        try:
            result = services.check_storage(storage)
        except StorageError as error:
            raise click.ClickException(str(error)) from None
    for version in result.missing:
        click.echo(f"missing: version {version.number} of document {version.document_id} ({version.filename}), key {version.key}")
    for key in result.orphans:
        click.echo(f"not in the database: {key}")
    click.echo(
        f"{result.checked} versions checked, {len(result.missing)} missing, {len(result.orphans)} stored files without a version."
    )
    if not result.ok:
        raise SystemExit(1)
