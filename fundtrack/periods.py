"""Reporting periods: a quarter (`2026-Q3`), a half-year (`2026-H2`) or a year (`2026`), for the overviews and the fee ledger.

Periods are runs of local (Europe/Copenhagen) dates. Every date the overview groups by is a local date
(an application moved at 00:30 on 1 July in Copenhagen was submitted on 1 July), so a period's boundaries
are simply its first and last day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from fundtrack.i18n_markers import N_

PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-\s*([QqHh])\s*([1-4]))?\s*$")
MONTHS_PER_PART = {"Q": 3, "H": 6, "Y": 12}


def days_after(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held at the ends of the calendar: a date stored before the date window was
    enforced (9999-12-31) must not break the arithmetic of every page that shows it."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def months_after(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months (31 January + 1 month is 28 or 29 February), held at the ends of the calendar."""
    try:
        return day + relativedelta(months=months)
    except (OverflowError, ValueError):
        return dt.date.max if months > 0 else dt.date.min


class PeriodError(ValueError):
    """The text is not a period; the message says what is expected."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = "Y"  # Q, H or Y
    number: int = 1  # the quarter or the half; 1 for a year

    @property
    def code(self) -> str:
        return str(self.year) if self.kind == "Y" else f"{self.year}-{self.kind}{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 + MONTHS_PER_PART[self.kind] * (self.number - 1), 1)

    @property
    def end(self) -> dt.date:
        return self.following().start - dt.timedelta(days=1)

    def shifted(self, parts: int) -> Period:
        """The period `parts` periods of the same kind later (earlier when negative)."""
        per_year = 12 // MONTHS_PER_PART[self.kind]
        index = self.year * per_year + self.number - 1 + parts
        return Period(index // per_year, self.kind, index % per_year + 1)

    def following(self) -> Period:
        return self.shifted(1)

    def previous(self) -> Period:
        return self.shifted(-1)

    def year_before(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    def quarters(self) -> list[Period]:
        first = quarter_of(self.start)
        return [first.shifted(i) for i in range(MONTHS_PER_PART[self.kind] // 3)]

    def next_quarter(self) -> Period:
        """The quarter right after the period: whose deadlines the overview lists."""
        return quarter_of(self.following().start)

    def __str__(self) -> str:
        return self.code


# A period in words, as people write it: `3. kvartal 2026`, `Q3 2026`, `2. halvår 2026`, `H2 2026`,
# `third quarter 2026`, `2nd half 2026`, `kvartal 3 2026`.
ORDINALS = {
    "1": 1, "2": 2, "3": 3, "4": 4, "første": 1, "anden": 2, "andet": 2, "tredje": 3, "fjerde": 4,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
QUARTER_WORDS = ("kvartal", "quarter", "kv", "q")
HALF_WORDS = ("halvår", "halvåret", "half", "half-year", "halfyear", "h")
WORDS = re.compile(
    r"^\s*(?:(?P<n1>[1-4](?:st|nd|rd|th)?|første|anden|andet|tredje|fjerde|first|second|third|fourth)\.?\s*"
    r"(?P<w1>kvartal|quarter|halvåret|halvår|half-year|halfyear|half|kv|q|h)"
    r"|(?P<w2>kvartal|quarter|halvår|half|kv|q|h)\.?\s*(?P<n2>[1-4]))[\s,.]*(?:of\s+|i\s+)?(?P<year>\d{4})\s*$",
    re.IGNORECASE,
)


def _in_words(text: str) -> str | None:
    """The code (`2026-Q3`) of a period written in words, or None."""
    match = WORDS.match(text or "")
    if not match:
        return None
    word = (match.group("w1") or match.group("w2")).lower()
    number = ORDINALS.get((match.group("n1") or match.group("n2")).lower())
    kind = "Q" if word in QUARTER_WORDS else "H"
    return f"{match.group('year')}-{kind}{number}"


def parse_period(text: str) -> Period:
    """`2026-Q3`, `2026-H2` or `2026` (case and spaces do not matter), or in words: `3. kvartal 2026`,
    `Q3 2026`, `2. halvår 2026`, `third quarter 2026`."""
    text = _in_words(text) or text
    match = PATTERN.match(text or "")
    if not match or not 1900 < int(match.group(1)) < 3000:
        raise PeriodError(
            N_(
                "Give a period as 2026-Q3 or 3. kvartal 2026 (a quarter), 2026-H2 or 2. halvår 2026 (a half-year), "
                "or 2026 (a year)."
            )
        )
    year, kind, number = int(match.group(1)), (match.group(2) or "Y").upper(), int(match.group(3) or 1)
    if kind == "H" and number > 2:
        raise PeriodError(N_("A year has two halves: H1 and H2."))
    return Period(year, kind, number)


def quarter_of(day: dt.date) -> Period:
    return Period(day.year, "Q", (day.month - 1) // 3 + 1)


def current_period(kind: str, day: dt.date) -> Period:
    """The period of `kind` (Q, H or Y) that `day` lies in."""
    if kind == "Q":
        return quarter_of(day)
    if kind == "H":
        return Period(day.year, "H", 1 if day.month <= 6 else 2)
    return Period(day.year)


def last_complete_quarter(today: dt.date) -> Period:
    """The quarter the committee reports on by default: the one that ended most recently."""
    return quarter_of(today).previous()


def recent_choices(today: dt.date) -> list[Period]:
    """The periods offered in the picker: this quarter and the seven before, this and last half-year and year."""
    current = quarter_of(today)
    half = Period(today.year, "H", 1 if today.month <= 6 else 2)
    return [current.shifted(-i) for i in range(8)] + [half, half.previous()] + [Period(today.year), Period(today.year - 1)]
