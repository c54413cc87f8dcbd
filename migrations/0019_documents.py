"""Documents and their versions."""

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

    class Funder(Model):
        class Meta:
            database = db
            table_name = "funder"

    class Organisation(Model):
        class Meta:
            database = db
            table_name = "organisation"

    class Project(Model):
        class Meta:
            database = db
            table_name = "project"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Document(Model):
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
        funder = ForeignKeyField(Funder, null=True, on_delete="CASCADE")
        project = ForeignKeyField(Project, null=True, on_delete="CASCADE")
        deadline = ForeignKeyField(Deadline, null=True, on_delete="CASCADE")
        kind = CharField(default="other")
        name = CharField()
        versions_count = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        removed_at = DateTimeField(index=True, null=True)

        class Meta:
            database = db
            table_name = "document"

    db.create_tables([Document])

    class DocumentVersion(Model):
        document = ForeignKeyField(Document, on_delete="CASCADE")
        number = IntegerField()
        filename = CharField()
        content_type = CharField()
        size = BigIntegerField()
        key = CharField(index=True)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        uploaded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "document_version"
            indexes = ((("document", "number"), True),)

    db.create_tables([DocumentVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("document_version"))
    migrator.migrate(migrator.drop_table("document"))
