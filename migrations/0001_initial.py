"""The first schema: organisations, users, audit, funders, applications, stage history, deadlines."""

from peewee import *


def up(migrator, db):
    class Organisation(Model):
        name = CharField(unique=True)
        kind = CharField(default="enterprise")
        cvr_number = CharField(null=True)
        description = TextField(default="")
        website = CharField(default="")
        interests = TextField(default="[]")
        un_goals = TextField(default="[]")
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "organisation"

    db.create_tables([Organisation])

    class Funder(Model):
        name = CharField(unique=True)
        kind = CharField(default="private_foundation")
        website = CharField(default="")
        description = TextField(default="")
        focus_tags = TextField(default="[]")
        un_goals = TextField(default="[]")
        grant_min_ore = BigIntegerField(null=True)
        grant_max_ore = BigIntegerField(null=True)
        allows_consultant_fees = BooleanField(null=True)
        cooldown_after_grant_months = IntegerField(null=True)
        cooldown_after_rejection_months = IntegerField(null=True)
        notes = TextField(default="")
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "funder"

    db.create_tables([Funder])

    class User(Model):
        email = CharField(unique=True)
        name = CharField()
        password_hash = CharField()
        role = CharField()
        organisation = ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
        language = CharField(default="da")
        active = BooleanField(default=True)
        session_version = IntegerField(default=1)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user"

    db.create_tables([User])

    class Application(Model):
        organisation = ForeignKeyField(Organisation, on_delete="RESTRICT")
        funder = ForeignKeyField(Funder, on_delete="RESTRICT")
        title = CharField()
        purpose = TextField(default="")
        amount_requested_ore = BigIntegerField(null=True)
        amount_granted_ore = BigIntegerField(null=True)
        stage = CharField(index=True, default="idea")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        project_start_on = DateField(null=True)
        project_end_on = DateField(null=True)
        cosigned_on = DateField(null=True)
        cosigned_by = CharField(default="")
        notes = TextField(default="")
        submitted_on = DateField(index=True, null=True)
        decided_on = DateField(index=True, null=True)
        stage_changed_at = DateTimeField()
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "application"

    db.create_tables([Application])

    class AuditEntry(Model):
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        changed_at = DateTimeField(index=True)
        table = CharField()
        record_id = IntegerField()
        action = CharField()
        changes = TextField(default="{}")

        class Meta:
            database = db
            table_name = "audit_entry"
            indexes = ((("table", "record_id"), False),)

    db.create_tables([AuditEntry])

    class Contact(Model):
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        name = CharField()
        email = CharField(default="")
        phone = CharField(default="")
        title = CharField(default="")
        receives_alerts = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "contact"

    db.create_tables([Contact])

    class Deadline(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        kind = CharField(index=True)
        title = CharField(default="")
        due_on = DateField(index=True)
        due_at = DateTimeField(null=True)
        timezone = CharField(default="Europe/Copenhagen")
        done_at = DateTimeField(null=True)
        done_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        notes = TextField(default="")
        sequence = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "deadline"

    db.create_tables([Deadline])

    class FunderContact(Model):
        funder = ForeignKeyField(Funder, on_delete="CASCADE")
        name = CharField()
        email = CharField(default="")
        phone = CharField(default="")
        title = CharField(default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "funder_contact"

    db.create_tables([FunderContact])

    class LoginFailure(Model):
        email = CharField(index=True)
        remote_addr = CharField(index=True, default="")
        failed_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "login_failure"

    db.create_tables([LoginFailure])

    class StageChange(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        from_stage = CharField(null=True)
        to_stage = CharField()
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        changed_at = DateTimeField()
        reason_code = CharField(default="")
        reason = TextField(default="")

        class Meta:
            database = db
            table_name = "stage_change"

    db.create_tables([StageChange])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("stage_change"))
    migrator.migrate(migrator.drop_table("login_failure"))
    migrator.migrate(migrator.drop_table("funder_contact"))
    migrator.migrate(migrator.drop_table("deadline"))
    migrator.migrate(migrator.drop_table("contact"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("application"))
    migrator.migrate(migrator.drop_table("user"))
    migrator.migrate(migrator.drop_table("funder"))
    migrator.migrate(migrator.drop_table("organisation"))
