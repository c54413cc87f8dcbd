"""The reminder outbox, the scheduler lease, and users' reminder preferences."""

from peewee import *


def up(migrator, db):
    class Deadline(Model):
        class Meta:
            database = db
            table_name = "deadline"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Alert(Model):
        key = CharField(unique=True)
        kind = CharField(default="deadline")
        deadline = ForeignKeyField(Deadline, null=True, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        email = CharField()
        language = CharField(default="da")
        digest = BooleanField(default=False)
        due_on = DateField(null=True)
        days = IntegerField(default=0)
        rule = CharField(default="")
        planned_on = DateField(index=True)
        payload = TextField(null=True)
        status = CharField(index=True, default="pending")
        late = BooleanField(default=False)
        claim_token = CharField(index=True, null=True)
        claimed_at = DateTimeField(null=True)
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(null=True)
        last_error = TextField(default="")
        sent_at = DateTimeField(null=True)
        read_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "alert"

    db.create_tables([Alert])

    class SchedulerLease(Model):
        name = CharField(unique=True)
        holder = CharField(default="")
        expires_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "scheduler_lease"

    db.create_tables([SchedulerLease])

    migrator.migrate(migrator.add_column("user", "alert_mode", CharField(default="immediate")))
    migrator.migrate(migrator.add_column("user", "alert_opt_out", TextField(default="[]")))
    migrator.migrate(migrator.add_column("deadline", "alerts_planned_on", DateField(null=True, index=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("deadline", "alerts_planned_on"))
    migrator.migrate(migrator.drop_column("user", "alert_opt_out"))
    migrator.migrate(migrator.drop_column("user", "alert_mode"))
    migrator.migrate(migrator.drop_table("scheduler_lease"))
    migrator.migrate(migrator.drop_table("alert"))
