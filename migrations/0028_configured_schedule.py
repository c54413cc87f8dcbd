"""The report schedule that follows the configuration."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("report_schedule", "configured", BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("report_schedule", "configured"))
