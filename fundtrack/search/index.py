"""Search across everything: one index of every record's words, kept in the same transaction as each write.

Each domain says in its `audit.describe(...)` what of a record is found (`search=`): the audit trail
calls `index_record` for every create, change and removal, so nothing is written without the index
knowing. The index is in the database itself: a row per record part in `search_entry`, with SQLite's
FTS5 table `search_fts` beside it (embedded), or a `tsvector` column with PostgreSQL's Danish
configuration. Words are folded first (`KØKKEN` finds `køkken`, `CAFÉ` finds `Café`; æ, ø and å stay
letters of their own) and indexed with their Danish stem as well, so `caféer`, `haver` and `køkkener`
find `café`, `have` and `køkken`.

Who finds what: every entry has a scope. `shared` (funders) is for everyone; `org` (an organisation's
records) for fundraisers, viewers and that organisation's members; `notes` likewise but not viewers;
`staff` (calls, records of no organisation) for fundraisers and viewers; `fundraiser` for fundraisers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from markupsafe import Markup, escape
from peewee import SQL, CharField, IntegerField, Table, TextField, fn

from fundtrack.clock import now as clock_now
from fundtrack.db import BaseModel, UTCDateTimeField, db, is_postgresql

FTS = Table("search_fts", ("rowid", "title", "body"))  # SQLite's FTS5 table beside search_entry
SCOPES = ("shared", "org", "notes", "staff", "fundraiser")
PARTS = ("", "notes")  # the parts a record may give: itself, and its notes (found by fewer people)
WORD = re.compile(r"\w+", re.UNICODE)
KEEP = frozenset("æøå")
MAX_TERMS = 8
SNIPPET = 180


class SearchEntry(BaseModel):
    """One searchable part of one record: what it is, where it is shown, whose it is, and its words."""

    kind = CharField()  # the record's table (application, funder, …), plus `:notes` for a part with its own scope
    record_id = IntegerField()
    organisation_id = IntegerField(null=True, index=True)
    scope = CharField(default="org")
    page_table = CharField()
    page_id = IntegerField()
    title = CharField()
    body = TextField(default="")
    updated_at = UTCDateTimeField(default=clock_now)

    class Meta:
        table_name = "search_entry"
        indexes = ((("record_id", "kind"), True), (("page_table", "page_id"), False))


@dataclass(frozen=True)
class Text:
    """What a record gives the index: a title, a body, and who may find it (`part` names a second entry)."""

    title: str
    body: str = ""
    scope: str = "org"
    part: str = ""


# Folding and stemming.


def fold(text: str) -> str:
    """Lower case without accents, keeping æ, ø and å (letters of their own in Danish)."""
    folded = []
    for char in (text or "").casefold():
        if char in KEEP:
            folded.append(char)
            continue
        folded.extend(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return "".join(folded)


@lru_cache(maxsize=1)
def _stemmer():
    return Stemmer.Stemmer("danish")


def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def index_words(text: str) -> str:
    """The words as the SQLite index keeps them: each folded word, and its stem when that differs."""
    out = []
    for word in WORD.findall(fold(text)):
        out.append(word)
        stemmed = stem(word)
        if stemmed != word:
            out.append(stemmed)
    return " ".join(out)


def terms_of(query: str) -> list[str]:
    """The folded words of a search, at most MAX_TERMS of them."""
    return list(dict.fromkeys(WORD.findall(fold(query))))[:MAX_TERMS]


# Keeping the index.


def _fts_write(entry_id: int, title: str, body: str, *, delete_first: bool) -> None:
    if is_postgresql():
        db.execute_sql(
            "UPDATE search_entry SET tsv = setweight(to_tsvector('danish', %s), 'A') || setweight(to_tsvector('simple', %s), 'A')"
            " || setweight(to_tsvector('danish', %s), 'B') || setweight(to_tsvector('simple', %s), 'B') WHERE id = %s",
            (fold(title), fold(title), fold(body), fold(body), entry_id),
        )
        return
    if delete_first:
        db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (entry_id,))
    db.execute_sql(
        "INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)", (entry_id, index_words(title), index_words(body))
    )


def _insert_entry(values: dict) -> int:
    """One new search_entry row, in plain SQL: it is written with every record a user creates, and building
    the statement through the query builder would cost more than running it."""
    values = {**values, "updated_at": UTCDateTimeField().db_value(values["updated_at"])}
    columns = ", ".join(values)
    marks = ", ".join([db.obj.param] * len(values))
    sql = f"INSERT INTO search_entry ({columns}) VALUES ({marks})"
    if is_postgresql():
        return db.execute_sql(sql + " RETURNING id", list(values.values())).fetchone()[0]
    return db.execute_sql(sql, list(values.values())).lastrowid


def clear_full_text() -> None:
    """Empty SQLite's full-text table (PostgreSQL's column goes with its rows)."""
    if not is_postgresql():
        db.execute_sql("DELETE FROM search_fts")


def _fts_delete(entry_ids: list[int]) -> None:
    if entry_ids and not is_postgresql():
        db.execute_sql(f"DELETE FROM search_fts WHERE rowid IN ({', '.join('?' * len(entry_ids))})", entry_ids)


def put(kind: str, record_id: int, text: Text | None, *, organisation_id, page: tuple[str, int], at: dt.datetime) -> None:
    """Index one record part (None: take the record's main part out). Call inside the writing transaction."""
    key = _key(kind, text.part if text is not None else "")
    existing = SearchEntry.get_or_none((SearchEntry.record_id == record_id) & (SearchEntry.kind == key))
    _write(key, record_id, text, existing.id if existing else None, organisation_id=organisation_id, page=page, at=at)


def _key(kind: str, part: str) -> str:
    return f"{kind}:{part}" if part else kind


def _write(key: str, record_id: int, text: Text | None, entry_id: int | None, *, organisation_id, page, at) -> None:
    """Create, change or remove one entry and its full-text row (two or three statements)."""
    if text is None or not (text.title or text.body).strip():
        if entry_id is not None:
            _fts_delete([entry_id])
            SearchEntry.delete().where(SearchEntry.id == entry_id).execute()
        return
    values = {
        "organisation_id": organisation_id,
        "scope": text.scope,
        "page_table": page[0],
        "page_id": page[1],
        "title": (text.title or "")[:500],
        "body": text.body or "",
        "updated_at": at,
    }
    if entry_id is None:
        entry_id = _insert_entry({"kind": key, "record_id": record_id, **values})
        _fts_write(entry_id, values["title"], values["body"], delete_first=False)
    else:
        SearchEntry.update(**values).where(SearchEntry.id == entry_id).execute()
        _fts_write(entry_id, values["title"], values["body"], delete_first=True)


def forget(kind: str, record_id: int) -> None:
    """Take every part of a removed record out of the index, and the records shown on its page (an
    application's deadlines and answers go with it)."""
    own = SearchEntry.select(SearchEntry.id).where((SearchEntry.record_id == record_id) & SearchEntry.kind.in_(_keys(kind)))
    shown = SearchEntry.select(SearchEntry.id).where((SearchEntry.page_table == kind) & (SearchEntry.page_id == record_id))
    ids = sorted({entry.id for entry in own} | {entry.id for entry in shown})
    if ids:
        _fts_delete(ids)
        SearchEntry.delete().where(SearchEntry.id.in_(ids)).execute()


def put_texts(kind: str, record_id: int, texts, *, organisation_id, page, at, new: bool = False) -> None:
    """Index every part a record gives; parts it no longer gives are taken out (`new`: a record just
    created, which has none yet)."""
    existing = {} if new else {entry.kind: entry.id for entry in _entries_of(kind, record_id)}
    given = {_key(kind, text.part): text for text in texts}
    for key in set(existing) - set(given):
        _write(key, record_id, None, existing[key], organisation_id=organisation_id, page=page, at=at)
    for key, text in given.items():
        _write(key, record_id, text, existing.get(key), organisation_id=organisation_id, page=page, at=at)


def _keys(kind: str) -> list[str]:
    return [_key(kind, part) for part in PARTS]


def _entries_of(kind: str, record_id: int):
    return SearchEntry.select(SearchEntry.id, SearchEntry.kind).where(
        (SearchEntry.record_id == record_id) & SearchEntry.kind.in_(_keys(kind))
    )


# Searching.


def visible(user):
    """The condition on SearchEntry of what `user` may find."""
    if user.role == "fundraiser":
        return SQL("1 = 1")
    if user.role == "viewer":
        return SearchEntry.scope.in_(["shared", "org", "staff"])
    return (SearchEntry.scope == "shared") | (
        SearchEntry.scope.in_(["org", "notes"]) & (SearchEntry.organisation_id == user.organisation_id)
    )


def _sqlite_match(terms: list[str]) -> str:
    """An FTS5 query: every term, as a word that starts with it or with its stem."""
    groups = []
    for term in terms:
        options = {term, stem(term)}
        groups.append("(" + " OR ".join(f'"{option}"*' for option in sorted(options)) + ")")
    return " AND ".join(groups)


def _pg_query(terms: list[str]) -> tuple[str, list]:
    parts, params = [], []
    for term in terms:
        safe = re.sub(r"[^\w]", "", term)
        parts.append("(to_tsquery('danish', %s) || to_tsquery('simple', %s))")
        params.extend([f"{safe}:*", f"{safe}:*"])
    return " && ".join(parts), params


@dataclass
class Hit:
    kind: str
    record_id: int
    page_table: str
    page_id: int
    title: Markup
    snippet: Markup


def search(user, query: str, *, limit: int = 50, kinds: tuple[str, ...] = ()) -> list[Hit]:
    """The best `limit` entries for `query` that `user` may find, the best first, with the words marked."""
    terms = terms_of(query)
    if not terms:
        return []
    select = SearchEntry.select(
        SearchEntry.kind, SearchEntry.record_id, SearchEntry.page_table, SearchEntry.page_id, SearchEntry.title, SearchEntry.body
    ).where(visible(user))
    if kinds:
        select = select.where(SearchEntry.kind.in_(list(kinds)))
    if is_postgresql():
        tsquery, params = _pg_query(terms)
        select = select.where(SQL(f"tsv @@ ({tsquery})", params)).order_by(
            SQL(f"ts_rank(tsv, ({tsquery})) DESC", params), SearchEntry.id.desc()
        )
    else:
        match = _sqlite_match(terms)
        select = (
            select.join(FTS, on=(FTS.rowid == SearchEntry.id))
            .where(SQL("search_fts MATCH ?", [match]))
            .order_by(SQL("bm25(search_fts, 5.0, 1.0)"), SearchEntry.id.desc())
        )
    rows = select.limit(limit).tuples()
    return [
        Hit(kind, record_id, page_table, page_id, highlight(title, terms), snippet(body, terms))
        for kind, record_id, page_table, page_id, title, body in rows
    ]


def raw_search_sql(query: str) -> tuple[str, list]:
    """The bare full-text query for the same words, without scopes or highlighting (for the benchmark)."""
    terms = terms_of(query)
    if is_postgresql():
        tsquery, params = _pg_query(terms)
        return (
            f"SELECT id FROM search_entry WHERE tsv @@ ({tsquery}) ORDER BY ts_rank(tsv, ({tsquery})) DESC LIMIT 50",
            params + params,
        )
    return "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(search_fts, 5.0, 1.0) LIMIT 50", [
        _sqlite_match(terms)
    ]


def _matches(word: str, terms: list[str]) -> bool:
    folded = fold(word)
    stemmed = stem(folded)
    for term in terms:
        term_stem = stem(term)
        if folded.startswith(term) or folded.startswith(term_stem) or stemmed.startswith(term_stem):
            return True
    return False


def highlight(text: str, terms: list[str]) -> Markup:
    """The text, escaped, with each matching word in <mark>."""
    out, last = [], 0
    for found in WORD.finditer(text or ""):
        if _matches(found.group(), terms):
            out.append(escape(text[last : found.start()]))
            out.append(Markup("<mark>%s</mark>") % found.group())
            last = found.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


def snippet(text: str, terms: list[str]) -> Markup:
    """A short piece of the text around its first matching word, highlighted."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    start = 0
    for found in WORD.finditer(text):
        if _matches(found.group(), terms):
            start = max(0, found.start() - SNIPPET // 3)
            break
    piece = text[start : start + SNIPPET]
    return Markup("%s%s%s") % ("… " if start else "", highlight(piece, terms), " …" if start + SNIPPET < len(text) else "")


# Folded text filters of the list pages (the same folding as the search).


def folded_contains(field, text: str):
    """`field` contains `text`, ignoring case and accents as the search does (`KØKKEN` finds `køkken`)."""
    return fold_sql(field).contains(fold(text))


def fold_sql(expression):
    """SQL for the folded value of a column (SQLite: the `fold` function each connection has; PostgreSQL:
    lower() and the accents translated away)."""
    if is_postgresql():
        return fn.translate(fn.lower(expression), ACCENTED, PLAIN)
    return fn.fold(expression)


ACCENTED = "áàâäãéèêëíìîïóòôöõúùûüýÿçñ"
PLAIN = "aaaaaeeeeiiiiooooouuuuyycn"
