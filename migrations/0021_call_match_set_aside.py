"""A call passed on to an organisation may be set aside by it, off its start page."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("call_match", "set_aside_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("call_match", "set_aside_at"))
