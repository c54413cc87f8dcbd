"""Finding a call's deadlines in its feed entry, as a person reading it would: structured fields first, else
the words of the text.

A date counts as the application deadline when the nearest label before it, in the same sentence or table
row, is a deadline word ("Ansøgningsfrist", "Closing date", "apply by"). When the nearest label names
another date ("svar senest", "Opening date", "projektperiode", "udbetales") the date is kept as a labelled
date of that kind, never as the deadline; a date with no label at all is left unknown, never guessed. A
weak word such as "senest" or "by" right after another kind's label belongs to that label ("projektet
skal være afsluttet senest").

Dates are read in English and Danish, with a time of day before or after them ("kl. 12.00 den 2. februar
2027", "5pm on 12 March 2027", "12 noon", "midnight" as the end of that day) and a zone when one is named;
otherwise a time is in the installation's zone. A numeric date such as 03/04/2027 is read day first,
month first only in a US source (the feed's language or the source's setting), and left unknown when the
source says nothing of its language. Nothing here reads the machine's own time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fundtrack.clock import local_zone
from fundtrack.i18n_markers import N_
from fundtrack.spreadsheets import MONTHS
from fundtrack.validation import EARLIEST_DAY, LATEST_DAY

UTC = dt.UTC
WINDOW = 90  # how far before a date its label may stand (characters)
WEAK_REACH = 30  # how close a weak deadline word must follow another kind's label to belong to it

# Date orders of numeric dates such as 03/04/2027.
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"

# A month is any short word here, checked against MONTHS afterwards: an alternation of thirty month
# names tried at every position of every text would make this the slowest part of ingesting a feed.
# The forms are alternatives of one pattern (one scan of the text); at one position the earlier wins,
# so a date with its year is read before the same date without one.
_FORMS = [
    r"(?P<y0>\d{4})-(?P<m0>[01]\d)-(?P<d0>[0-3]\d)\b",
    r"(?P<d1>[0-3]?\d)\.(?P<m1>[01]?\d)\.(?P<y1>\d{4})\b",  # dotted: always day first
    r"(?P<d2>[0-3]?\d)[/-](?P<m2>[01]?\d)[/-](?P<y2>\d{4})\b",  # slashes or dashes: either order
    r"(?P<d3>[0-3]?\d)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?P<n3>[a-zæøå]{3,9})\.?,?\s+(?P<y3>\d{4})\b",
    r"(?P<n4>[a-zæøå]{3,9})\.?\s+(?P<d4>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y4>\d{4})\b",
    # Without a year: resolved to the next such date.
    r"(?P<d5>[0-3]?\d)(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?P<n5>[a-zæøå]{3,9})\.?(?![\w.]*,?\s*\d{4})",
    r"(?P<n6>[a-zæøå]{3,9})\.?\s+(?P<d6>[0-3]?\d)(?:st|nd|rd|th)?\b(?!,?\s*\d{4})",
]
DATES = re.compile(r"\b(?:" + "|".join(f"(?:{form})" for form in _FORMS) + ")")
_GROUPS = [  # per form: its groups by their letter (d, m, n, y)
    {name[0]: name for name in DATES.groupindex if name[1:] == str(form)} for form in range(len(_FORMS))
]
EITHER_ORDER = 2  # the form whose numbers may be day-month or month-day

_CLOCK = (
    r"(?:(?P<h>[0-2]?\d)(?:[:.](?P<min>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?:\s*(?P<noon_word>noon))?"
    r"|(?P<noon>noon|midday|middag)|(?P<midnight>midnight|midnat))"
)
TIME_AFTER = re.compile(r"^(?:\s*(?:,|kl\.?|klokken|at|by|before|senest|\(|-|–))*\s*" + _CLOCK + r"(?=\W|$)")
TIME_BEFORE = re.compile(
    r"(?:\b(?P<prefix>kl\.?|klokken|at|by|before|senest)\s*)?" + _CLOCK + r"\s*(?P<zone>\(?[a-z ]{2,30}?\)?)?\s*"
    r"(?:,\s*)?(?:on\s+(?:the\s+)?|den\s+|d\.\s*)?$"
)
ZONES = [
    (re.compile(r"^\s*(?:\(|,)?\s*(?:uk|british|london|bst)(?:\s+time)?\b"), "Europe/London"),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:gmt|utc|z)\b"), "UTC"),
    (
        re.compile(
            r"^\s*(?:\(|,)?\s*(?:cet|cest|dansk tid|danish time|copenhagen time|brussels time|"
            r"central european(?: summer)? time)\b"
        ),
        "Europe/Copenhagen",
    ),
    (re.compile(r"^\s*(?:\(|,)?\s*(?:et|est|edt|eastern time)\b"), "America/New_York"),
]

# The labels, each of a kind. Another kind's phrases come before the deadline words: at one position the
# earlier alternative wins, so "svar senest" is read as a decision before "senest" can count.
OTHER_KINDS = {
    "decision": N_("Decision"),
    "opening": N_("Opens"),
    "publication": N_("Published"),
    "archive": N_("Archived"),
    "project": N_("Project period"),
    "payment": N_("Payment"),
    "event": N_("Meeting"),
}
_LABELS = {
    "decision": r"svar(?:et)? (?:senest|forventes|gives|sendes|ventes)|forventet svar|svar på ansøgning(?:en)?|"
    r"besked om (?:svar|afgørelse)|afgørelse(?:n)?(?: træffes| forventes)?|bestyrelsesmøde|"
    r"decisions? (?:by|expected|date|will be made)|expected decision|notification(?: of (?:results|outcome))? by|"
    r"results? (?:announced|by|expected)|outcome (?:by|expected)|we will (?:respond|reply|decide)|"
    r"\bsvar\b|\bdecisions?\b|\bresponse\b|\bbeslutning\b",
    "opening": r"opening date|opens? (?:on|for applications)|opens|applications open|åbner(?: for ansøgninger)?|"
    r"åbningsdato|ansøgningsrunden åbner|åben for ansøgninger fra",
    "publication": r"published(?: on)?|publication date|posted on|offentliggjort|udgivet|opslaget er oprettet",
    "archive": r"archive date|archived? on|arkivdato|arkiveres",
    "project": r"projektperiode(?:n)?|project period|projektet skal være (?:afsluttet|gennemført|slut)|"
    r"skal være afsluttet|projektet (?:starter|slutter|løber)|projektstart|projektslut|projektets (?:start|slut)|"
    r"project(?:s)? (?:must )?(?:end|finish|start|run)s?|projects? must be completed|must be completed|"
    r"start date|end date|startdato|slutdato|gennemføres i perioden|spent by|brugt inden",
    "payment": r"udbetal(?:ing(?:en)?|es|t)|payments?(?: date| made| will be made)?|paid (?:out )?(?:by|on)|rate(?:r)? udbetales",
    "event": r"informationsmøde|info(?:rmation)?(?:møde| meeting| session)|webinar|workshop|arrangement(?:et)?|"
    r"finder sted|takes place|konference",
}
_STRONG = (
    r"ansøgningsfrist(?:en)?|sidste frist|tidsfrist|frist(?:en|er)?|deadlines?|closing date|close date|"
    r"closes|closing|due date|submission date|submit by|apply by|ansøg senest|indsendes (?:senest|inden)|"
    r"skal være modtaget|applications? (?:must be )?(?:submitted|received)|expires?"
)
_WEAK = r"senest|no later than|on or before|received by|due\b"
# Labels start a word, so the many alternatives are tried only there (several times faster); the ends of
# Danish compounds ("indsendelsesfrist", "allersenest") are looked for inside words by a second, small pattern.
LABELS = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _LABELS.items())
    + f"|(?P<deadline>{_STRONG})|(?P<weak>{_WEAK}))"
)
COMPOUND_ENDS = re.compile(r"(?P<deadline>frist(?:en|er)?\b)|(?P<weak>senest\b)")
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
    found_in: str  # the phrase it was read from, shown beside it


@dataclass(frozen=True)
class OtherDate:
    """A labelled date that is not the application deadline (a decision, an opening, the project's end)."""

    kind: str  # a key of OTHER_KINDS
    on: dt.date
    found_in: str


@dataclass
class Finding:
    deadlines: list[FoundDeadline] = field(default_factory=list)
    rolling: bool = False
    other_dates: list[OtherDate] = field(default_factory=list)


def date_order_of(language: str | None, source_setting: str = "") -> str | None:
    """How numeric dates of an entry are read: the source's own setting, else from the feed's language
    (`en-us` month first, any other language day first), else None: ambiguous ones are not guessed."""
    if source_setting in (DAY_FIRST, MONTH_FIRST):
        return source_setting
    language = (language or "").strip().lower().replace("_", "-")
    if not language:
        return None
    return MONTH_FIRST if language in ("en-us", "us") else DAY_FIRST


def _date_from(match: re.Match, reference: dt.date, date_order: str | None) -> dt.date | None:
    form = int(match.lastgroup[-1])  # every group of a form ends in its number, and forms have no nesting
    groups = _GROUPS[form]
    day = int(match.group(groups["d"]))
    month = MONTHS.get(match.group(groups["n"])) if "n" in groups else int(match.group(groups["m"]))
    if not month:
        return None  # a word that is no month
    if form == EITHER_ORDER:
        day, month = _numeric_order(day, month, date_order)
        if day is None:
            return None
    if "y" in groups:
        try:
            found = dt.date(int(match.group(groups["y"])), month, day)
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


def _numeric_order(first: int, second: int, date_order: str | None) -> tuple[int | None, int]:
    """(day, month) of `first/second/year`: what the numbers allow, else the source's order, else unknown."""
    if first > 12 and second <= 12:
        return first, second
    if second > 12 and first <= 12:
        return second, first
    if first == second or date_order == DAY_FIRST:
        return first, second
    if date_order == MONTH_FIRST:
        return second, first
    return None, 0  # 03/04/2027 from a source that never said where it is: not guessed


def _clock_of(match: re.Match) -> dt.time | None:
    if match.group("midnight"):
        return dt.time(23, 59)  # "by midnight on 12 March": the end of that day
    if match.group("noon"):
        return dt.time(12, 0)
    hour = int(match.group("h"))
    minute = int(match.group("min") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if match.group("noon_word"):
        return dt.time(12, 0) if hour == 12 else None
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    return dt.time(hour, minute) if hour <= 23 else None


def _is_time(match: re.Match, prefixed: bool) -> bool:
    """A number is a time of day when it has minutes, am/pm or noon, or follows "kl." (kl. 12)."""
    if match.group("noon") or match.group("midnight"):
        return True
    return bool(match.group("min") or match.group("ampm") or match.group("noon_word") or prefixed)


def _zone_at(text: str) -> tuple[str | None, int]:
    for pattern, zone in ZONES:
        found = pattern.match(text)
        if found:
            return zone, found.end()
    return None, 0


def _time_after(after: str) -> tuple[dt.time | None, str | None, int]:
    """A time of day (and a named zone) right after a date; how many characters they take."""
    match = TIME_AFTER.match(after)
    if match:
        prefixed = bool(re.match(r"^(?:\s*(?:,|\(|-|–))*\s*(?:kl\.?|klokken)", after))
        clock = _clock_of(match) if _is_time(match, prefixed) else None
        if clock is not None:
            zone, length = _zone_at(after[match.end() :])
            return clock, zone, match.end() + length
    zone, length = _zone_at(after)  # "15 March 2027 (UK time)" names the zone of a time said before the date
    return None, zone, length


def _time_before(before: str) -> tuple[dt.time | None, str | None, int]:
    """A time of day right before a date ("kl. 12.00 den", "5pm on", "midnight on"); how many characters."""
    match = TIME_BEFORE.search(before)
    if not match:
        return None, None, 0
    if not _is_time(match, match.group("prefix") in ("kl", "kl.", "klokken")):
        return None, None, 0
    clock = _clock_of(match)
    zone, _length = _zone_at(match.group("zone") or "")
    return clock, zone, len(before) - match.start()


@dataclass(frozen=True)
class _Label:
    kind: str  # "deadline" or a key of OTHER_KINDS
    start: int
    end: int


def _labels(lowered: str) -> list[_Label]:
    """Every label in the text, with a weak word given to the other kind's label it follows closely."""
    found = [(m.start(), m.end(), m.lastgroup) for m in LABELS.finditer(lowered)]
    for match in COMPOUND_ENDS.finditer(lowered):
        start = match.start()
        if start and lowered[start - 1].isalnum() and not any(s <= start < e for s, e, _ in found):
            while start and lowered[start - 1].isalnum():
                start -= 1  # the phrase shows the whole word: "Indsendelsesfrist"
            found.append((start, match.end(), match.lastgroup))
    found.sort()
    labels: list[_Label] = []
    for start, end, kind in found:
        if kind == "weak":
            previous = labels[-1] if labels else None
            if previous and previous.kind != "deadline" and start - previous.end <= WEAK_REACH:
                continue  # "projektet skal være afsluttet senest": the other kind's date
            kind = "deadline"
        labels.append(_Label(kind, start, end))
    return labels


def _label_for(text: str, labels: list[_Label], start: int) -> _Label | None:
    """The nearest label before `start`, in the same sentence or row, close enough to point at it."""
    offset = max(0, start - WINDOW)
    cut = list(SENTENCE_END.finditer(text, offset, start))
    if cut:
        offset = cut[-1].end()
    found = None
    for label in labels:
        if label.start >= start:
            break
        if label.start >= offset:
            found = label
    return found


def _windows(labels: list[_Label], length: int) -> list[tuple[int, int]]:
    """The stretches after labels close enough for a date in them to have one: only these are searched."""
    windows: list[tuple[int, int]] = []
    for label in labels:
        start, end = label.start, min(length, label.end + WINDOW + 40)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _candidates(lowered: str, windows, reference: dt.date, date_order: str | None):
    """(match, date) of every date in the windows. A match whose "month" is no month ("deadline 1") is
    skipped by one character, so that the real date inside it ("1 july 2027") is still found."""
    for start, end in windows:
        position = start
        while match := DATES.search(lowered, position, end):
            day = _date_from(match, reference, date_order)
            if day is None:
                position = match.start() + 1
                continue
            yield match, day
            position = match.end()


def find_in_text(text: str, reference: dt.date, *, need_keyword: bool = True, date_order: str | None = DAY_FIRST) -> Finding:
    """The deadlines and the other labelled dates of `text`; rolling when it says there is no deadline.

    The patterns run on the lower-cased text (case-insensitive patterns are several times slower).
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer: keep positions aligned
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    finding = Finding(rolling=bool(ROLLING.search(lowered)))
    labels = _labels(lowered) if need_keyword else []
    if need_keyword and not labels:
        return finding  # no label anywhere: no date can count
    seen: set[tuple[dt.date, dt.datetime | None]] = set()
    for match, day in _candidates(
        lowered, _windows(labels, len(lowered)) if need_keyword else [(0, len(lowered))], reference, date_order
    ):
        label = _label_for(text, labels, match.start()) if need_keyword else _Label("deadline", 0, 0)
        if label is None:
            continue
        clock, zone, after = _time_after(lowered[match.end() : match.end() + 50])
        before = 0
        if clock is None:
            clock, zone_before, before = _time_before(lowered[max(label.start, match.start() - 40) : match.start()])
            zone = zone or zone_before
        phrase_start = min(label.start if need_keyword else match.start(), match.start() - before)
        found_in = " ".join(text[phrase_start : match.end() + after].split())[:250]
        if label.kind != "deadline":
            finding.other_dates.append(OtherDate(label.kind, day, found_in))
            continue
        zone = zone or local_zone().key
        due_at = dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC) if clock else None
        if (day, due_at) in seen:
            continue
        seen.add((day, due_at))
        finding.deadlines.append(FoundDeadline(day, due_at, zone, found_in))
    finding.deadlines.sort(key=lambda d: (d.due_on, d.due_at or dt.datetime.min.replace(tzinfo=UTC)))
    return finding


STRUCTURED_KEY = re.compile(r"deadline|closing|close_?date|closedate|frist|end_?date|expir", re.I)


@functools.lru_cache(maxsize=512)
def _names_a_deadline(key: str) -> bool:
    """Whether a feed's field holds a deadline by its name; asked for every field of every entry, so kept."""
    return bool(STRUCTURED_KEY.search(key)) and not key.endswith("_detail")


def find_in_fields(entry: dict, reference: dt.date, date_order: str | None = DAY_FIRST) -> list[FoundDeadline]:
    """Deadlines from a feed's own fields (`<deadline>`, `<closingDate>`, `ev:enddate`, …)."""
    found = []
    for key, value in entry.items():
        if not isinstance(value, str) or not _names_a_deadline(key):
            continue
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            continue
        if moment is not None and moment.tzinfo is not None and ("T" in text or " " in text):
            found.append(FoundDeadline(moment.date(), moment.astimezone(UTC), str(moment.tzinfo), f"{key}: {text}"))
            continue
        if moment is not None and len(text) == 10:
            found.append(FoundDeadline(moment.date(), None, local_zone().key, f"{key}: {text}"))
            continue
        for deadline in find_in_text(text, reference, need_keyword=False, date_order=date_order).deadlines:
            found.append(FoundDeadline(deadline.due_on, deadline.due_at, deadline.timezone, f"{key}: {text}"[:250]))
    return found


def find_deadlines(entry: dict, text: str, reference: dt.date, date_order: str | None = DAY_FIRST) -> Finding:
    """A call's deadlines: from structured fields where the feed has them, else from its text."""
    structured = find_in_fields(entry, reference, date_order)
    finding = find_in_text(text, reference, date_order=date_order)
    if structured:
        finding.deadlines = sorted(set(structured), key=lambda d: d.due_on)
    return finding
