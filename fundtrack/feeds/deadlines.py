"""Finding a call's deadlines in its feed entry: structured fields first, else the words of the text.

English and Danish phrasings and formats are read ("Closing date: 6 October 2026 4:00pm UK time",
"Ansøgningsfrist: 1. marts 2027 kl. 12.00", "Frist: 15.09.2027", year-less "18. oktober"). Only a
date that a deadline word points to counts: anything else is left unknown, never guessed. Time zones
named in the text are respected; without one, a time of day is in the installation's zone (Copenhagen by
default). Nothing here reads the machine's own time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fundtrack.clock import local_zone
from fundtrack.spreadsheets import MONTHS
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY

UTC = dt.UTC
WINDOW = 90  # how far before a date a deadline word may stand (characters)

# A month is any short word here, checked against MONTHS afterwards: an alternation of thirty month
# names tried at every position of every text would make this the slowest part of ingesting a feed.
# The forms are alternatives of one pattern (one scan of the text); at one position the earlier wins,
# so a date with its year is read before the same date without one.
_FORMS = [
    r"(?P<y0>\d{4})-(?P<m0>[01]\d)-(?P<d0>[0-3]\d)\b",
    r"(?P<d1>[0-3]?\d)[./-](?P<m1>[01]?\d)[./-](?P<y1>\d{4})\b",
    r"(?P<d2>[0-3]?\d)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?P<n2>[a-zæøå]{3,9})\.?,?\s+(?P<y2>\d{4})\b",
    r"(?P<n3>[a-zæøå]{3,9})\.?\s+(?P<d3>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})\b",
    # Without a year: resolved to the next such date.
    r"(?P<d4>[0-3]?\d)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?P<n4>[a-zæøå]{3,9})\.?(?![\w.]*,?\s*\d{4})",
    r"(?P<n5>[a-zæøå]{3,9})\.?\s+(?P<d5>[0-3]?\d)(?:st|nd|rd|th)?\b(?!,?\s*\d{4})",
]
DATES = re.compile(r"\b(?:" + "|".join(f"(?:{form})" for form in _FORMS) + ")")

TIME = re.compile(
    r"^\s*(?:,|kl\.?|klokken|at|by|\bbefore\b)?\s*(?P<h>[0-2]?\d)(?:[:.](?P<min>[0-5]\d))?\s*"
    r"(?P<ampm>a\.?m\.?|p\.?m\.?)?(?=\W|$)",
    re.I,
)
ZONES = [
    (re.compile(r"^\s*(?:\(|,)?\s*(?:uk|british|london|bst)(?:\s+time)?\b", re.I), "Europe/London"),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:gmt|utc|z)\b", re.I), "UTC"),
    (
        re.compile(
            r"^\s*(?:\(|,)?\s*(?:cet|cest|dansk tid|danish time|copenhagen time|brussels time|"
            r"central european(?: summer)? time)\b",
            re.I,
        ),
        "Europe/Copenhagen",
    ),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:et|est|edt|eastern time)\b", re.I), "America/New_York"),
]
KEYWORDS = re.compile(
    r"deadlines?|closing date|close date|closes|closing|due date|\bdue\b|submission date|submit by|apply by|"
    r"received by|on or before|no later than|applications? (?:must be )?(?:submitted|received)|expires?|"
    r"ansøgningsfrist(?:en)?|tidsfrist|frist(?:en|er)?|senest|lukker|sidste frist|indsendes inden|skal være modtaget"
)
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÆØÅ])|\n")  # applied to the original text, where capitals remain
ROLLING = re.compile(
    r"\bløbende\b|\brolling\b|no (?:fixed )?deadline|ingen (?:ansøgnings)?frist|open all year|hele året|"
    r"until further notice|indtil videre"
)


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
    form = next(i for i in range(len(_FORMS)) if match.group(f"d{i}") is not None)
    groups = {name[0]: value for name, value in match.groupdict().items() if name.endswith(str(form))}
    day = int(groups["d"])
    month = MONTHS.get(groups["n"]) if "n" in groups else int(groups["m"])
    if not month:
        return None  # a word that is no month
    if groups.get("y"):
        year = int(groups["y"])
        if "n" not in groups and month > 12 and day <= 12:
            day, month = month, day  # 06/30/2027, the American way
        try:
            found = dt.date(year, month, day)
        except ValueError:
            return None
        return found if EARLIEST_DAY <= found <= LATEST_DAY else None  # 31 December 9999 is no deadline
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
    rest = after[match.end() :]
    for pattern, zone in ZONES:
        zone_match = pattern.match(rest)
        if zone_match:
            return dt.time(hour, minute), zone, match.end() + zone_match.end()
    return dt.time(hour, minute), None, match.end()


def _points_to_deadline(text: str, lowered: str, start: int) -> bool:
    """True when a deadline word stands before the date, in the same sentence, close by."""
    offset = max(0, start - WINDOW)
    cut = list(SENTENCE_END.finditer(text[offset:start]))
    if cut:
        offset += cut[-1].end()
    return bool(KEYWORDS.search(lowered, offset, start))


def _windows(lowered: str) -> list[tuple[int, int]]:
    """The stretches of text that follow a deadline word closely enough for a date in them to count."""
    windows: list[tuple[int, int]] = []
    for keyword in KEYWORDS.finditer(lowered):
        start, end = keyword.start(), min(len(lowered), keyword.end() + WINDOW + 40)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _candidates(lowered: str, windows: list[tuple[int, int]], reference: dt.date):
    """(match, date) for every date in the text, searching only near deadline words when those are needed.

    A match whose "month" is no month ("deadline 1") is skipped by one character, so that the real date
    inside it ("1 july 2027") is still found.
    """
    for start, end in windows:
        position = start
        while match := DATES.search(lowered, position, end):
            day = _date_from(match, reference)
            if day is None:
                position = match.start() + 1
                continue
            yield match, day
            position = match.end()


def find_in_text(text: str, reference: dt.date, *, need_keyword: bool = True) -> Finding:
    """Every deadline a deadline word points to in `text`; rolling when the text says there is none.

    The patterns run on the lower-cased text (case-insensitive patterns are several times slower).
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer: keep positions aligned
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    finding = Finding(rolling=bool(ROLLING.search(lowered)))
    windows = _windows(lowered) if need_keyword else [(0, len(lowered))]
    if not windows:
        return finding  # no deadline word anywhere: nothing can count
    taken: list[tuple[int, int]] = []
    seen: set[tuple[dt.date, dt.datetime | None]] = set()
    for match, day in _candidates(lowered, windows, reference):
        if any(start <= match.start() < end or start < match.end() <= end for start, end in taken):
            continue
        if need_keyword and not _points_to_deadline(text, lowered, match.start()):
            continue
        taken.append((match.start(), match.end()))
        clock, zone, length = _time_and_zone(lowered[match.end() : match.end() + 40])
        zone = zone or local_zone().key
        due_at = None
        if clock is not None:
            due_at = dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        if (day, due_at) in seen:
            continue
        seen.add((day, due_at))
        found_in = text[max(0, match.start() - 40) : match.end() + length].strip()
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
            found.append(FoundDeadline(moment.date(), None, local_zone().key, f"{key}: {text}"))
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
