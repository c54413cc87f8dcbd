"""One-way domains: one contact table for organisations and funders, the record of every change without a
tie to the users' table, relationships that carry their figures, calls matched by a job, the default
checklist template written once, and no time zone per deadline or poll count per calendar.

Data moves with the schema: funder contacts join the contacts, existing changes are placed on their pages,
every pair with an application gets its relationship (its figures are computed right after the upgrade),
and decided applications without a decision day get the local day of their last move.
"""

import datetime
from zoneinfo import ZoneInfo

from peewee import *


def _drop_foreign_key(migrator, db, table, column):
    """Keep the column, drop its tie to another table (SQLite rebuilds the table to do it)."""
    if isinstance(db, PostgresqlDatabase):
        migrator.migrate(migrator.drop_foreign_key_constraint(table, column))
        return
    migrator.migrate(migrator.add_column(table, column + "_plain", IntegerField(null=True)))
    db.execute_sql(f'UPDATE "{table}" SET "{column}_plain" = "{column}"')
    migrator.migrate(migrator.drop_column(table, column, legacy=True))
    migrator.migrate(migrator.rename_column(table, column + "_plain", column))


def up(migrator, db):
    class Funder(Model):
        class Meta:
            database = db
            table_name = "funder"

    epoch = datetime.datetime(2000, 1, 1)

    # Contacts: one table for organisations and funders.
    migrator.migrate(migrator.drop_not_null("contact", "organisation_id"))
    migrator.migrate(
        migrator.add_column("contact", "funder_id", ForeignKeyField(Funder, field=Funder.id, null=True, on_delete="CASCADE"))
    )
    migrator.migrate(migrator.add_column("contact", "updated_at", DateTimeField(default=epoch)))
    db.execute_sql("UPDATE contact SET updated_at = created_at")
    db.execute_sql(
        "INSERT INTO contact (organisation_id, funder_id, name, email, phone, title, receives_alerts, created_at, updated_at) "
        "SELECT NULL, funder_id, name, email, phone, title, %s, created_at, created_at FROM funder_contact ORDER BY id"
        % ("false" if isinstance(db, PostgresqlDatabase) else "0")
    )
    migrator.migrate(migrator.drop_table("funder_contact"))

    # The record of changes: no foreign key to the users, and the page and organisation of each entry.
    _drop_foreign_key(migrator, db, "audit_entry", "actor_id")
    if not isinstance(db, PostgresqlDatabase):  # PostgreSQL keeps the column's index; SQLite's rebuild drops it
        migrator.migrate(migrator.add_index("audit_entry", ("actor_id",), False))
    migrator.migrate(migrator.add_column("audit_entry", "actor_name", CharField(default="")))
    migrator.migrate(migrator.add_column("audit_entry", "record_name", CharField(default="", max_length=500)))
    migrator.migrate(migrator.add_column("audit_entry", "page_table", CharField(default="")))
    migrator.migrate(migrator.add_column("audit_entry", "page_id", IntegerField(default=0)))
    migrator.migrate(migrator.add_column("audit_entry", "organisation_id", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("audit_entry", "private", BooleanField(default=False)))
    db.execute_sql('UPDATE audit_entry SET page_table = "table", page_id = record_id')
    db.execute_sql(
        'UPDATE audit_entry SET actor_name = (SELECT name FROM "user" WHERE "user".id = audit_entry.actor_id) '
        "WHERE actor_id IS NOT NULL"
    )
    db.execute_sql("UPDATE audit_entry SET organisation_id = record_id WHERE \"table\" = 'organisation'")
    db.execute_sql(
        "UPDATE audit_entry SET organisation_id = (SELECT organisation_id FROM application "
        "WHERE application.id = audit_entry.record_id) WHERE \"table\" = 'application'"
    )
    migrator.migrate(migrator.add_index("audit_entry", ("page_table", "page_id", "changed_at"), False))

    # Deadlines are in the installation's zone, and keep the local day they were done; calendars keep no poll
    # count (a GET writes nothing).
    migrator.migrate(migrator.drop_column("deadline", "timezone"))
    migrator.migrate(migrator.add_column("deadline", "done_on", DateField(null=True)))
    migrator.migrate(migrator.add_index("deadline", ("kind", "due_on"), False))
    zone = ZoneInfo("Europe/Copenhagen")
    for deadline_id, done in db.execute_sql("SELECT id, done_at FROM deadline WHERE done_at IS NOT NULL").fetchall():
        if isinstance(done, str):
            done = datetime.datetime.fromisoformat(done)
        day = done.replace(tzinfo=datetime.UTC).astimezone(zone).date()
        db.execute_sql(f"UPDATE deadline SET done_on = {db.param} WHERE id = {db.param}", (day, deadline_id))
    migrator.migrate(migrator.drop_column("subscription", "last_polled_at"))
    migrator.migrate(migrator.drop_column("subscription", "poll_count"))

    # Calls: matched by a job that picks up every call not matched yet; the inbox's order indexed.
    migrator.migrate(migrator.add_column("call", "matched_at", DateTimeField(null=True)))
    db.execute_sql("UPDATE call SET matched_at = first_seen_at")
    migrator.migrate(migrator.add_index("call", ("matched_at",), False))
    migrator.migrate(migrator.add_index("call", ("status", "first_seen_at"), False))
    migrator.migrate(migrator.add_index("call", ("first_seen_at", "id"), False))

    # Relationships carry their figures, their status and their gifts, and exist for every pair with an
    # application (their figures are computed by the catch-up right after the upgrade).
    for name, field in (
        ("gifts", IntegerField(default=0)),
        ("lifetime_ore", BigIntegerField(default=0)),
        ("first_gift_on", DateField(null=True)),
        ("last_gift_on", DateField(null=True)),
        ("last_gift_ore", BigIntegerField(null=True)),
        ("gift_years", IntegerField(default=0)),
        ("gift_rounds", IntegerField(default=0)),
        ("last_rejection_on", DateField(null=True)),
        ("ask_from_on", DateField(null=True)),
        ("cycle_days", IntegerField(null=True)),
        ("status", CharField(default="prospect")),
        ("status_rank", IntegerField(default=1)),
        ("status_until", DateField(null=True)),
        ("sort_key", CharField(default="", max_length=500)),
    ):
        migrator.migrate(migrator.add_column("relationship", name, field))
    for columns in (
        ("last_gift_on",),
        ("status_until",),
        ("status_rank", "sort_key"),
        ("status", "sort_key"),
        ("ask_from_on", "sort_key", "id"),
        ("organisation_id", "status_rank", "sort_key"),
    ):
        migrator.migrate(migrator.add_index("relationship", columns, False))
    db.execute_sql(
        "INSERT INTO relationship (funder_id, organisation_id, next_step, notes, created_at, updated_at, gifts, "
        "lifetime_ore, gift_years, gift_rounds, status, status_rank, sort_key) SELECT funder_id, "
        "organisation_id, '', '', MIN(created_at), MIN(created_at), 0, 0, 0, 0, 'prospect', 1, '' "
        "FROM application WHERE 1 = 1 GROUP BY funder_id, organisation_id "
        "ON CONFLICT (funder_id, organisation_id) DO NOTHING"
    )

    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

    class Organisation(Model):
        class Meta:
            database = db
            table_name = "organisation"

    class Relationship(Model):
        class Meta:
            database = db
            table_name = "relationship"

    class Gift(Model):
        application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        given_on = DateField(index=True)
        amount_ore = BigIntegerField()
        previous_on = DateField(null=True)
        previous_ore = BigIntegerField(null=True)

        class Meta:
            database = db
            table_name = "gift"

    db.create_tables([Gift])

    # A decided application has its decision day: the local day of its last move where it was missing.
    zone = ZoneInfo("Europe/Copenhagen")
    rows = db.execute_sql(
        "SELECT id, stage_changed_at FROM application WHERE decided_on IS NULL AND stage IN "
        "('granted', 'reporting', 'closed', 'rejected', 'withdrawn')"
    ).fetchall()
    for application_id, moved in rows:
        if isinstance(moved, str):
            moved = datetime.datetime.fromisoformat(moved)
        day = moved.replace(tzinfo=datetime.UTC).astimezone(zone).date()
        db.execute_sql(f"UPDATE application SET decided_on = {db.param} WHERE id = {db.param}", (day, application_id))

    # The list's default order.
    migrator.migrate(migrator.add_index("application", ("updated_at", "id"), False))

    # The default checklist template, written once here instead of the first time a page is opened.
    if not db.execute_sql("SELECT 1 FROM checklist_template").fetchone():
        from fundtrack.checklists import defaults  # the template's text is data, read as it is today

        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        cursor = db.execute_sql(
            f"INSERT INTO checklist_template (name, version, created_at, note) VALUES ({db.param}, 1, {db.param}, {db.param})",
            (defaults.NAME, now, ""),
        )
        template_id = db.execute_sql("SELECT id FROM checklist_template WHERE version = 1").fetchone()[0]
        del cursor
        columns = (
            "code",
            "section_da",
            "section_en",
            "label_da",
            "label_en",
            "help_da",
            "help_en",
            "kind",
            "required",
            "indicator",
        )
        marks = ", ".join([db.param] * (len(columns) + 2))
        for position, row in enumerate(defaults.ITEMS, start=1):
            db.execute_sql(
                f"INSERT INTO template_item (template_id, position, {', '.join(columns)}) VALUES ({marks})",
                (template_id, position, *row),
            )


def down(migrator, db):
    raise NotImplementedError("fundtrack migrations go forward only; restore a backup to go back")
