"""Feed sources, open calls with their deadlines, changes and matches; organisation keywords."""

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

    class FeedSource(Model):
        name = CharField()
        url = CharField(unique=True)
        final_url = CharField(default="")
        active = BooleanField(default=True)
        interval_minutes = IntegerField(default=360)
        etag = CharField(default="")
        last_modified = CharField(default="")
        last_fetch_at = DateTimeField(null=True)
        last_success_at = DateTimeField(null=True)
        next_fetch_at = DateTimeField(index=True, null=True)
        consecutive_failures = IntegerField(default=0)
        last_error = TextField(null=True)
        last_warning = TextField(null=True)
        last_result = TextField(default="{}")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "feed_source"

    db.create_tables([FeedSource])

    class Call(Model):
        identity = CharField(unique=True)
        source = ForeignKeyField(FeedSource, null=True, on_delete="SET NULL")
        funder = ForeignKeyField(Funder, null=True, on_delete="SET NULL")
        funder_name = CharField(default="")
        title = CharField()
        link = CharField(default="")
        summary = TextField(default="")
        summary_text = TextField(default="")
        published_at = DateTimeField(null=True)
        rolling = BooleanField(default=False)
        un_goals = TextField(default="[]")
        status = CharField(index=True, default="new")
        application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
        content_hash = CharField(default="")
        first_seen_at = DateTimeField()
        last_seen_at = DateTimeField()
        updated_at = DateTimeField()
        dismissed_at = DateTimeField(null=True)
        dismissed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "call"

    db.create_tables([Call])

    class CallChange(Model):
        call = ForeignKeyField(Call, on_delete="CASCADE")
        changed_at = DateTimeField()
        field = CharField()
        old = TextField(default="")
        new = TextField(default="")

        class Meta:
            database = db
            table_name = "call_change"

    db.create_tables([CallChange])

    class CallDeadline(Model):
        call = ForeignKeyField(Call, on_delete="CASCADE")
        due_on = DateField(index=True)
        due_at = DateTimeField(null=True)
        timezone = CharField(default="Europe/Copenhagen")
        found_in = CharField(default="")

        class Meta:
            database = db
            table_name = "call_deadline"

    db.create_tables([CallDeadline])

    class CallMatch(Model):
        call = ForeignKeyField(Call, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        reasons = TextField(default="[]")
        matched_at = DateTimeField()
        notified_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "call_match"
            indexes = ((("call", "organisation"), True),)

    db.create_tables([CallMatch])

    migrator.migrate(migrator.add_column("organisation", "keywords", TextField(default="[]")))
    migrator.migrate(migrator.add_column("organisation", "excluded_words", TextField(default="[]")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("organisation", "excluded_words"))
    migrator.migrate(migrator.drop_column("organisation", "keywords"))
    migrator.migrate(migrator.drop_table("call_match"))
    migrator.migrate(migrator.drop_table("call_deadline"))
    migrator.migrate(migrator.drop_table("call_change"))
    migrator.migrate(migrator.drop_table("call"))
    migrator.migrate(migrator.drop_table("feed_source"))
