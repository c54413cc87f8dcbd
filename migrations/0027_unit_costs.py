"""The unit's cost per period, for the business case of the funding overview."""

from peewee import *


def up(migrator, db):
    class UnitCost(Model):
        period = CharField(unique=True)
        amount_ore = BigIntegerField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "unit_cost"

    db.create_tables([UnitCost])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("unit_cost"))
