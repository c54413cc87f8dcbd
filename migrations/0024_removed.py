"""Copies of removed rows, kept a day so that a removal can be undone."""

from peewee import *


def up(migrator, db):
    class Removed(Model):
        table = CharField(max_length=100)
        record_id = IntegerField()
        copy = TextField()
        removed_by = IntegerField(null=True)
        removed_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "removed"

    db.create_tables([Removed])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("removed"))
