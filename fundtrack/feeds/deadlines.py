"""Finding a call's deadlines in its feed entry: structured fields first, else the words of the text.

English and Danish phrasings and formats are read ("Closing date: 6 October 2026 4:00pm UK time",
"Ansøgningsfrist: 1. marts 2027 kl. 12.00", "Frist: 15.09.2027", year-less "18. oktober"). Only a
date that a deadline word points to counts: anything else is left unknown, never guessed. Time zones
named in the text are respected; without one, a time of day is Copenhagen time. Nothing here reads
the machine's own time zone.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fundtrack.spreadsheets import MONTHS

DEFAULT_ZONE = "Europe/Copenhagen"
UTC = dt.UTC
WINDOW = 90  # how far before a date a deadline word may stand (characters)

_MONTH = r"(?P<{name}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{name}>[0-3]?\d)"
_YEAR = r"(?P<{name}>\d{{4}})"

DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(r"\b(?P<d>[0-3]?\d)[./-](?P<m>[01]?\d)[./-](?P<y>\d{4})\b"),
    re.compile(r"\b" + _DAY.format(name="d") + r"(?:\.|st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.format(name="mn")
               + r",?\s+" + _YEAR.format(name="y") + r"\b", re.I),
    re.compile(r"\b" + _MONTH.format(name="mn") + r"\s+" + _DAY.format(name="d") + r"(?:st|nd|rd|th)?,?\s+"
               + _YEAR.format(name="y") + r"\b", re.I),
    # Without a year: resolved to the next such date.
    re.compile(r"\b" + _DAY.format(name="d") + r"(?:\.|st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.format(name="mn")
               + r"(?![\w.]*,?\s*\d{4})", re.I),
    re.compile(r"\b" + _MONTH.format(name="mn") + r"\s+" + _DAY.format(name="d") + r"(?:st|nd|rd|th)?\b(?!,?\s*\d{4})", re.I),
]

TIME = re.compile(r"^\s*(?:,|kl\.?|klokken|at|by|\bbefore\b)?\s*(?P<h>[0-2]?\d)(?:[:.](?P<min>[0-5]\d))?\s*"
                  r"(?P<ampm>a\.?m\.?|p\.?m\.?)?(?=\W|$)", re.I)
ZONES = [
    (re.compile(r"^\s*(?:\(|,)?\s*(?:uk|british|london|bst)(?:\s+time)?\b", re.I), "Europe/London"),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:gmt|utc|z)\b", re.I), "UTC"),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:cet|cest|dansk tid|danish time|copenhagen time|brussels time|"
                r"central european(?: summer)? time)\b", re.I), "Europe/Copenhagen"),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:et|est|edt|eastern time)\b", re.I), "America/New_York"),
]
KEYWORDS = re.compile(
    r"deadlines?|closing date|close date|closes|closing|due date|\bdue\b|submission date|submit by|apply by|"
    r"received by|on or before|no later than|applications? (?:must be )?(?:submitted|received)|expires?|"
    r"ansøgningsfrist(?:en)?|tidsfrist|frist(?:en|er)?|senest|lukker|sidste frist|indsendes inden|skal være modtaget",
    re.I)
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÆØÅ])|\n")
ROLLING = re.compile(
    r"\bløbende\b|\brolling\b|no (?:fixed )?deadline|ingen (?:ansøgnings)?frist|open all year|hele året|"
    r"until further notice|indtil videre", re.I)


@dataclass(frozen=True)
class FoundDeadline:
    due_on: dt.date
    due_at: dt.datetime | None
    timezone: str
    found_in: str


@dataclass
class Finding:
    deadlines: list[FoundDeadline] = field(default_factory=list)
    rolling: bool = False


def _date_from(match: re.Match, reference: dt.date) -> dt.date | None:
    groups = match.groupdict()
    day = int(groups["d"])
    month = MONTHS.get(groups["mn"].lower().rstrip(".")) if groups.get("mn") else int(groups["m"])
    if groups.get("y"):
        year = int(groups["y"])
        if not groups.get("mn") and month > 12 and day <= 12:
            day, month = month, day  # 06/30/2027, the American way
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    for year in (reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= reference:
            return candidate
    return None


def _time_and_zone(after: str) -> tuple[dt.time | None, str | None, int]:
    """A time of day (and a named zone) right after a date; how many characters they take."""
    match = TIME.match(after)
    if not match or (match.group("min") is None and match.group("ampm") is None):
        return None, None, 0
    hour, minute = int(match.group("h")), int(match.group("min") or 0)
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return None, None, 0
    rest = after[match.end():]
    for pattern, zone in ZONES:
        zone_match = pattern.match(rest)
        if zone_match:
            return dt.time(hour, minute), zone, match.end() + zone_match.end()
    return dt.time(hour, minute), None, match.end()


def _points_to_deadline(text: str, start: int) -> bool:
    """True when a deadline word stands before the date, in the same sentence, close by."""
    before = text[max(0, start - WINDOW):start]
    cut = list(SENTENCE_END.finditer(before))
    if cut:
        before = before[cut[-1].end():]
    return bool(KEYWORDS.search(before))


def find_in_text(text: str, reference: dt.date, *, need_keyword: bool = True) -> Finding:
    """Every deadline a deadline word points to in `text`; rolling when the text says there is none."""
    finding = Finding(rolling=bool(ROLLING.search(text)))
    taken: list[tuple[int, int]] = []
    seen: set[tuple[dt.date, dt.datetime | None]] = set()
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end or start < match.end() <= end for start, end in taken):
                continue
            if need_keyword and not _points_to_deadline(text, match.start()):
                continue
            day = _date_from(match, reference)
            if day is None:
                continue
            taken.append((match.start(), match.end()))
            clock, zone, length = _time_and_zone(text[match.end():match.end() + 40])
            zone = zone or DEFAULT_ZONE
            due_at = None
            if clock is not None:
                due_at = dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)
            if (day, due_at) in seen:
                continue
            seen.add((day, due_at))
            found_in = text[max(0, match.start() - 40):match.end() + length].strip()
            finding.deadlines.append(FoundDeadline(day, due_at, zone, found_in[:250]))
    finding.deadlines.sort(key=lambda d: (d.due_on, d.due_at or dt.datetime.min.replace(tzinfo=UTC)))
    return finding


STRUCTURED_KEY = re.compile(r"deadline|closing|close_?date|closedate|frist|end_?date|expir", re.I)


def find_in_fields(entry: dict, reference: dt.date) -> list[FoundDeadline]:
    """Deadlines from a feed's own fields (`<deadline>`, `<closingDate>`, `ev:enddate`, …)."""
    found = []
    for key, value in entry.items():
        if not isinstance(value, str) or not STRUCTURED_KEY.search(key) or key.endswith("_detail"):
            continue
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None and ("T" in text or " " in text):
            found.append(FoundDeadline(moment.date(), moment.astimezone(UTC), str(moment.tzinfo), f"{key}: {text}"))
            continue
        if moment is not None and len(text) == 10:
            found.append(FoundDeadline(moment.date(), None, DEFAULT_ZONE, f"{key}: {text}"))
            continue
        for deadline in find_in_text(text, reference, need_keyword=False).deadlines:
            found.append(FoundDeadline(deadline.due_on, deadline.due_at, deadline.timezone, f"{key}: {text}"[:250]))
    return found


def find_deadlines(entry: dict, text: str, reference: dt.date) -> Finding:
    """A call's deadlines: from structured fields where the feed has them, else from its text."""
    structured = find_in_fields(entry, reference)
    finding = find_in_text(text, reference)
    if structured:
        return Finding(deadlines=sorted(set(structured), key=lambda d: d.due_on), rolling=finding.rolling)
    return finding
