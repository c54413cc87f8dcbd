"""Feed sources and the calls they bring: fetch, parse safely, find deadlines, keep one record per call,
record what changed, and pass each new call on to the organisations it fits.

One failing source never stops the others: each source's fetch is its own transaction, and its
failure is recorded on the source in plain words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from peewee import JOIN, chunked, fn

from fundtrack import clock
from fundtrack.applications import services as applications
from fundtrack.audit import services as audit
from fundtrack.config import FeedSettings
from fundtrack.db import bulk_insert, db
from fundtrack.feeds import fetching
from fundtrack.feeds.deadlines import FoundDeadline, find_deadlines
from fundtrack.feeds.models import CALL_STATUSES, Call, CallChange, CallDeadline, CallMatch, FeedSource
from fundtrack.feeds.text import plain_text
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, require

MAX_BACKOFF = 8  # a failing source waits at most eight intervals before it is tried again
MATCH_BATCH = 2000
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
DOCTYPE_WITH_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.I | re.S)
LOOKS_LIKE_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<!DOCTYPE\s+html|^\s*<html[\s>]", re.I | re.S)


# Sources.


def _validated_source(data: dict, existing: FeedSource | None, settings: FeedSettings) -> dict:
    errors: dict = {}
    url = (data.get("url") or "").strip()
    require(errors, "url", url)
    if url and not re.match(r"^https?://[^\s/]+", url):
        errors["url"] = N_("A feed address starts with http:// or https://.")
    elif url:
        clash = FeedSource.select().where(FeedSource.url == url)
        if existing is not None:
            clash = clash.where(FeedSource.id != existing.id)
        if clash.exists():
            errors["url"] = N_("This feed is already a source.")
    interval = data.get("interval_minutes") or settings.default_interval_minutes
    if not 5 <= interval <= 60 * 24 * 31:
        errors["interval_minutes"] = N_("Give an interval from 5 minutes to a month.")
    if errors:
        raise ValidationError(errors)
    name = (data.get("name") or "").strip() or urlsplit(url).hostname or url
    return {"url": url, "name": name, "interval_minutes": interval}


def add_source(data: dict, *, settings: FeedSettings, actor=None, now: dt.datetime) -> FeedSource:
    """A new feed source, fetched at once and then at its interval; on the record."""
    values = _validated_source(data, None, settings)
    with db.atomic():
        source = FeedSource.create(**values, next_fetch_at=now, created_at=now)
        audit.record_create(actor, source, now)
    return source


def update_source(source: FeedSource, data: dict, *, settings: FeedSettings, actor=None, now: dt.datetime) -> FeedSource:
    """Change a source's address, name or interval; a new address starts without conditional headers."""
    values = _validated_source(
        {"url": source.url, "name": source.name, "interval_minutes": source.interval_minutes, **data}, source, settings
    )
    if values["url"] != source.url:
        values.update(etag="", last_modified="")
    with db.atomic():
        audit.save_changes(source, values, actor=actor, now=now)
    return source


def set_active(source: FeedSource, active: bool, *, actor=None, now: dt.datetime) -> None:
    """Pause a source, or fetch it again from now on."""
    with db.atomic():
        audit.save_changes(source, {"active": active, "next_fetch_at": now if active else None}, actor=actor, now=now)


def remove_source(source: FeedSource, *, actor=None, now: dt.datetime) -> None:
    """Remove a source; its calls stay (they may have been converted or passed on)."""
    with db.atomic():
        audit.record_delete(actor, source, now)
        source.delete_instance()


# Identity of a call.


def clean_link(url: str, tracking_parameters) -> str:
    """A link without tracking parameters (utm_*, session tokens), fragment, or case differences in
    scheme and host, so that it identifies the same call on every fetch."""
    parts = urlsplit((url or "").strip())
    if not parts.scheme:
        return (url or "").strip()
    drop = {name.lower() for name in tracking_parameters}
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in drop
    ]
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), parts.path or "/", urlencode(sorted(query)), ""))


def identity_of(entry: dict, source_id: int, title: str, published: dt.datetime | None, tracking) -> str:
    """The guid, else the cleaned link, else the title and date: hashed, to fit a key column."""
    guid = (dict.get(entry, "id") or "").strip()
    link = (dict.get(entry, "link") or "").strip()
    if guid:
        key = f"guid:{source_id}:{clean_link(guid, tracking) if re.match(r'^https?://', guid) else guid}"
    elif link:
        key = f"link:{clean_link(link, tracking)}"
    else:
        key = f"title:{source_id}:{title.strip().lower()}:{published.date().isoformat() if published else ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# Parsing.


@dataclass
class Item:
    """One entry of a feed, read and ready to store."""

    identity: str
    title: str
    link: str
    summary: str
    summary_text: str
    published_at: dt.datetime | None
    funder_name: str
    deadlines: list[FoundDeadline]
    rolling: bool

    @property
    def content_hash(self) -> str:
        deadline_text = ";".join(f"{d.due_on}|{d.due_at}" for d in self.deadlines)
        data = "\x1f".join([self.title, self.link, self.summary, deadline_text, str(self.rolling), self.funder_name])
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


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
    body: bytes, *, content_type: str, final_url: str, source_id: int, today: dt.date, tracking
) -> tuple[list[Item], dict | None]:
    """The entries of a feed, and a warning for an ill-formed one; FeedError when it is no feed at all.

    feedparser gets bytes in a stream, never a string (which it may take for a path).
    """
    body, warning = without_entities(body)
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-type": content_type or "application/xml", "content-location": final_url}
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
    return [_item(entry, source_id, today, tracking) for entry in parsed.entries], warning


def _published(entry) -> dt.datetime | None:
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not stamp:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(stamp), tz=dt.UTC)


def _item(entry, source_id: int, today: dt.date, tracking) -> Item:
    # dict.get reads feedparser's own keys directly; its FeedParserDict.get also tries aliases, which is slow.
    get = functools.partial(dict.get, entry)
    title = plain_text(get("title", "")) or "(uden titel)"
    summary = get("summary", "")
    if not summary and get("content"):
        summary = get("content")[0].get("value", "")
    text = plain_text(summary)
    published = _published(entry)
    reference = clock.to_local(published).date() if published else today
    finding = find_deadlines(entry, f"{title}. {text[:5000]}", reference)
    funder_name = plain_text(get("author", "") or get("publisher", "") or get("dc_publisher", ""))
    return Item(
        identity=identity_of(entry, source_id, title, published, tracking),
        title=title[:250],
        link=(get("link") or "").strip()[:1000],
        summary=summary,
        summary_text=text,
        published_at=published,
        funder_name=funder_name[:200],
        deadlines=finding.deadlines,
        rolling=finding.rolling,
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


def _describe_deadlines(items) -> str:
    return ", ".join(d.due_on.isoformat() + (f" {d.due_at:%H:%M}Z" if d.due_at else "") for d in items) or "–"


def store_items(source: FeedSource, items: list[Item], *, now: dt.datetime) -> Report:
    """Insert new calls, update changed ones (recording what changed), touch unchanged ones; in one transaction."""
    report = Report(source=source)
    unique: dict[str, Item] = {}
    for item in items:
        unique.setdefault(item.identity, item)  # the same entry twice in one feed is one call
    funders = {name.lower(): fid for fid, name in Funder.select(Funder.id, Funder.name).tuples()}
    with db.atomic():
        existing: dict[str, Call] = {}
        for batch in chunked(list(unique), 300):
            for call in Call.select().where(Call.identity.in_(batch)):
                existing[call.identity] = call
        new_rows, unchanged_ids = [], []
        for identity, item in unique.items():
            call = existing.get(identity)
            if call is None:
                new_rows.append(
                    {
                        "identity": identity,
                        "source": source.id,
                        "funder": funders.get(item.funder_name.lower()),
                        "funder_name": item.funder_name,
                        "title": item.title,
                        "link": item.link,
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
                    }
                )
            elif call.content_hash != item.content_hash:
                _update_call(call, item, now)
                report.updated += 1
            else:
                unchanged_ids.append(call.id)
        bulk_insert(Call, new_rows)
        new_identities = [row["identity"] for row in new_rows]
        deadline_rows = []
        for batch in chunked(new_identities, 300):
            for call_id, identity in Call.select(Call.id, Call.identity).where(Call.identity.in_(batch)).tuples():
                report.new_call_ids.append(call_id)
                deadline_rows.extend(_deadline_rows(call_id, unique[identity].deadlines))
        bulk_insert(CallDeadline, deadline_rows)
        for batch in chunked(unchanged_ids, 500):
            Call.update(last_seen_at=now).where(Call.id.in_(batch)).execute()
        report.new = len(new_rows)
        report.unchanged = len(unchanged_ids)
    return report


def _update_call(call: Call, item: Item, now: dt.datetime) -> None:
    """Bring a call up to date and record each field that changed; a moved deadline is recorded as such."""
    old_deadlines = list(call.deadlines.order_by(CallDeadline.due_on))
    changes = []
    for name in ("title", "link", "summary_text", "funder_name", "rolling"):
        old, new = getattr(call, name), getattr(item, name)
        if old != new:
            changes.append((name, str(old), str(new)))
    old_text, new_text = _describe_deadlines(old_deadlines), _describe_deadlines(item.deadlines)
    if old_text != new_text:
        changes.append(("deadlines", old_text, new_text))
        CallDeadline.delete().where(CallDeadline.call == call).execute()
        rows = _deadline_rows(call.id, item.deadlines)
        if rows:
            CallDeadline.insert_many(rows).execute()
    for name, old, new in changes:
        CallChange.create(call=call, changed_at=now, field=name, old=old[:2000], new=new[:2000])
    call.title, call.link, call.summary, call.summary_text = item.title, item.link, item.summary, item.summary_text
    call.funder_name, call.rolling, call.published_at = item.funder_name, item.rolling, item.published_at
    call.content_hash, call.last_seen_at, call.updated_at = item.content_hash, now, now
    call.save()


def fetch_source(source: FeedSource, settings: FeedSettings, *, now: dt.datetime, user_agent: str, match: bool = True) -> Report:
    """Fetch one source and store what it brings; any failure is recorded on the source, never raised.

    New calls are stored unmatched and then matched; should the process stop in between, the matching
    job picks them up (`match_pending_calls`)."""
    limits = fetching.Limits(
        timeout_seconds=settings.timeout_seconds,
        max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects,
        allow_private_networks=settings.allow_private_networks,
        user_agent=user_agent,
    )
    source.last_fetch_at = now
    try:
        response = fetching.fetch(source.url, limits, etag=source.etag, last_modified=source.last_modified)
        if response.status == 304:
            report = Report(source=source, not_modified=True, unchanged=Call.select().where(Call.source == source).count())
        else:
            items, warning = parse_feed(
                response.body,
                content_type=response.headers.get("content-type", ""),
                final_url=response.final_url,
                source_id=source.id,
                today=clock.to_local(now).date(),
                tracking=settings.tracking_parameters,
            )
            report = store_items(source, items, now=now)
            report.warning = warning
            source.etag, source.last_modified = response.etag[:250], response.last_modified[:250]
            source.last_warning = warning
        source.final_url = response.final_url[:1000]
        source.last_success_at = now
        source.consecutive_failures = 0
        source.last_error = None
        source.next_fetch_at = now + dt.timedelta(minutes=source.interval_minutes)
        source.last_result = {
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "not_modified": report.not_modified,
        }
        source.save()
    except fetching.FetchError as error:
        report = Report(source=source, error=error.as_record())
        source.consecutive_failures += 1
        source.last_error = error.as_record()
        backoff = min(2 ** (source.consecutive_failures - 1), MAX_BACKOFF)
        source.next_fetch_at = now + dt.timedelta(minutes=source.interval_minutes * backoff)
        source.save()
        return report
    if match and report.new_call_ids:
        match_pending_calls(now=now)
    return report


def fetch_all(
    settings: FeedSettings,
    *,
    now: dt.datetime,
    user_agent: str,
    source_id: int | None = None,
    only_due: bool = False,
    progress: Callable[[Report], None] | None = None,
) -> list[Report]:
    """Fetch every active source (or one, or only those due); each on its own, so one failure stops nothing."""
    query = FeedSource.select().where(FeedSource.active).order_by(FeedSource.id)
    if source_id is not None:
        query = FeedSource.select().where(FeedSource.id == source_id)
    if only_due:
        query = query.where(FeedSource.next_fetch_at.is_null() | (FeedSource.next_fetch_at <= now))
    reports = []
    for source in list(query):
        report = fetch_source(source, settings, now=now, user_agent=user_agent)
        reports.append(report)
        if progress:
            progress(report)
    return reports


# Matching calls to organisations.

WORD = re.compile(r"\w+")


def _words(text: str) -> str:
    """Text as its lower-case words between single spaces, so that " term " finds whole words only."""
    return " " + " ".join(WORD.findall(text.lower())) + " "


def _terms(words) -> list[str]:
    return [term for term in (_words(w).strip() for w in words if w) if term]


def match_calls(call_ids, *, now: dt.datetime) -> int:
    """Pass calls on to the organisations they fit: one of its interests or keywords in the call's text,
    or a shared UN goal, and none of its excluded words. Returns how many matches were made.

    Terms are compared as whole words ("genbrug" does not match "genbrugsplads").
    """
    organisations = list(Organisation.select().where(Organisation.archived_at.is_null()))
    wanted: dict[str, set[int]] = {}
    unwanted: dict[str, set[int]] = {}
    for organisation in organisations:
        for term in _terms(organisation.interests + organisation.keywords):
            wanted.setdefault(term, set()).add(organisation.id)
        for term in _terms(organisation.excluded_words):
            unwanted.setdefault(term, set()).add(organisation.id)
    goals = {o.id: set(o.un_goals) for o in organisations if o.un_goals}
    rows = []
    for batch in chunked(list(call_ids) if (wanted or goals) else [], 500):  # nobody has said what they want: none fit
        for call in Call.select(Call.id, Call.title, Call.summary_text, Call.un_goals).where(Call.id.in_(batch)):
            text = _words(f"{call.title} {call.summary_text}")
            reasons: dict[int, list[str]] = {}
            for term, organisation_ids in wanted.items():
                if f" {term} " in text:
                    for organisation_id in organisation_ids:
                        reasons.setdefault(organisation_id, []).append(term)
            if call.un_goals:
                for organisation_id, organisation_goals in goals.items():
                    shared = organisation_goals & set(call.un_goals)
                    if shared:
                        reasons.setdefault(organisation_id, []).extend(f"UN {g}" for g in sorted(shared))
            if reasons:
                for term, organisation_ids in unwanted.items():
                    if f" {term} " in text:
                        for organisation_id in organisation_ids:
                            reasons.pop(organisation_id, None)
            rows.extend(
                {"call": call.id, "organisation": organisation_id, "reasons": sorted(set(words)), "matched_at": now}
                for organisation_id, words in reasons.items()
            )
    with db.atomic():
        bulk_insert(CallMatch, rows, ignore_conflicts=True)
        for batch in chunked(list(call_ids), 500):
            Call.update(matched_at=now).where(Call.id.in_(batch)).execute()
    return len(rows)


def match_pending_calls(*, now: dt.datetime) -> int:
    """Match every call not matched yet (stored by a fetch that stopped before matching, or new): the job that
    makes sure no call is lost between storing and passing it on."""
    matched = 0
    while True:
        ids = [row.id for row in Call.select(Call.id).where(Call.matched_at.is_null()).order_by(Call.id).limit(MATCH_BATCH)]
        if not ids:
            return matched
        matched += match_calls(ids, now=now)


# Triage.


def visible_calls(user):
    """Fundraisers and viewers see every call; members the calls passed on to their organisation."""
    query = Call.select()
    if user.is_member:
        query = query.where(Call.id.in_(CallMatch.select(CallMatch.call).where(CallMatch.organisation == user.organisation_id)))
    return query


def matches_visible_to(user, call_ids):
    """The matches of these calls that `user` may see: a member only their own organisation's."""
    query = (
        CallMatch.select(CallMatch, Organisation)
        .join(Organisation)
        .where(CallMatch.call.in_(list(call_ids)))
        .order_by(CallMatch.id)
    )
    if user.is_member:
        query = query.where(CallMatch.organisation == user.organisation_id)
    return query


DEADLINE_WINDOWS = {"30": 30, "90": 90, "rolling": None, "unknown": None}


@dataclass
class CallFilters:
    """What the calls inbox and its export are narrowed to (each empty value narrows nothing)."""

    status: str = ""  # a call status, or "" for all (a member's "" leaves out the dismissed)
    text: str = ""
    source_id: int | None = None
    organisation_id: int | None = None  # the calls passed on to this organisation (not for members)
    window: str = ""  # a key of DEADLINE_WINDOWS


def filtered_calls(user, filters: CallFilters, today: dt.date):
    """The calls `user` sees, narrowed by `filters`: the inbox and its export read the same rows."""
    query = visible_calls(user)
    if filters.status in CALL_STATUSES:
        query = query.where(Call.status == filters.status)
    elif user.is_member:
        query = query.where(Call.status != "dismissed")
    if filters.text:
        text = filters.text
        query = query.where(Call.title.contains(text) | Call.summary_text.contains(text) | Call.funder_name.contains(text))
    if filters.source_id is not None:
        query = query.where(Call.source == filters.source_id)
    if filters.organisation_id is not None and not user.is_member:
        matched = CallMatch.select(CallMatch.call).where(CallMatch.organisation == filters.organisation_id)
        query = query.where(Call.id.in_(matched))
    if filters.window == "rolling":
        query = query.where(Call.rolling)
    elif filters.window == "unknown":
        query = query.where(~Call.rolling & ~fn.EXISTS(CallDeadline.select().where(CallDeadline.call == Call.id)))
    elif filters.window in DEADLINE_WINDOWS:
        until = today + dt.timedelta(days=DEADLINE_WINDOWS[filters.window])
        query = query.where(Call.id.in_(CallDeadline.select(CallDeadline.call).where(CallDeadline.due_on.between(today, until))))
    return query


def inbox_order(query):
    """Newest first, with each call's source in the same query."""
    return query.select(Call, FeedSource).join(FeedSource, JOIN.LEFT_OUTER).order_by(Call.first_seen_at.desc(), Call.id.desc())


def deadlines_by_call(call_ids) -> dict[int, list[CallDeadline]]:
    """The deadlines of these calls, earliest first, in one query."""
    found: dict[int, list[CallDeadline]] = {}
    for deadline in CallDeadline.select().where(CallDeadline.call.in_(list(call_ids))).order_by(CallDeadline.due_on):
        found.setdefault(deadline.call_id, []).append(deadline)
    return found


def calls_for_organisation(organisation: Organisation, limit: int) -> list[Call]:
    """The latest calls passed on to an organisation (not dismissed), for its page."""
    return list(
        Call.select(Call, CallMatch)
        .join(CallMatch)
        .where((CallMatch.organisation == organisation) & (Call.status != "dismissed"))
        .order_by(CallMatch.matched_at.desc(), Call.id.desc())
        .limit(limit)
    )


def calls_per_source() -> dict[int, int]:
    """How many calls each source has brought, for the sources page."""
    return dict(Call.select(Call.source, fn.COUNT(Call.id)).group_by(Call.source).tuples())


def set_status(call: Call, status: str, *, actor, now: dt.datetime) -> None:
    """Mark a call new, relevant or dismissed; a dismissed call stays dismissed however often it is fetched again."""
    if status not in ("new", "relevant", "dismissed"):
        raise ValidationError({"status": N_("Choose a status from the list.")})
    if call.status == "converted":
        raise ValidationError({"status": N_("The call is already an application.")})
    with db.atomic():
        audit.save_changes(
            call,
            {
                "status": status,
                "dismissed_at": now if status == "dismissed" else None,
                "dismissed_by": actor if status == "dismissed" else None,
            },
            actor=actor,
            now=now,
        )


def funder_for(call: Call) -> Funder | None:
    """The call's funder: set already, else the funder whose name the feed gave, else one named in the title."""
    if call.funder_id:
        return call.funder
    if call.funder_name:
        funder = Funder.get_or_none(fn.LOWER(Funder.name) == call.funder_name.lower())
        if funder:
            return funder
    title = call.title.lower()
    candidates = [
        f
        for f in Funder.select(Funder.id, Funder.name).where(Funder.archived_at.is_null())
        if len(f.name) > 4 and f.name.lower() in title
    ]
    return max(candidates, key=lambda f: len(f.name)) if candidates else None


def convert_to_application(call: Call, *, organisation: Organisation, funder: Funder | None, actor, now: dt.datetime):
    """Create an application from a call: title, funder and the call's next deadline filled in."""
    if call.status == "converted" and call.application_id:
        raise ValidationError({"call": N_("The call is already an application.")})
    funder = funder or funder_for(call)
    if funder is None:
        raise ValidationError({"funder": N_("Choose the funder: none matches the call's name.")})
    today = clock.to_local(now).date()
    upcoming = [d for d in call.deadlines.order_by(CallDeadline.due_on) if d.due_on >= today]
    submission = applications.SubmissionDeadline(upcoming[0].due_on, upcoming[0].due_at) if upcoming else None
    with db.atomic():
        application = applications.create_application(
            {
                "organisation": organisation,
                "funder": funder,
                "title": call.title,
                "purpose": call.summary_text[:2000],
                "notes": call.link,
                "owner": actor if actor and actor.is_fundraiser else None,
            },
            actor=actor,
            now=now,
            submission=submission,
        )
        audit.save_changes(call, {"status": "converted", "application": application, "funder": funder}, actor=actor, now=now)
    return application


def status_counts(query) -> dict[str, int]:
    """How many of the calls in `query` are in each status, counted in one query."""
    counts = {status: 0 for status in CALL_STATUSES}
    for status, count in query.select(Call.status, fn.COUNT(Call.id)).group_by(Call.status).order_by().tuples():
        counts[status] = count
    return counts
