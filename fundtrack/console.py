"""Pieces shared by the commands of every domain."""

from __future__ import annotations

import click
from flask import current_app

from fundtrack.config import Settings


def settings() -> Settings:
    """The running installation's settings, inside a command."""
    return current_app.extensions["fundtrack.settings"]


def write_output(body: bytes, output: str | None, done: str) -> None:
    """Write `body` to the file `output` and say so on stderr, or to standard output when there is none."""
    if output:
        with open(output, "wb") as fh:
            fh.write(body)
        click.echo(done, err=True)
    else:
        click.echo(body, nl=False)


def plain(record: dict | None) -> str:
    """A message kept as {"message": msgid, "params": {...}}, in English, for a terminal."""
    if not record:
        return ""
    return record["message"] % record["params"] if record.get("params") else record["message"]
