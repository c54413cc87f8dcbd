"""Feed sources and the calls they bring: fetch each source (reading and storing is `ingest`'s), pass each new
call on to the organisations it fits, and the fundraiser's triage: status, corrected deadlines, conversion.

One failing source never stops the others: each source's fetch is its own transaction, and its
failure is recorded on the source in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from peewee import JOIN, fn

from fundtrack import clock
from fundtrack.applications import services as applications
from fundtrack.audit import services as audit
from fundtrack.config import FeedSettings
from fundtrack.db import bulk_insert, db
from fundtrack.feeds import fetching, ingest, matching
from fundtrack.feeds.models import CALL_STATUSES, DATE_ORDERS, Call, CallDeadline, CallMatch, CallSource, FeedSource
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.search.index import folded_contains
from fundtrack.validation import ValidationError, check_day, require

MAX_BACKOFF = 8  # a failing source waits at most eight intervals before it is tried again


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
    date_order = data.get("date_order") or ""
    if date_order not in DATE_ORDERS:
        errors["date_order"] = N_("Choose from the list.")
    if errors:
        raise ValidationError(errors)
    name = (data.get("name") or "").strip() or urlsplit(url).hostname or url
    return {"url": url, "name": name, "interval_minutes": interval, "date_order": date_order}


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
        {
            "url": source.url,
            "name": source.name,
            "interval_minutes": source.interval_minutes,
            "date_order": source.date_order,
            **data,
        },
        source,
        settings,
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


def fetch_source(
    source: FeedSource, settings: FeedSettings, *, now: dt.datetime, user_agent: str, match: bool = True
) -> ingest.Report:
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
            unchanged = CallSource.select().where(CallSource.source == source).count()
            report = ingest.Report(source=source, not_modified=True, unchanged=unchanged)
        else:
            items, warning = ingest.parse_feed(
                response.body,
                content_type=response.headers.get("content-type", ""),
                final_url=response.final_url,
                source=source,
                today=clock.to_local(now).date(),
                tracking=settings.tracking_parameters,
            )
            report = ingest.store_items(source, items, now=now, tracking=settings.tracking_parameters)
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
        report = ingest.Report(source=source, error=error.as_record())
        source.consecutive_failures += 1
        source.last_error = error.as_record()
        backoff = min(2 ** (source.consecutive_failures - 1), MAX_BACKOFF)
        source.next_fetch_at = now + dt.timedelta(minutes=source.interval_minutes * backoff)
        source.save()
        return report
    if match and report.new_call_ids:
        matching.match_pending_calls(now=now)
    return report


def fetch_all(
    settings: FeedSettings,
    *,
    now: dt.datetime,
    user_agent: str,
    source_id: int | None = None,
    only_due: bool = False,
    progress: Callable[[ingest.Report], None] | None = None,
) -> list[ingest.Report]:
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
        query = query.where(
            folded_contains(Call.title, text) | folded_contains(Call.summary_text, text) | folded_contains(Call.funder_name, text)
        )
    if filters.source_id is not None:
        query = query.where(Call.id.in_(CallSource.select(CallSource.call).where(CallSource.source == filters.source_id)))
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


def sources_by_call(call_ids) -> dict[int, list[FeedSource]]:
    """The sources each call came from, by name, in one query (a call may come from several)."""
    found: dict[int, list[FeedSource]] = {}
    ids = list(call_ids)
    if not ids:
        return found
    query = (
        CallSource.select(CallSource.call, FeedSource)
        .join(FeedSource)
        .where(CallSource.call.in_(ids))
        .order_by(FeedSource.name, FeedSource.id)
    )
    for entry in query:
        found.setdefault(entry.call_id, []).append(entry.source)
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
    """How many calls each source has, for the sources page (a call from two sources counts for both)."""
    return dict(CallSource.select(CallSource.source, fn.COUNT(CallSource.id)).group_by(CallSource.source).tuples())


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


def set_aside_match(call: Call, organisation_id: int, *, actor, now: dt.datetime) -> bool:
    """An organisation has looked at a call passed on to it: the call leaves its "my work" list (it stays in
    the calls list). False when the call was not passed on to it."""
    match = CallMatch.get_or_none((CallMatch.call == call.id) & (CallMatch.organisation == organisation_id))
    if match is None or match.set_aside_at is not None:
        return False
    with db.atomic():
        match.set_aside_at = now
        match.save()
        audit.record_action(actor, call, "set_aside", now, {"organisation": [None, organisation_id]})
    return True


def matched_calls_to_look_at(organisation_id: int, today: dt.date, limit: int = 10):
    """Calls passed on to the organisation that it has not set aside, whose deadline has not passed."""
    open_deadline = CallDeadline.select(CallDeadline.call).where(CallDeadline.due_on >= today)
    no_deadline = Call.id.not_in(CallDeadline.select(CallDeadline.call))
    return (
        Call.select(Call, CallMatch)
        .join(CallMatch)
        .where(
            (CallMatch.organisation == organisation_id)
            & CallMatch.set_aside_at.is_null()
            & Call.status.in_(["new", "relevant"])
            & (Call.id.in_(open_deadline) | no_deadline)
        )
        .order_by(CallMatch.matched_at.desc(), Call.id.desc())
        .limit(limit)
    )


# Correcting a call's deadlines.


@dataclass(frozen=True)
class CorrectedDeadline:
    """A deadline as the fundraiser gives it: a day, and a time of day in the installation's zone or none."""

    due_on: dt.date
    at: dt.time | None = None


def _deadline_words(deadlines) -> str:
    return ", ".join(d.due_on.isoformat() + (f" {clock.to_local(d.due_at):%H:%M}" if d.due_at else "") for d in deadlines) or "–"


def _replace_deadlines(call: Call, rows: list[dict]) -> None:
    CallDeadline.delete().where(CallDeadline.call == call).execute()
    bulk_insert(CallDeadline, [{"call": call.id, **row} for row in rows])


def correct_deadlines(call: Call, deadlines: list[CorrectedDeadline], *, rolling: bool, actor, now: dt.datetime) -> None:
    """The fundraiser's deadlines for a call, in place of what was read from the feed: they stay through later
    fetches, unless the feed's own deadline words change (then the call is flagged for a look)."""
    errors: dict = {}
    for index, deadline in enumerate(deadlines):
        check_day(errors, f"due_on_{index}", deadline.due_on)
    if not deadlines and not rolling:
        errors["due_on_0"] = N_("Give a deadline, or say that the call is rolling.")
    if errors:
        raise ValidationError(errors)
    zone = clock.local_zone()
    rows, seen = [], set()
    for deadline in sorted(deadlines, key=lambda d: (d.due_on, d.at or dt.time())):
        if (deadline.due_on, deadline.at) in seen:
            continue  # a date typed twice is one deadline
        seen.add((deadline.due_on, deadline.at))
        due_at = dt.datetime.combine(deadline.due_on, deadline.at, tzinfo=zone).astimezone(dt.UTC) if deadline.at else None
        rows.append({"due_on": deadline.due_on, "due_at": due_at, "timezone": zone.key, "found_in": ""})
    before = _deadline_words(call.deadlines.order_by(CallDeadline.due_on))
    with db.atomic():
        _replace_deadlines(call, rows)
        after = _deadline_words(call.deadlines.order_by(CallDeadline.due_on))
        audit.save_changes(
            call,
            {
                "rolling": rolling,
                "deadlines_corrected_at": now,
                "deadlines_corrected_by": actor,
                "corrected_against": call.feed_deadline_text,
                "needs_review": False,
            },
            actor=actor,
            now=now,
            action="correct_deadlines",
            extra={"deadlines": [before, after]} if before != after else None,
        )


def keep_correction(call: Call, *, actor, now: dt.datetime) -> None:
    """The fundraiser has looked: the correction holds against what the feed says now."""
    with db.atomic():
        audit.save_changes(
            call,
            {"corrected_against": call.feed_deadline_text, "needs_review": False},
            actor=actor,
            now=now,
            action="keep_correction",
        )


def use_feed_deadlines(call: Call, *, actor, now: dt.datetime) -> None:
    """Drop the correction: the call's deadlines are what the feed says again."""
    rows = [
        {
            "due_on": dt.date.fromisoformat(d["due_on"]),
            "due_at": dt.datetime.fromisoformat(d["due_at"]) if d.get("due_at") else None,
            "timezone": d.get("timezone") or clock.local_zone().key,
            "found_in": d.get("found_in") or "",
        }
        for d in call.feed_deadlines or []
    ]
    before = _deadline_words(call.deadlines.order_by(CallDeadline.due_on))
    with db.atomic():
        _replace_deadlines(call, rows)
        after = _deadline_words(call.deadlines.order_by(CallDeadline.due_on))
        audit.save_changes(
            call,
            {
                "rolling": "rolling" in (call.feed_deadline_text or "").split("\n"),
                "deadlines_corrected_at": None,
                "deadlines_corrected_by": None,
                "corrected_against": "",
                "needs_review": False,
            },
            actor=actor,
            now=now,
            action="use_feed_deadlines",
            extra={"deadlines": [before, after]} if before != after else None,
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
