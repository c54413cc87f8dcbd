"""Report schedules, and the schedule that sent a version."""

from peewee import *


def up(migrator, db):
    class ReportSchedule(Model):
        name = CharField()
        period_kind = CharField(default="Q")
        days_after = IntegerField(default=10)
        to_viewers = BooleanField(default=True)
        addresses = TextField(default="[]")
        language = CharField(default="da")
        with_fees = BooleanField(default=False)
        active = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "report_schedule"

    db.create_tables([ReportSchedule])
    migrator.migrate(
        migrator.add_column("report_version", "schedule_id", IntegerField(null=True)),
        migrator.add_index("report_version", ("schedule_id",), False),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("report_version", "schedule_id"), migrator.drop_table("report_schedule"))
