"""Tasks and the templates that add them to new deadlines."""

from peewee import *


def up(migrator, db):
    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

    class Contact(Model):
        class Meta:
            database = db
            table_name = "contact"

    class Deadline(Model):
        class Meta:
            database = db
            table_name = "deadline"

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

    class TaskTemplate(Model):
        deadline_kind = CharField(index=True)
        title = CharField()
        days_before = IntegerField(default=0)
        assign_to = CharField(default="owner")
        position = IntegerField(default=0)
        active = BooleanField(default=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "task_template"

    db.create_tables([TaskTemplate])

    class Task(Model):
        title = CharField()
        notes = TextField(default="")
        due_on = DateField(index=True)
        assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
        contact = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
        deadline = ForeignKeyField(Deadline, null=True, on_delete="CASCADE")
        funder = ForeignKeyField(Funder, null=True, on_delete="CASCADE")
        template = ForeignKeyField(TaskTemplate, null=True, on_delete="SET NULL")
        done_at = DateTimeField(index=True, null=True)
        done_by = CharField(default="")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "task"

    db.create_tables([Task])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("task"))
    migrator.migrate(migrator.drop_table("task_template"))
