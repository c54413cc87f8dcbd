"""Indexes for the board (stage, last move) and for open deadlines by date."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("application", ("stage", "stage_changed_at")))
    migrator.migrate(migrator.add_index("deadline", ("done_at", "due_on")))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("deadline", "deadline_done_at_due_on"))
    migrator.migrate(migrator.drop_index("application", "application_stage_stage_changed_at"))
