"""Funding rounds, report defaults, money received and reclaimed, the fee ledger, pending imports."""

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

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Round(Model):
        funder = ForeignKeyField(Funder, on_delete="CASCADE")
        name = CharField()
        kind = CharField(default="yearly")
        yearly_dates = CharField(default="")
        month_day = IntegerField(null=True)
        rule = CharField(default="")
        once_on = DateField(null=True)
        deadline_time = CharField(default="")
        active = BooleanField(default=True)
        notes = TextField(default="")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "round"

    db.create_tables([Round])

    class FeeAgreement(Model):
        application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
        kind = CharField(default="percent")
        percent_bp = IntegerField(null=True)
        minimum_ore = BigIntegerField(null=True)
        cap_ore = BigIntegerField(null=True)
        fixed_ore = BigIntegerField(null=True)
        trigger = CharField(default="award_letter")
        status = CharField(index=True, default="not_due")
        amount_ore = BigIntegerField(default=0)
        due_on = DateField(null=True)
        invoice_number = CharField(default="")
        invoiced_on = DateField(null=True)
        paid_on = DateField(null=True)
        written_off_on = DateField(null=True)
        notes = TextField(default="")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "fee_agreement"

    db.create_tables([FeeAgreement])

    class FeeEntry(Model):
        agreement = ForeignKeyField(FeeAgreement, on_delete="CASCADE")
        kind = CharField()
        amount_ore = BigIntegerField()
        booked_on = DateField(index=True)
        note = TextField(default="")
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "fee_entry"

    db.create_tables([FeeEntry])

    class PendingImport(Model):
        user = ForeignKeyField(User, on_delete="CASCADE")
        entity = CharField()
        filename = CharField()
        content = BlobField()
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "pending_import"

    db.create_tables([PendingImport])

    migrator.migrate(migrator.add_column("funder", "interim_report_months", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("funder", "final_report_months", IntegerField(null=True, default=3)))
    migrator.migrate(
        migrator.add_column("application", "round_id", ForeignKeyField(Round, field=Round.id, null=True, on_delete="SET NULL"))
    )
    migrator.migrate(migrator.add_column("application", "money_received_on", DateField(null=True)))
    migrator.migrate(migrator.add_column("application", "reclaimed_ore", BigIntegerField(default=0)))
    migrator.migrate(migrator.add_column("application", "reclaimed_on", DateField(null=True)))
    migrator.migrate(migrator.add_column("deadline", "deleted_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("deadline", "deleted_at"))
    migrator.migrate(migrator.drop_index("application", "application_round_id"))
    migrator.migrate(migrator.drop_column("application", "reclaimed_on"))
    migrator.migrate(migrator.drop_column("application", "reclaimed_ore"))
    migrator.migrate(migrator.drop_column("application", "money_received_on"))
    migrator.migrate(migrator.drop_column("application", "round_id"))
    migrator.migrate(migrator.drop_column("funder", "final_report_months"))
    migrator.migrate(migrator.drop_column("funder", "interim_report_months"))
    migrator.migrate(migrator.drop_table("pending_import"))
    migrator.migrate(migrator.drop_table("fee_entry"))
    migrator.migrate(migrator.drop_table("fee_agreement"))
    migrator.migrate(migrator.drop_table("round"))
