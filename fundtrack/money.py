"""Money in DKK, kept as whole øre (integers) so that sums never drift.

Parsing accepts what fundraisers type and what their spreadsheets hold
(`1.250.000,00 kr.`, `1250000`, `DKK 1,250,000`, `1,5 mio. kr.`); formatting writes
the Danish way (`1.250.000 kr.`) or the English way (`DKK 1,250,000`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE_PER_KRONE = 100

_CURRENCY = re.compile(r"(?i)\b(dkk|kr)\b\.?|,-$|\s+|\u00a0")
_MILLION = re.compile(r"(?i)\s*(mio|mill|million|millioner)\.?\s*$")


def parse_dkk(text: str | int | float | Decimal | None) -> int | None:
    """Øre from a typed or imported amount; None for an empty value; ValueError if unreadable."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("not an amount")
    if isinstance(text, int):
        return text * ORE_PER_KRONE
    if isinstance(text, (float, Decimal)):
        return _to_ore(Decimal(str(text)))
    raw = str(text).strip()
    if not raw:
        return None
    negative = raw.startswith("-") or raw.startswith("−")
    cleaned = raw.lstrip("-−").strip()
    million = False
    cleaned = _CURRENCY.sub("", cleaned)
    match = _MILLION.search(cleaned)
    if match:
        million = True
        cleaned = cleaned[: match.start()]
    cleaned = _CURRENCY.sub("", cleaned)
    if not cleaned or not re.fullmatch(r"[0-9.,']+", cleaned):
        raise ValueError(f"{raw!r} is not an amount")
    number = _normalise_separators(cleaned, raw)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    if million:
        value *= 1_000_000
    ore = _to_ore(value)
    return -ore if negative else ore


def parse_number(text) -> Decimal | None:
    """A typed count or measure the Danish or English way (`1.250`, `12,5`, `1,250.5`); None for an empty
    value; ValueError if unreadable. The separators are read as for amounts."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None
    cleaned = raw.replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"[0-9.,']+", cleaned):
        raise ValueError(f"{raw!r} is not a number")
    try:
        return Decimal(_normalise_separators(cleaned, raw))
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a number") from None


def _normalise_separators(cleaned: str, raw: str) -> str:
    """Decide which of `.` and `,` is the decimal mark; a mark followed by three digits groups thousands."""
    cleaned = cleaned.replace("'", "")
    marks = [c for c in cleaned if c in ".,"]
    if not marks:
        return cleaned
    if "." in marks and "," in marks:
        decimal_mark = cleaned[max(cleaned.rfind("."), cleaned.rfind(","))]
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = cleaned.rpartition(decimal_mark)
        if decimal_mark in whole:
            raise ValueError(f"{raw!r} is not an amount")
        return whole.replace(group_mark, "") + "." + fraction
    mark = marks[0]
    parts = cleaned.split(mark)
    if len(parts) > 2 or len(parts[-1]) == 3:
        if not all(len(part) == 3 for part in parts[1:]) or not parts[0]:
            raise ValueError(f"{raw!r} is not an amount")
        return "".join(parts)
    return parts[0] + "." + parts[1]


def _to_ore(value: Decimal) -> int:
    ore = value * ORE_PER_KRONE
    if ore != ore.to_integral_value():
        raise ValueError(f"{value} has more than two decimals")
    return int(ore)


def format_dkk(ore: int | None, language: str = "da", empty: str = "–") -> str:
    """`1.250.000 kr.` in Danish, `DKK 1,250,000` in English; øre only when there are some."""
    if ore is None:
        return empty
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), ORE_PER_KRONE)
    group, decimal = (".", ",") if language == "da" else (",", ".")
    digits = f"{kroner:,}".replace(",", group)
    if rest:
        digits += f"{decimal}{rest:02d}"
    if language == "da":
        return f"{sign}{digits} kr."
    return f"DKK {sign}{digits}"


def kroner(ore: int | None) -> Decimal | None:
    """Øre as a Decimal number of kroner, for exports."""
    return None if ore is None else Decimal(ore) / ORE_PER_KRONE


def weighted(amount_ore: int, probability: float) -> int:
    """The expected part of an amount, rounded to whole øre (half up) without float drift."""
    return int((Decimal(amount_ore) * Decimal(str(probability))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
