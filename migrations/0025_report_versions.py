"""Report versions: each overview sent or handed to the committee, kept unchanged."""

from peewee import *


def up(migrator, db):
    class ReportVersion(Model):
        period = CharField(index=True)
        organisation_id = IntegerField(null=True)
        organisation_name = CharField(default="")
        with_fees = BooleanField(default=False)
        language = CharField(default="da")
        occasion = CharField()
        recipients = TextField(default="[]")
        made_at = DateTimeField(index=True)
        made_by_id = IntegerField(null=True)
        made_by_name = CharField(default="")
        figures = TextField(default="{}")
        document = BlobField()
        pdf = BlobField()
        pdf_sha256 = CharField()

        class Meta:
            database = db
            table_name = "report_version"

    db.create_tables([ReportVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("report_version"))
