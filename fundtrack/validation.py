"""The error that services raise when input is wrong, and the few checks every domain shares."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fundtrack.i18n_markers import N_

# The days fundtrack keeps: nothing a fundraiser plans lies outside them, and a year such as 9999 in a
# date field is a typing mistake that would break calendars and reports for everyone.
EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
LARGEST_ID = 2**63 - 1
LARGEST_ORE = 10**13  # 100 billion kroner: more than any grant or budget
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ValidationError(Exception):
    """Field name -> message (an English msgid, translated where it is shown) and its parameters."""

    def __init__(self, errors: dict[str, str | tuple[str, dict]]):
        self.errors = {field: (message if isinstance(message, tuple) else (message, {})) for field, message in errors.items()}
        super().__init__(
            "; ".join(f"{field}: {message % params if params else message}" for field, (message, params) in self.errors.items())
        )


def require(errors: dict, field: str, value, message: str = "This field is required.") -> None:
    """Add a 'required' error for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field] = message


def parse_id(text) -> int | None:
    """A record id from text (a URL, a form's select): ASCII digits only, within 64 bits; None otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 < text <= LARGEST_ID else None
    value = str(text or "").strip()
    if not re.fullmatch(r"[0-9]{1,19}", value):
        return None
    number = int(value)
    return number if 0 < number <= LARGEST_ID else None


def valid_email(text: str) -> bool:
    """One definition of an e-mail address that can be written to (users, contacts, report recipients)."""
    return bool(EMAIL.match(text or "")) and len(text) <= 254


def check_amount(errors: dict, field: str, value) -> None:
    """Add an error for a negative amount or one beyond any grant (a slip of the keyboard, or a hostile form)."""
    if value is None:
        return
    if value < 0:
        errors[field] = N_("An amount cannot be negative.")
    elif value > LARGEST_ORE:
        errors[field] = N_("An amount is at most 100 billion kr.")


def check_day(errors: dict, field: str, value) -> None:
    """Add an error when a date lies outside the years fundtrack keeps."""
    if (
        isinstance(value, dt.date)
        and not EARLIEST_DAY <= (value.date() if isinstance(value, dt.datetime) else value) <= LATEST_DAY
    ):
        errors[field] = (N_("Give a date between %(first)d and %(last)d."), {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year})


def parse_percent(text) -> int | None:
    """Basis points from a typed percentage (`8,5`, `8.5 %`, `25`); None for an empty value; ValueError if it is
    not a number (a fee's percentage, a partner's share of a budget)."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).replace("%", "").replace(",", ".").strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a percentage") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a percentage")
    return int((value * 100).to_integral_value(ROUND_HALF_UP))
