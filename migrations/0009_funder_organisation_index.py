"""An index on (funder, organisation): earlier grants of the same pair, for relationships and overviews."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("application", ("funder_id", "organisation_id")))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("application", "application_funder_id_organisation_id"))
