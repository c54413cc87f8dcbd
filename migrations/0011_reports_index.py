# The reliability figures read reports due in a period from the index alone (no table lookups).
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.drop_index("deadline", "deadline_kind_due_on"))
    migrator.migrate(migrator.add_index("deadline", ("kind", "due_on", "deleted_at", "done_on", "application_id")))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("deadline", "deadline_kind_due_on_deleted_at_done_on_application_id"))
    migrator.migrate(migrator.add_index("deadline", ("kind", "due_on")))
