"""Comments on applications, funders and organisations, with the users they mention."""

from peewee import *


def up(migrator, db):
    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

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

    class Comment(Model):
        application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
        funder = ForeignKeyField(Funder, null=True, on_delete="CASCADE")
        about = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        author_name = CharField(default="")
        body = TextField()
        mentioned = TextField(default="[]")
        created_at = DateTimeField()
        removed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "comment"

    db.create_tables([Comment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("comment"))
