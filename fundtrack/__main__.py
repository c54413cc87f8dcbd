"""`python -m fundtrack` runs the command line."""

from fundtrack.cli import cli

cli()
