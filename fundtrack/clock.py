"""Now and today. Services take them as arguments; only views, jobs and commands ask the clock.

Time is stored in UTC and shown in the configured zone (Europe/Copenhagen by default).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC
DEFAULT_ZONE = "Europe/Copenhagen"
_zone = ZoneInfo(DEFAULT_ZONE)


def set_zone(name: str) -> None:
    """Use `name` as the local zone (called once by the app factory from the settings)."""
    global _zone
    _zone = ZoneInfo(name)


def local_zone() -> ZoneInfo:
    return _zone


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return dt.datetime.now(UTC)


def today() -> dt.date:
    """Today's date where the users are, not where the server is."""
    return now().astimezone(_zone).date()


def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware moment shown in the local zone."""
    return moment.astimezone(_zone)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the local zone, as an aware datetime in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=_zone).astimezone(UTC)
