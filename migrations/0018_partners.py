"""Joint applications: the partner organisations of an application, each with its share of the budget."""

from peewee import *


def up(migrator, db):
    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

    class Organisation(Model):
        class Meta:
            database = db
            table_name = "organisation"

    class Partner(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="RESTRICT")
        share_bp = IntegerField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "partner"
            indexes = ((("application", "organisation"), True),)

    db.create_tables([Partner])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("partner"))
