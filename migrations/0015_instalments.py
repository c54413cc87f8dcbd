"""Payment schedules: instalments of a grant, each reclaim as an entry of its own, and a funder's usual
instalments. A reclaim recorded before is kept as one entry on its day (or the decision's, when it had none).
Grants won before get no schedule by themselves: their page offers one to propose (a schedule invented for
them would send reminders of money long since paid)."""

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

    class Instalment(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        planned_on = DateField(index=True)
        planned_ore = BigIntegerField()
        condition = CharField(default="")
        received_on = DateField(index=True, null=True)
        received_ore = BigIntegerField(null=True)
        deadline = ForeignKeyField(Deadline, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "instalment"

    db.create_tables([Instalment])

    class Reclaim(Model):
        application = ForeignKeyField(Application, on_delete="CASCADE")
        amount_ore = BigIntegerField()
        reclaimed_on = DateField(index=True)
        reason = TextField(default="")
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "reclaim"

    db.create_tables([Reclaim])

    migrator.migrate(migrator.add_column("funder", "instalment_shares", TextField(default="[]")))

    param = db.param
    rows = db.execute_sql(
        "SELECT id, reclaimed_ore, reclaimed_on, decided_on, updated_at FROM application WHERE reclaimed_ore > 0"
    ).fetchall()
    for application_id, amount, reclaimed_on, decided_on, updated_at in rows:
        db.execute_sql(
            f"INSERT INTO reclaim (application_id, amount_ore, reclaimed_on, reason, created_at) "
            f"VALUES ({param}, {param}, {param}, '', {param})",
            (application_id, amount, reclaimed_on or decided_on or str(updated_at)[:10], updated_at),
        )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("funder", "instalment_shares"))
    migrator.migrate(migrator.drop_table("reclaim"))
    migrator.migrate(migrator.drop_table("instalment"))
