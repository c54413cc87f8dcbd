"""Projects and their budgets: the funding mosaic of an organisation's business idea or pilot."""

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

    class Project(Model):
        organisation = ForeignKeyField(Organisation, on_delete="RESTRICT")
        name = CharField()
        description = TextField(default="")
        start_on = DateField(null=True)
        end_on = DateField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "project"

    db.create_tables([Project])

    class BudgetLine(Model):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        side = CharField()
        kind = CharField(default="")
        label = CharField(default="")
        amount_ore = BigIntegerField(null=True)
        application = ForeignKeyField(Application, unique=True, null=True, on_delete="CASCADE")
        covers = ForeignKeyField("self", null=True, on_delete="SET NULL")
        position = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "budget_line"

    db.create_tables([BudgetLine])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("budget_line"))
    migrator.migrate(migrator.drop_table("project"))
