"""A contact's address that the mail server refuses for good."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("contact", "bouncing_since", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("contact", "bouncing_since"))
