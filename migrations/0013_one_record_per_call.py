"""Deadlines to trust, one record per call: each source's entry of a call on a row of its own (a call may come
from several sources), the keys that find the same call under another name, the dates a call gives that are
no deadline, corrected deadlines kept beside what the feed says, how a source's numeric dates are read and
which of its link parameters are session tokens, and the fundraiser's words for the UN goals.

Existing calls keep their names: each becomes its source's entry, and its link and title keys and the
feed's deadlines are written from what is stored.
"""

import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from peewee import *

TRACKING = ("sid", "sessionid", "session_id", "phpsessid", "jsessionid", "token", "fbclid", "gclid")


def _link_key(url):
    parts = urlsplit((url or "").strip())
    if not parts.scheme:
        return (url or "").strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(("utm_", "mc_")) and k.lower() not in TRACKING
    ]
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), parts.path or "/", urlencode(sorted(query)), ""))[
        :1000
    ]


def _link_base(url):
    parts = urlsplit((url or "").strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path or '/'}" if parts.scheme else ""


def _utc_iso(value):
    """A stored UTC moment (naive) as ISO 8601 with its offset."""
    if value is None:
        return None
    text = value.isoformat(sep="T") if hasattr(value, "isoformat") else str(value).replace(" ", "T")
    return text[:19] + "+00:00"


def _title_key(text):
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").lower()).split())[:250]


def up(migrator, db):
    class Call(Model):
        class Meta:
            database = db
            table_name = "call"

    class FeedSource(Model):
        class Meta:
            database = db
            table_name = "feed_source"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class CallSource(Model):
        call = ForeignKeyField(Call, on_delete="CASCADE")
        source = ForeignKeyField(FeedSource, on_delete="CASCADE")
        identity = CharField()
        link = CharField(default="")
        link_base = CharField(index=True, default="")
        first_seen_at = DateTimeField()
        last_seen_at = DateTimeField()

        class Meta:
            database = db
            table_name = "call_source"
            indexes = ((("source", "identity"), True), (("call", "source"), True))

    db.create_tables([CallSource])

    class GoalWords(Model):
        goal = IntegerField(unique=True)
        words_da = TextField(default="[]")
        words_en = TextField(default="[]")
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "goal_words"

    db.create_tables([GoalWords])

    migrator.migrate(migrator.drop_index("call", "call_identity"))
    migrator.migrate(migrator.add_column("feed_source", "date_order", CharField(default="")))
    migrator.migrate(migrator.add_column("feed_source", "volatile_parameters", TextField(default="[]")))
    migrator.migrate(migrator.add_column("call", "link_key", CharField(index=True, default="")))
    migrator.migrate(migrator.add_column("call", "title_key", CharField(index=True, default="")))
    migrator.migrate(migrator.add_column("call", "other_dates", TextField(default="[]")))
    migrator.migrate(migrator.add_column("call", "feed_deadlines", TextField(default="[]")))
    migrator.migrate(migrator.add_column("call", "feed_deadline_text", TextField(default="")))
    migrator.migrate(migrator.add_column("call", "deadlines_corrected_at", DateTimeField(null=True)))
    migrator.migrate(
        migrator.add_column(
            "call", "deadlines_corrected_by_id", ForeignKeyField(User, field=User.id, null=True, on_delete="SET NULL")
        )
    )
    migrator.migrate(migrator.add_column("call", "corrected_against", TextField(default="")))
    migrator.migrate(migrator.add_column("call", "needs_review", BooleanField(index=True, default=False)))

    param = db.param
    calls = db.execute_sql(
        "SELECT id, source_id, identity, link, title, first_seen_at, last_seen_at FROM call ORDER BY id"
    ).fetchall()
    found = {}
    for call_id, due_on, due_at, timezone, found_in in db.execute_sql(
        "SELECT call_id, due_on, due_at, timezone, found_in FROM call_deadline ORDER BY due_on, id"
    ).fetchall():
        found.setdefault(call_id, []).append(
            {"due_on": str(due_on)[:10], "due_at": _utc_iso(due_at), "timezone": timezone, "found_in": found_in}
        )
    for call_id, source_id, identity, link, title, first_seen, last_seen in calls:
        if source_id is not None:
            db.execute_sql(
                f"INSERT INTO call_source (call_id, source_id, identity, link, link_base, first_seen_at, last_seen_at) "
                f"VALUES ({param}, {param}, {param}, {param}, {param}, {param}, {param})",
                (call_id, source_id, identity, link or "", _link_base(link), first_seen, last_seen),
            )
        deadlines = found.get(call_id, [])
        db.execute_sql(
            f"UPDATE call SET link_key = {param}, title_key = {param}, feed_deadlines = {param}, feed_deadline_text = {param} "
            f"WHERE id = {param}",
            (
                _link_key(link) if link else "",
                _title_key(title),
                json.dumps(deadlines, ensure_ascii=False),
                "\n".join(d["found_in"] for d in deadlines),
                call_id,
            ),
        )
    migrator.migrate(migrator.drop_column("call", "identity"))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("call", "call_title_key"))
    migrator.migrate(migrator.drop_index("call", "call_needs_review"))
    migrator.migrate(migrator.drop_index("call", "call_link_key"))
    migrator.migrate(migrator.drop_index("call", "call_deadlines_corrected_by_id"))
    migrator.migrate(migrator.drop_column("call", "needs_review"))
    migrator.migrate(migrator.drop_column("call", "corrected_against"))
    migrator.migrate(migrator.drop_column("call", "deadlines_corrected_by_id"))
    migrator.migrate(migrator.drop_column("call", "deadlines_corrected_at"))
    migrator.migrate(migrator.drop_column("call", "feed_deadline_text"))
    migrator.migrate(migrator.drop_column("call", "feed_deadlines"))
    migrator.migrate(migrator.drop_column("call", "other_dates"))
    migrator.migrate(migrator.drop_column("call", "title_key"))
    migrator.migrate(migrator.drop_column("call", "link_key"))
    migrator.migrate(migrator.drop_column("feed_source", "volatile_parameters"))
    migrator.migrate(migrator.drop_column("feed_source", "date_order"))
    migrator.migrate(migrator.drop_table("goal_words"))
    migrator.migrate(migrator.drop_table("call_source"))
