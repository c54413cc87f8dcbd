"""Change-theory checklists: versioned templates, answers, and outcomes reported after a grant."""

from peewee import *


def up(migrator, db):
    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

    class Deadline(Model):
        class Meta:
            database = db
            table_name = "deadline"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class ChecklistTemplate(Model):
        name = CharField()
        version = IntegerField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "checklist_template"
            indexes = ((("name", "version"), True),)

    db.create_tables([ChecklistTemplate])

    class Checklist(Model):
        application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
        template = ForeignKeyField(ChecklistTemplate, on_delete="RESTRICT")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "checklist"

    db.create_tables([Checklist])

    class TemplateItem(Model):
        template = ForeignKeyField(ChecklistTemplate, on_delete="CASCADE")
        code = CharField()
        section_da = CharField()
        section_en = CharField()
        position = IntegerField()
        label_da = TextField()
        label_en = TextField()
        help_da = TextField(default="")
        help_en = TextField(default="")
        kind = CharField(default="text")
        required = BooleanField(default=True)
        indicator = CharField(default="")

        class Meta:
            database = db
            table_name = "template_item"
            indexes = ((("template", "code"), True),)

    db.create_tables([TemplateItem])

    class Answer(Model):
        checklist = ForeignKeyField(Checklist, on_delete="CASCADE")
        item = ForeignKeyField(TemplateItem, on_delete="CASCADE")
        status = CharField(default="missing")
        text = TextField(default="")
        number = DecimalField(null=True, max_digits=14, decimal_places=2)
        source = TextField(default="")
        reason = TextField(default="")
        un_goals = TextField(default="[]")
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "answer"
            indexes = ((("checklist", "item"), True),)

    db.create_tables([Answer])

    class Outcome(Model):
        checklist = ForeignKeyField(Checklist, on_delete="CASCADE")
        item = ForeignKeyField(TemplateItem, on_delete="CASCADE")
        deadline = ForeignKeyField(Deadline, on_delete="CASCADE")
        indicator = CharField()
        value = DecimalField(max_digits=14, decimal_places=2)
        note = TextField(default="")
        recorded_at = DateTimeField()
        recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "outcome"
            indexes = ((("deadline", "item"), True),)

    db.create_tables([Outcome])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("outcome"))
    migrator.migrate(migrator.drop_table("answer"))
    migrator.migrate(migrator.drop_table("template_item"))
    migrator.migrate(migrator.drop_table("checklist"))
    migrator.migrate(migrator.drop_table("checklist_template"))
