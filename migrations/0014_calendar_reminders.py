"""Calendar reminders per kind of event, with defaults a subscriber may change or switch off, in place of one
list of reminders for every event. A subscription that had reminders keeps them, for every kind; one without
keeps none."""

import json

from peewee import *

KINDS = ("submission", "internal_draft", "decision_expected", "interim_report", "final_report", "custom", "call", "round")


def up(migrator, db):
    migrator.migrate(migrator.add_column("subscription", "reminders", BooleanField(default=True)))
    migrator.migrate(migrator.add_column("subscription", "reminder_minutes", TextField(default="{}")))
    param = db.param
    for subscription_id, alarms in db.execute_sql("SELECT id, alarm_minutes FROM subscription").fetchall():
        minutes = sorted({int(m) for m in json.loads(alarms or "[]")}, reverse=True)
        chosen = {kind: minutes for kind in KINDS} if minutes else {}
        db.execute_sql(
            f"UPDATE subscription SET reminders = {param}, reminder_minutes = {param} WHERE id = {param}",
            (bool(minutes), json.dumps(chosen, sort_keys=True), subscription_id),
        )
    migrator.migrate(migrator.drop_column("subscription", "alarm_minutes"))


def down(migrator, db):
    migrator.migrate(migrator.add_column("subscription", "alarm_minutes", TextField(default="[]")))
    migrator.migrate(migrator.drop_column("subscription", "reminder_minutes"))
    migrator.migrate(migrator.drop_column("subscription", "reminders"))
