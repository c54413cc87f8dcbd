"""Calendar subscriptions."""

from peewee import *


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = "organisation"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Subscription(Model):
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        name = CharField(default="")
        secret_hash = CharField()
        language = CharField(default="da")
        include_deadlines = BooleanField(default=True)
        include_rounds = BooleanField(default=True)
        include_calls = BooleanField(default=True)
        alarm_minutes = TextField(default="[]")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        last_polled_at = DateTimeField(null=True)
        poll_count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "subscription"

    db.create_tables([Subscription])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("subscription"))
