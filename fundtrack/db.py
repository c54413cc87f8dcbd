"""The database: one proxy, connected per request, with migrations and the shared field types.

SQLite is the embedded default (WAL, foreign keys, busy timeout); PostgreSQL is used when
the URL says so. Everything that stores time stores it in UTC.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import peewee
from peewee import DatabaseProxy, Model
from playhouse import db_url
from playhouse.migrations import Runner

from fundtrack.resources import data_folder

db = DatabaseProxy()
log = logging.getLogger(__name__)


class BaseModel(Model):
    """Every fundtrack table: snake_case table names, bound to the one proxy."""

    class Meta:
        database = db
        legacy_table_names = False


class UTCDateTimeField(peewee.DateTimeField):
    """A moment in time: takes aware datetimes, stores naive UTC, gives back aware UTC.

    A naive datetime is refused, so local time can never slip into the database unnoticed.
    """

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError(f"{getattr(self, 'name', 'datetime')}: naive datetime {value!r}; pass an aware datetime")
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class ListField(peewee.TextField):
    """A short list of tags or numbers, kept as compact JSON text so that both databases can store and search it."""

    def db_value(self, value):
        if value is None:
            return None
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        if value is None or value == "":
            return []
        return json.loads(value)


def list_contains(field: ListField, item) -> peewee.Expression:
    """SQL that is true when the JSON list in `field` holds `item` (a tag or a number), on SQLite and PostgreSQL.

    `[3,15]` becomes `,3,15,` and is searched for `,15,`, so that 1 does not match 15.
    """
    token = json.dumps(item, ensure_ascii=False)

    def literal(text):
        return peewee.Value(text, converter=False)

    wrapped = peewee.fn.REPLACE(peewee.fn.REPLACE(field, literal("["), literal(",")), literal("]"), literal(","))
    return peewee.Expression(wrapped, peewee.OP.ILIKE, peewee.Value(f"%,{token},%", converter=False))


def list_items(field: ListField, alias: str) -> peewee.Node:
    """The items of a JSON list column as a table to CROSS JOIN against, so that SQL can group by them;
    each item is `<alias>.value` (text on PostgreSQL, the JSON type on SQLite)."""
    if is_postgresql():
        return peewee.fn.json_array_elements_text(peewee.Cast(field, "json")).alias(alias)
    return peewee.fn.json_each(field).alias(alias)


def days_apart(later, earlier) -> peewee.Node:
    """SQL: the whole days from one date column to a later one."""
    if is_postgresql():
        return later - earlier
    return peewee.Cast(peewee.fn.julianday(later) - peewee.fn.julianday(earlier), "integer")


class JSONField(peewee.TextField):
    """A small JSON document (e.g. the old and new values of an audit entry)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

    def python_value(self, value):
        return None if value in (None, "") else json.loads(value)


def bulk_insert(model, rows: list[dict], *, ignore_conflicts: bool = False) -> None:
    """Insert many rows with one prepared statement (executemany), converting values as the fields do.

    Several times faster than `insert_many` for thousands of rows, which builds SQL text for every value;
    used where a fetch can bring thousands of records. Every row must have the same keys.
    """
    if not rows:
        return
    fields = [model._meta.fields[name] for name in rows[0]]
    # Fields the rows leave out take their defaults, as `insert_many` would give them.
    defaults = [f for f in model._meta.sorted_fields if f.name not in rows[0] and f.default is not None]
    columns = ", ".join(f'"{field.column_name}"' for field in fields + defaults)
    marks = ", ".join([db.obj.param] * (len(fields) + len(defaults)))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks}){conflict}'
    columns_of = [(field.name, _converter(field), _stored_as_is(field)) for field in fields]
    default_values = tuple(f.db_value(f.default() if callable(f.default) else f.default) for f in defaults)
    cursor = db.obj.cursor()
    for start in range(0, len(rows), 1000):  # converted a thousand at a time: memory stays flat
        values = [
            tuple(
                value if value is None or type(value) is as_is else convert(value)
                for name, convert, as_is in columns_of
                for value in (row[name],)
            )
            + default_values
            for row in rows[start : start + 1000]
        ]
        cursor.executemany(sql, values)


def _converter(field):
    """The field's conversion; for moments and days remembered per value, as the rows of one insert mostly
    share them (the time of the fetch)."""
    if not isinstance(field, peewee.DateTimeField | peewee.DateField):
        return field.db_value
    memo: dict = {}

    def convert(value):
        if value not in memo:
            memo[value] = field.db_value(value)
        return memo[value]

    return convert


def _stored_as_is(field) -> type | None:
    """The Python type whose values a field's column takes unchanged (its conversion would hand them back
    as they are), so that thousands of rows skip it; None when every value is converted."""
    if isinstance(field, peewee.ForeignKeyField):
        return _stored_as_is(field.rel_field)
    return {
        peewee.CharField: str,
        peewee.TextField: str,
        peewee.IntegerField: int,
        peewee.BigIntegerField: int,
        peewee.AutoField: int,
        peewee.BooleanField: bool,
    }.get(type(field))


def one_of(field, values) -> peewee.Node:
    """`field IN (…)` for a long list, built as one piece of SQL: peewee's `in_` makes a node of every value,
    which for a few hundred values costs more than running the query."""
    values = [field.db_value(value) for value in values]
    if not values:
        return peewee.SQL("1 = 0")
    marks = ", ".join([db.obj.param] * len(values))
    return peewee.NodeList((field, peewee.SQL(f"IN ({marks})", values)))


def bulk_insert_ids(model, rows: list[dict]) -> list[int]:
    """Insert many rows as `bulk_insert` does and give their ids, in the rows' order.

    PostgreSQL says them (RETURNING). SQLite gives each new row the largest id plus one, and no other
    connection writes inside our transaction, so the ids of these rows are the run that ends at the last one
    inserted.
    """
    if not rows:
        return []
    if db.obj.returning_clause:
        ids: list[int] = []
        for start in range(0, len(rows), 500):
            query = model.insert_many(rows[start : start + 500]).returning(model._meta.primary_key)
            ids.extend(row[0] for row in query.tuples().execute())
        return ids
    if not db.obj.in_transaction():
        raise RuntimeError("bulk_insert_ids needs a transaction")
    bulk_insert(model, rows)
    last = db.obj.execute_sql("SELECT last_insert_rowid()").fetchone()[0]
    return list(range(last - len(rows) + 1, last + 1))


POOL_SIZE = 32  # connections kept open for the web server's threads and the scheduler
POOL_STALE_SECONDS = 300  # an idle connection older than this is closed rather than reused


def row_copy(instance) -> dict:
    """A removed record as plain JSON, to put back exactly as it was (same id, same links): the fields, and the
    records that point at it and lose the link when it goes (`on_delete="SET NULL"`)."""
    values = {}
    for field in instance._meta.sorted_fields:
        value = instance.__data__.get(field.name)
        if isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values[field.name] = value
    links = {}
    for backref in instance._meta.backrefs:
        if backref.on_delete == "SET NULL":
            ids = [row.id for row in backref.model.select(backref.model.id).where(backref == instance.id)]
            if ids:
                links[f"{backref.model._meta.table_name}.{backref.name}"] = ids
    return {"table": instance._meta.table_name, "values": values, "links": links}


def restore_row(model, copy: dict):
    """Put a record copied by `row_copy` back, with the links it had."""
    values = {}
    for name, value in copy["values"].items():
        field = model._meta.fields[name]
        if isinstance(value, str) and isinstance(field, peewee.DateTimeField):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(field, peewee.DateField):
            value = dt.date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(field, peewee.TimeField):
            value = dt.time.fromisoformat(value)
        elif isinstance(value, str) and isinstance(field, peewee.DecimalField):
            value = Decimal(value)
        values[name] = value
    model.insert(**values).execute()
    instance = model.get_by_id(values["id"])
    backrefs = {f"{b.model._meta.table_name}.{b.name}": b for b in model._meta.backrefs}
    for key, ids in copy.get("links", {}).items():
        backref = backrefs[key]
        backref.model.update({backref: instance.id}).where(backref.model.id.in_(ids) & backref.is_null()).execute()
    return instance


def connect_database(url: str, busy_timeout_seconds: float = 5.0) -> peewee.Database:
    """A peewee database for `url` whose connections come from a pool (opening one costs more than most
    queries), with SQLite's pragmas applied to each new connection."""
    # `timeout` is the pool's: how long a request waits for a free connection. SQLite's own busy timeout
    # (how long a writer waits for the lock) is set as a pragma on each connection.
    pool = {"max_connections": POOL_SIZE, "stale_timeout": POOL_STALE_SECONDS, "timeout": busy_timeout_seconds * 2}
    if url.startswith("sqlite:"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        database = db_url.connect(
            "sqlite+pool:" + url[len("sqlite:") :],
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
                "busy_timeout": int(busy_timeout_seconds * 1000),
            },
            check_same_thread=False,  # a pooled connection serves one thread at a time, not always the same one
            **pool,
        )
        # The search's folding, for the list filters' SQL (PostgreSQL does it with lower() and translate()).
        database.register_function(_fold_for_sql, "fold", 1, deterministic=True)
        return database
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return db_url.connect("postgresql+pool:" + url[len("postgresql:") :], unquote_password=True, unquote_user=True, **pool)


def _fold_for_sql(value):
    # Imported here: fundtrack.search builds on this module (its model and the connection).
    from fundtrack.search.index import fold

    return fold(value) if isinstance(value, str) else value


def init_app(app) -> None:
    """Bind the proxy to the configured database and open a connection around each request."""
    settings = app.extensions["fundtrack.settings"]
    database = connect_database(settings.database.url, settings.database.busy_timeout_seconds)
    app.extensions["fundtrack.database"] = database
    db.initialize(database)

    @app.before_request
    def open_connection():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def close_connection(exc):
        if not db.is_closed():
            db.close()


def is_postgresql() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)


MIGRATION_LOCK_KEY = 74_657_001  # An arbitrary constant: PostgreSQL advisory lock for schema upgrades.


@contextmanager
def _sqlite_upgrade_lock(database):
    """On SQLite, one process upgrades at a time (a lock file beside the database, held before the applied
    migrations are read): the other waits, then finds the database up to date. PostgreSQL has its own lock."""
    path = getattr(database, "database", "")
    if is_postgresql() or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.upgrade-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade() -> list[str]:
    """Apply every pending migration in order and return their names; safe to run again.

    On PostgreSQL an advisory lock keeps two processes that start together from both migrating.
    """
    database = db.obj
    runner = Runner(database, str(data_folder("migrations")))
    with _sqlite_upgrade_lock(database), database.connection_context():
        if is_postgresql():
            database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            applied = runner.up()
        finally:
            if is_postgresql():
                database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    for name in applied:
        log.info("migration applied", extra={"migration": name})
    if applied:
        optimize()
    return applied


def optimize() -> None:
    """Refresh the query planner's statistics (SQLite's ANALYZE; PostgreSQL's autovacuum does this itself).

    Without them SQLite may pick an index that makes the application list several times slower.
    """
    if isinstance(db.obj, peewee.SqliteDatabase):
        with db.obj.connection_context():
            db.obj.execute_sql("ANALYZE")


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied (for health checks and `db status`)."""
    runner = Runner(db.obj, str(data_folder("migrations")))
    with db.obj.connection_context():
        return [m.name for m in runner.status() if m.path and not m.applied]
