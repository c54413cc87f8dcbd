"""The search index: a row per searchable record part, and the full-text index beside it (SQLite's FTS5
table, or a tsvector column with a GIN index on PostgreSQL). `fundtrack db upgrade` fills it from the
records already there."""

from peewee import *


def up(migrator, db):
    class SearchEntry(Model):
        kind = CharField()
        record_id = IntegerField()
        organisation_id = IntegerField(index=True, null=True)
        scope = CharField(default="org")
        page_table = CharField()
        page_id = IntegerField()
        title = CharField()
        body = TextField(default="")
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "search_entry"
            indexes = ((("record_id", "kind"), True), (("page_table", "page_id"), False))

    db.create_tables([SearchEntry])
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_entry ADD COLUMN tsv tsvector")
        db.execute_sql("CREATE INDEX search_entry_tsv ON search_entry USING gin (tsv)")
    else:
        db.execute_sql('CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize="unicode61 remove_diacritics 0")')


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TABLE search_fts")
    migrator.migrate(migrator.drop_table("search_entry"))
