"""Funder relationships (Den Gyldne Donation) and their interaction log."""

from peewee import *


def up(migrator, db):
    class Funder(Model):
        class Meta:
            database = db
            table_name = "funder"

    class Organisation(Model):
        class Meta:
            database = db
            table_name = "organisation"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Relationship(Model):
        funder = ForeignKeyField(Funder, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        steward = ForeignKeyField(User, null=True, on_delete="SET NULL")
        next_step = TextField(default="")
        next_step_on = DateField(null=True)
        notes = TextField(default="")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "relationship"
            indexes = ((("funder", "organisation"), True),)

    db.create_tables([Relationship])

    class Interaction(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        kind = CharField()
        happened_on = DateField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        text = TextField(default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "interaction"

    db.create_tables([Interaction])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("interaction"))
    migrator.migrate(migrator.drop_table("relationship"))
