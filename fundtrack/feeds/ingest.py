"""From a feed's bytes to one record per call: read the entries safely, find their dates, and store each call
once however often, and from however many sources, it arrives.

An entry is the same call as one already kept when its source names it the same way (its guid, else its
link without tracking and session parameters, else its title and date), when its link is the same once
cleaned (a newsletter that links to the call), or when its funder, title and a deadline are the same.
Session tokens hide in links under many names: the known ones are dropped (`tracking_parameters`, and
`;jsessionid=` path parameters), and a parameter whose value changes between two fetches of an otherwise
identical entry is learnt as one, for that source.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from peewee import chunked

from fundtrack import clock
from fundtrack.audit import services as audit
from fundtrack.db import bulk_insert, bulk_insert_ids, db, one_of
from fundtrack.feeds import fetching
from fundtrack.feeds.deadlines import FoundDeadline, OtherDate, date_order_of, find_deadlines
from fundtrack.feeds.models import Call, CallChange, CallDeadline, CallSource, FeedSource
from fundtrack.feeds.text import block_text, plain_text
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_

ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
DOCTYPE_WITH_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.I | re.S)
LOOKS_LIKE_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<!DOCTYPE\s+html|^\s*<html[\s>]", re.I | re.S)
PATH_PARAMETER = re.compile(r";([^;/=]+)=[^;/]*")
NOT_A_WORD = re.compile(r"[^\w]+")
HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
TEXT_FOR_DATES = 5000  # characters of an entry's text searched for its dates


# Links and keys.


@functools.lru_cache(maxsize=64)
def _tracking_rule(tracking: tuple) -> tuple[frozenset, tuple]:
    """The names dropped exactly, and the prefixes (`utm_*`) dropped with all that follows."""
    lowered = [t.lower() for t in tracking]
    return frozenset(t for t in lowered if not t.endswith("*")), tuple(t[:-1] for t in lowered if t.endswith("*"))


def _dropped(name: str, tracking) -> bool:
    exact, prefixes = _tracking_rule(tuple(tracking))
    name = name.lower()
    return name in exact or name.startswith(prefixes)


def clean_link(url: str, tracking) -> str:
    """A link without tracking and session parameters (in the query, or as `;jsessionid=…` in the path),
    fragment, or case differences in scheme and host: the same on every fetch. `tracking` holds parameter
    names, `utm_*` standing for every name that starts so."""
    parts = urlsplit((url or "").strip())
    if not parts.scheme:
        return (url or "").strip()
    tracking = tuple(tracking)
    path = parts.path or "/"
    if ";" in path:
        path = PATH_PARAMETER.sub(lambda m: "" if _dropped(m.group(1), tracking) else m.group(0), path)
    query = ""
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _dropped(k, tracking)]
        query = urlencode(sorted(kept))
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), path, query, ""))


def link_base(url: str) -> str:
    """Scheme, host and path of a link: where entries whose parameters alone differ are found."""
    parts = urlsplit((url or "").strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path or '/'}" if parts.scheme else ""


def text_key(text: str) -> str:
    """Text compared the way a reader would: case, punctuation and spacing set aside."""
    return " ".join(NOT_A_WORD.sub(" ", (text or "").lower()).split())[:250]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def identity_of(source_id: int, guid: str, link: str, title: str, published: dt.datetime | None, tracking) -> str:
    """How a source names an entry: its guid, else its cleaned link, else its title and date (hashed)."""
    if guid:
        return _hash(f"guid:{source_id}:{clean_link(guid, tracking) if re.match(r'^https?://', guid) else guid}")
    if link:
        return _hash(f"link:{clean_link(link, tracking)}")
    return _hash(f"title:{source_id}:{title.strip().lower()}:{published.date().isoformat() if published else ''}")


# Reading a feed.


@dataclass
class Item:
    """One entry of a feed, read and ready to store."""

    guid: str
    identity: str
    title: str
    link: str
    link_key: str
    summary: str
    summary_text: str
    published_at: dt.datetime | None
    funder_name: str
    deadlines: list[FoundDeadline]
    rolling: bool
    other_dates: list[OtherDate] = field(default_factory=list)

    @property
    def deadline_text(self) -> str:
        """The feed's own words for its deadlines: what a fundraiser's correction is held against."""
        return "\n".join([d.found_in for d in self.deadlines] + (["rolling"] if self.rolling else []))

    @property
    def content_hash(self) -> str:
        """Changes with anything the call shows but its link (compared by `link_key`, without the tracking and
        session parameters that change on every fetch)."""
        deadlines = ";".join(f"{d.due_on}|{d.due_at}|{d.found_in}" for d in self.deadlines)
        others = ";".join(f"{d.kind}|{d.on}" for d in self.other_dates)
        data = "\x1f".join([self.title, self.summary, deadlines, others, str(self.rolling), self.funder_name])
        return _hash(data)


class FeedError(fetching.FetchError):
    """The bytes arrived but are not a feed (a web page, or unreadable)."""


class _Discard:
    """A parser target that keeps nothing: the document is only checked, never built."""

    def close(self):
        return None


def _declares_entities(body: bytes) -> bool:
    """True when the document declares entities or refers to external ones, read with defusedxml over the
    whole of it (in C, keeping nothing); a document too broken to read is searched for declarations."""
    parser = DefusedXMLParser(target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    parser.parser.DefaultHandlerExpand = None  # nothing to keep: no Python call per piece of text
    try:
        parser.feed(body)
        parser.close()
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden):
        return True
    except ParseError:
        return ENTITY_DECLARATION.search(body) is not None
    return False


def without_entities(body: bytes) -> tuple[bytes, dict | None]:
    """The document without its entity declarations, and a warning when there were any; FeedError when they
    cannot be taken out. No external entity is ever read and no entity expansion can grow."""
    if not _declares_entities(body):
        return body, None
    cleaned = DOCTYPE_WITH_SUBSET.sub(b"", body)
    cleaned = ENTITY_DECLARATION.sub(b"<!-- entity removed ", cleaned)
    if _declares_entities(cleaned):
        raise FeedError(N_("The feed declares XML entities that could not be removed; it is not read."))
    return cleaned, {"message": N_("The feed declared XML entities; they were removed unread."), "params": {}}


def parse_feed(
    body: bytes, *, content_type: str, final_url: str, source: FeedSource, today: dt.date, tracking
) -> tuple[list[Item], dict | None]:
    """The entries of a feed, and a warning for an ill-formed one; FeedError when it is no feed at all.

    feedparser gets bytes in a stream, never a string (which it may take for a path). Its own cleaning of
    entry HTML is off: every use of feed HTML cleans it with nh3 (`feeds.text`), stricter and several times
    faster, which also makes relative links in it absolute against the call's address when it is shown. Nor
    is it told the feed's address: it would join every element to it, which costs a sixth of its time, where
    only an entry's link and guid need it (`_absolute`).
    """
    body, warning = without_entities(body)
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries:
        if (
            "html" in (content_type or "").lower()
            or LOOKS_LIKE_HTML.search(body[:2000])
            or (parsed.get("version") == "" and b"<html" in body[:5000].lower())
        ):
            raise FeedError(N_("The address returned a web page, not a feed."))
        if parsed.bozo and not parsed.get("feed"):
            raise FeedError(N_("This is not a readable feed: %(reason)s"), reason=str(parsed.get("bozo_exception", ""))[:200])
    if parsed.bozo and warning is None:
        warning = {
            "message": N_("The feed is not well-formed (%(reason)s); what could be read was read."),
            "params": {"reason": str(parsed.get("bozo_exception", ""))[:200]},
        }
    language = dict.get(parsed.get("feed", {}), "language") or ""
    tracking = tuple(tracking) + tuple(source.volatile_parameters or ())
    return [_item(entry, source, language, today, tracking, final_url) for entry in parsed.entries], warning


def _absolute(url: str, base: str) -> str:
    """A link of the feed made absolute against the feed's address, as feedparser would given it."""
    if not url or not base or HAS_SCHEME.match(url):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _published(entry) -> dt.datetime | None:
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not stamp:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(stamp), tz=dt.UTC)


def _language(entry, feed_language: str) -> str:
    for key in ("summary_detail", "content", "title_detail"):
        detail = dict.get(entry, key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("language"):
            return detail["language"]
    return feed_language


def _item(entry, source: FeedSource, feed_language: str, today: dt.date, tracking, base: str = "") -> Item:
    # dict.get reads feedparser's own keys directly; its FeedParserDict.get also tries aliases, which is slow.
    get = functools.partial(dict.get, entry)
    title = plain_text(get("title", "")) or "(uden titel)"
    summary = get("summary", "")
    if not summary and get("content"):
        summary = get("content")[0].get("value", "")
    published = _published(entry)
    reference = clock.to_local(published).date() if published else today
    order = date_order_of(_language(entry, feed_language), source.date_order)
    lines = block_text(summary)  # cleaned once: the lines for dates, and on one line for matching and search
    finding = find_deadlines(entry, f"{title}.\n{lines[:TEXT_FOR_DATES]}", reference, order)
    origin = get("source") or {}
    funder_name = plain_text(
        get("author", "") or get("publisher", "") or get("dc_publisher", "") or dict.get(origin, "title", "")
    )
    guid = (get("id") or "").strip()
    if "/" in guid:  # a permalink guid is a URL; an opaque one seldom holds a slash
        guid = _absolute(guid, base)
    link = _absolute((get("link") or "").strip(), base)
    return Item(
        guid=guid[:500],
        identity=identity_of(source.id, guid, link, title, published, tracking),
        title=title[:250],
        link=link[:1000],
        link_key=clean_link(link, tracking)[:1000] if link else "",
        summary=summary,
        summary_text=" ".join(lines.split()),
        published_at=published,
        funder_name=funder_name[:200],
        deadlines=finding.deadlines,
        rolling=finding.rolling,
        other_dates=finding.other_dates,
    )


# Storing.


@dataclass
class Report:
    """What one fetch of one source did."""

    source: FeedSource
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False
    error: dict | None = None
    warning: dict | None = None
    new_call_ids: list[int] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None


def _deadline_rows(call_id: int, items: list[FoundDeadline]) -> list[dict]:
    return [
        {"call": call_id, "due_on": d.due_on, "due_at": d.due_at, "timezone": d.timezone, "found_in": d.found_in} for d in items
    ]


def _as_json(deadlines: list[FoundDeadline]) -> list[dict]:
    return [
        {
            "due_on": d.due_on.isoformat(),
            "due_at": d.due_at.isoformat() if d.due_at else None,
            "timezone": d.timezone,
            "found_in": d.found_in,
        }
        for d in deadlines
    ]


def _other_dates_json(dates: list[OtherDate]) -> list[dict]:
    return [{"kind": d.kind, "on": d.on.isoformat(), "found_in": d.found_in} for d in dates]


def _describe_deadlines(items) -> str:
    return ", ".join(d.due_on.isoformat() + (f" {d.due_at:%H:%M}Z" if d.due_at else "") for d in items) or "–"


class _Calls:
    """The calls already kept that this fetch's entries may be: by the source's names for them, by cleaned
    link and by title; loaded in a few queries for the whole feed."""

    def __init__(self, source: FeedSource, items: dict[str, Item]):
        self.source = source
        self.by_identity: dict[str, tuple[CallSource, Call]] = {}
        for batch in chunked(list(items), 300):
            query = (
                CallSource.select(CallSource, Call)
                .join(Call)
                .where((CallSource.source == source) & one_of(CallSource.identity, batch))
            )
            for entry in query:
                self.by_identity[entry.identity] = (entry, entry.call)
        unknown = [item for identity, item in items.items() if identity not in self.by_identity]
        self.by_link: dict[str, Call] = {}
        self.by_title: dict[str, list[Call]] = {}
        links = sorted({item.link_key for item in unknown if item.link_key})
        for batch in chunked(links, 300):
            for call in Call.select().where(one_of(Call.link_key, batch)).order_by(Call.id):
                self.by_link.setdefault(call.link_key, call)
        titles = sorted({text_key(item.title) for item in unknown})
        for batch in chunked(titles, 300):
            for call in Call.select().where(one_of(Call.title_key, batch)).order_by(Call.id):
                self.by_title.setdefault(call.title_key, []).append(call)
        bases = sorted({link_base(item.link) for item in unknown if not item.guid and "?" in item.link})
        self.by_base: dict[str, list[tuple[CallSource, Call]]] = {}
        for batch in chunked(bases, 300):
            query = (
                CallSource.select(CallSource, Call)
                .join(Call)
                .where((CallSource.source == source) & one_of(CallSource.link_base, batch))
            )
            for entry in query:
                self.by_base.setdefault(entry.link_base, []).append((entry, entry.call))
        self.deadline_days: dict[int, set[dt.date]] = {}
        candidates = [c.id for calls in self.by_title.values() for c in calls]
        for batch in chunked(candidates, 300):
            for call_id, day in (
                CallDeadline.select(CallDeadline.call, CallDeadline.due_on).where(one_of(CallDeadline.call, batch)).tuples()
            ):
                self.deadline_days.setdefault(call_id, set()).add(day)

    def same_call(self, item: Item) -> Call | None:
        """The call kept under another name that this entry is: same cleaned link, or same funder, title and
        a deadline day."""
        if item.link_key and item.link_key in self.by_link:
            return self.by_link[item.link_key]
        funder = text_key(item.funder_name)
        days = {d.due_on for d in item.deadlines}
        if not funder or not days:
            return None
        for call in self.by_title.get(text_key(item.title), []):
            if text_key(call.funder_name) == funder and days & self.deadline_days.get(call.id, set()):
                return call
        return None

    def volatile_in(self, item: Item, tracking) -> set[str]:
        """The link parameters whose values alone tell this entry from one the source brought before with the
        same title and text: session tokens under a name nobody listed."""
        if item.guid or "?" not in item.link:
            return set()
        ours = dict(parse_qsl(urlsplit(item.link).query, keep_blank_values=True))
        for entry, call in self.by_base.get(link_base(item.link), []):
            if call.title != item.title or call.summary_text != item.summary_text:
                continue
            theirs = dict(parse_qsl(urlsplit(entry.link).query, keep_blank_values=True))
            if set(theirs) != set(ours):
                continue
            changed = {name for name in ours if ours[name] != theirs[name] and not _dropped(name, tracking)}
            if changed:
                return changed
        return set()


def _learn_volatile(source: FeedSource, names: set[str], tracking) -> tuple:
    """Remember parameters as the source's session tokens, and name its link-named entries again without them."""
    source.volatile_parameters = sorted(set(source.volatile_parameters or ()) | {n.lower() for n in names})
    FeedSource.update(volatile_parameters=source.volatile_parameters).where(FeedSource.id == source.id).execute()
    tracking = tuple(tracking) + tuple(source.volatile_parameters)
    for call in Call.select(Call.id, Call.link, Call.link_key).where((Call.source == source) & (Call.link != "")):
        key = clean_link(call.link, tracking)[:1000]
        if key != call.link_key:
            Call.update(link_key=key).where(Call.id == call.id).execute()
    for entry in CallSource.select().where((CallSource.source == source) & (CallSource.link != "")):
        identity = identity_of(source.id, "", entry.link, "", None, tracking)
        if (
            identity != entry.identity
            and not CallSource.select().where((CallSource.source == source) & (CallSource.identity == identity)).exists()
        ):
            CallSource.update(identity=identity).where(CallSource.id == entry.id).execute()
    return tracking


def store_items(source: FeedSource, items: list[Item], *, now: dt.datetime, tracking=()) -> Report:
    """Insert new calls, update changed ones (recording what changed), touch unchanged ones; in one transaction."""
    report = Report(source=source)
    unique: dict[str, Item] = {}
    for item in items:
        unique.setdefault(item.identity, item)  # the same entry twice in one feed is one call
    funders = {name.lower(): fid for fid, name in Funder.select(Funder.id, Funder.name).tuples()}
    with db.atomic():
        kept = _Calls(source, unique)
        tracking = tuple(tracking) + tuple(source.volatile_parameters or ())
        new_items: list[Item] = []
        new_by_link: dict[str, int] = {}  # two entries of this feed with one link are one new call
        also_new: list[tuple[Item, int]] = []
        seen_entries, seen_calls, entry_rows = [], [], []
        for identity, item in unique.items():
            found = kept.by_identity.get(identity)
            if found is None and (volatile := kept.volatile_in(item, tracking)):
                tracking = _learn_volatile(source, volatile, tracking)
                item.identity = identity_of(source.id, "", item.link, item.title, item.published_at, tracking)
                item.link_key = clean_link(item.link, tracking)[:1000]
                entry = CallSource.get_or_none((CallSource.source == source) & (CallSource.identity == item.identity))
                found = (entry, entry.call) if entry else None
            if found is not None:
                entry, call = found
                seen_entries.append(entry.id)
                if entry.link != item.link:
                    CallSource.update(link=item.link, link_base=link_base(item.link)).where(CallSource.id == entry.id).execute()
                if _refresh(call, item, source, now, seen_calls) == "updated":
                    report.updated += 1
                else:
                    report.unchanged += 1
                continue
            call = kept.same_call(item)
            if call is not None:  # the call, as another source (or a newsletter linking to it) names it
                entry_rows.append(_entry_row(call.id, source, item, now))
                if call.source_id is None and _refresh(call, item, source, now, seen_calls) == "updated":
                    report.updated += 1  # the source whose text it showed is gone: this one takes over
                else:
                    report.unchanged += 1
                continue
            if item.link_key and item.link_key in new_by_link:
                also_new.append((item, new_by_link[item.link_key]))
                continue
            if item.link_key:
                new_by_link[item.link_key] = len(new_items)
            new_items.append(item)
        ids = bulk_insert_ids(Call, [_call_row(item, source, funders, now) for item in new_items])
        deadline_rows = []
        for item, call_id in zip(new_items, ids, strict=True):
            entry_rows.append(_entry_row(call_id, source, item, now))
            deadline_rows.extend(_deadline_rows(call_id, item.deadlines))
        entry_rows.extend(_entry_row(ids[index], source, item, now) for item, index in also_new)
        bulk_insert(CallSource, entry_rows, ignore_conflicts=True)
        bulk_insert(CallDeadline, deadline_rows)
        for call in Call.select().where(one_of(Call.id, ids)) if ids else ():
            audit.reindex(call, now)  # written in bulk, past the audit trail: the search learns of it here
        for batch in chunked(seen_entries, 500):
            CallSource.update(last_seen_at=now).where(one_of(CallSource.id, batch)).execute()
        for batch in chunked(seen_calls, 500):
            Call.update(last_seen_at=now).where(one_of(Call.id, batch)).execute()
        report.new, report.new_call_ids = len(ids), ids
    return report


def _refresh(call: Call, item: Item, source: FeedSource, now: dt.datetime, seen_calls: list[int]) -> str:
    """Bring a kept call up to date with this source's entry, when this source's text is the one it shows:
    "updated", "unchanged", or "other" when another source's text is shown (this one only has it too)."""
    if call.source_id not in (None, source.id):
        return "other"
    if call.content_hash != item.content_hash or call.link_key != item.link_key:
        _update_call(call, item, source, now)
        return "updated"
    if call.link != item.link:  # only a session token in the link changed: kept, not recorded as a change
        Call.update(link=item.link).where(Call.id == call.id).execute()
    seen_calls.append(call.id)
    return "unchanged"


def _call_row(item: Item, source: FeedSource, funders: dict, now: dt.datetime) -> dict:
    return {
        "source": source.id,
        "funder": funders.get(item.funder_name.lower()),
        "funder_name": item.funder_name,
        "title": item.title,
        "title_key": text_key(item.title),
        "link": item.link,
        "link_key": item.link_key,
        "summary": item.summary,
        "summary_text": item.summary_text,
        "published_at": item.published_at,
        "rolling": item.rolling,
        "un_goals": [],
        "status": "new",
        "content_hash": item.content_hash,
        "first_seen_at": now,
        "last_seen_at": now,
        "updated_at": now,
        "matched_at": None,
        "other_dates": _other_dates_json(item.other_dates),
        "feed_deadlines": _as_json(item.deadlines),
        "feed_deadline_text": item.deadline_text,
    }


def _entry_row(call_id: int, source: FeedSource, item: Item, now: dt.datetime) -> dict:
    return {
        "call": call_id,
        "source": source.id,
        "identity": item.identity,
        "link": item.link,
        "link_base": link_base(item.link),
        "first_seen_at": now,
        "last_seen_at": now,
    }


def _update_call(call: Call, item: Item, source: FeedSource, now: dt.datetime) -> None:
    """Bring a call up to date and record each field that changed; a moved deadline is recorded as such.
    A fundraiser's correction of the deadlines stays; when the feed's own deadline words change after it,
    the call is flagged for a look instead."""
    changes = []
    for name in ("title", "summary_text", "funder_name", "rolling"):
        old, new = getattr(call, name), getattr(item, name)
        if old != new:
            changes.append((name, str(old), str(new)))
    if call.link_key != item.link_key:
        changes.append(("link", call.link, item.link))
    old_deadlines = list(call.deadlines.order_by(CallDeadline.due_on))
    if call.deadlines_corrected_at is None:
        old_text, new_text = _describe_deadlines(old_deadlines), _describe_deadlines(item.deadlines)
        if old_text != new_text:
            changes.append(("deadlines", old_text, new_text))
            CallDeadline.delete().where(CallDeadline.call == call).execute()
            bulk_insert(CallDeadline, _deadline_rows(call.id, item.deadlines))
    elif item.deadline_text != call.feed_deadline_text:
        changes.append(("feed_deadlines", call.feed_deadline_text or "–", item.deadline_text or "–"))
        call.needs_review = item.deadline_text != call.corrected_against
    for name, old, new in changes:
        CallChange.create(call=call, changed_at=now, field=name, old=old[:2000], new=new[:2000])
    call.title, call.title_key, call.link, call.link_key = item.title, text_key(item.title), item.link, item.link_key
    call.summary, call.summary_text = item.summary, item.summary_text
    call.funder_name, call.rolling, call.published_at = item.funder_name, item.rolling, item.published_at
    call.other_dates, call.feed_deadlines = _other_dates_json(item.other_dates), _as_json(item.deadlines)
    call.feed_deadline_text = item.deadline_text
    call.content_hash, call.last_seen_at, call.updated_at, call.source = item.content_hash, now, now, source.id
    call.save()
    if any(name in ("title", "summary_text") for name, _old, _new in changes):
        audit.reindex(call, now)
