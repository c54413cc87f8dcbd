"""Funders: their profiles, contacts and rounds, and the concrete deadlines the rounds generate."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.rrule import rrulestr
from peewee import fn

from fundtrack import undo
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.funders import events
from fundtrack.funders.models import FUNDER_KINDS, ROUND_KINDS, Funder, Round
from fundtrack.i18n_markers import N_
from fundtrack.spreadsheets import MONTHS
from fundtrack.tags import parse_tags, parse_un_goals
from fundtrack.validation import ValidationError, check_amount, require

FUNDER_FIELDS = (
    "name",
    "kind",
    "website",
    "description",
    "focus_tags",
    "un_goals",
    "grant_min_ore",
    "grant_max_ore",
    "allows_consultant_fees",
    "cooldown_after_grant_months",
    "cooldown_after_rejection_months",
    "interim_report_months",
    "final_report_months",
    "instalment_shares",
    "notes",
)
MONTH_FIELDS = ("cooldown_after_grant_months", "cooldown_after_rejection_months", "interim_report_months", "final_report_months")


def parse_shares(value) -> list[int]:
    """Whole per-cent shares of a grant from `50, 40, 10` (or a list), adding up to 100; none for an empty value.
    ValueError for anything else."""
    if value in (None, "", []):
        return []
    parts = value if isinstance(value, list | tuple) else str(value).replace(";", ",").replace("%", "").split(",")
    shares = [int(str(part).strip()) for part in parts if str(part).strip()]
    if not shares:
        return []
    if any(share <= 0 for share in shares) or sum(shares) != 100 or len(shares) > 20:
        raise ValueError(value)
    return shares


def visible_funders(user):
    """Funders are shared knowledge: everyone who logs in may read them; only fundraisers change them."""
    return Funder.select()


def funder_by_name(name: str) -> Funder | None:
    """The funder called `name`, ignoring case and surrounding spaces."""
    return Funder.get_or_none(fn.LOWER(Funder.name) == name.strip().lower())


def validate_funder(data: dict, existing: Funder | None) -> dict:
    """The cleaned values of a funder, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    name = (data.get("name") or "").strip()
    require(errors, "name", name)
    if name:
        clash = funder_by_name(name)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = N_("A funder with this name exists already.")
    kind = data.get("kind") or "private_foundation"
    if kind not in FUNDER_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    website = (data.get("website") or "").strip()
    if website and not re.match(r"^https?://\S+$", website):
        errors["website"] = N_("A web address starts with http:// or https://.")
    low, high = data.get("grant_min_ore"), data.get("grant_max_ore")
    for key, value in (("grant_min_ore", low), ("grant_max_ore", high)):
        check_amount(errors, key, value)
    if low is not None and high is not None and high < low:
        errors["grant_max_ore"] = N_("The largest grant cannot be smaller than the smallest.")
    for key in MONTH_FIELDS:
        value = data.get(key)
        if value is not None and not 0 <= value <= 120:
            errors[key] = N_("Give a number of months from 0 to 120.")
    try:
        goals = parse_un_goals(data.get("un_goals"))
    except ValueError:
        errors["un_goals"] = N_("UN goals are numbers from 1 to 17.")
        goals = []
    try:
        shares = parse_shares(data.get("instalment_shares"))
    except ValueError:
        errors["instalment_shares"] = N_("Give the shares in per cent, separated by commas, adding up to 100 (e.g. 50, 40, 10).")
        shares = []
    if errors:
        raise ValidationError(errors)
    values = {key: data.get(key) for key in FUNDER_FIELDS if key in data}
    values["instalment_shares"] = shares
    values.update(
        name=name,
        kind=kind,
        website=website,
        un_goals=goals,
        focus_tags=parse_tags(data.get("focus_tags")),
        description=(data.get("description") or "").strip(),
        notes=(data.get("notes") or "").strip(),
    )
    return values


def create_funder(data: dict, *, actor, now: dt.datetime) -> Funder:
    """A new funder, on the record."""
    values = validate_funder(data, None)
    with db.atomic():
        funder = Funder.create(**values, created_at=now, updated_at=now)
        audit.record_create(actor, funder, now)
        events.changed.send(funder, changes={k: [None, v] for k, v in values.items()}, actor=actor, now=now)
    return funder


def update_funder(funder: Funder, data: dict, *, actor, now: dt.datetime) -> Funder:
    """Change a funder's profile; `data` may hold only the fields that change."""
    values = validate_funder({**{k: getattr(funder, k) for k in FUNDER_FIELDS}, **data}, funder)
    with db.atomic():
        changes = audit.save_changes(funder, values, actor=actor, now=now)
        if changes:
            events.changed.send(funder, changes=changes, actor=actor, now=now)
    return funder


def set_archived(funder: Funder, archived: bool, *, actor, now: dt.datetime) -> None:
    """Archive a funder (it leaves the pick-lists and its rounds the calendars) or bring it back."""
    with db.atomic():
        audit.save_changes(funder, {"archived_at": now if archived else None}, actor=actor, now=now)


# Rounds.


DATE_SEPARATORS = re.compile(r"\s*(?:[,;&]|\bog\b|\band\b)\s*", re.I)
NUMERIC_DAY_MONTH = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\.?")
DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?([a-zæøå]+)\.?")
MONTH_NAME_DAY = re.compile(r"([a-zæøå]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?")


def parse_day_months(text: str) -> list[tuple[int, int]]:
    """(month, day) pairs of a round's yearly dates, each once, in calendar order: `01-03, 01-09`,
    `1. marts og 1. september`, `1 March and 1 September`, `March 1; September 1`. ValidationError naming
    the part that is no day and month."""
    pairs = set()
    for part in DATE_SEPARATORS.split((text or "").strip().lower()):
        part = part.strip().rstrip(".")
        if not part:
            continue
        day = month = None
        if match := NUMERIC_DAY_MONTH.fullmatch(part):
            day, month = int(match.group(1)), int(match.group(2))
        elif match := DAY_MONTH_NAME.fullmatch(part):
            day, month = int(match.group(1)), MONTHS.get(match.group(2))
        elif match := MONTH_NAME_DAY.fullmatch(part):
            day, month = int(match.group(2)), MONTHS.get(match.group(1))
        if not month or not _valid_day_month(day, month):
            raise ValidationError(
                {"yearly_dates": (N_("%(value)s is not a day and month such as 01-03 or 1. marts."), {"value": part})}
            )
        pairs.add((month, day))
    if not pairs:
        raise ValidationError({"yearly_dates": N_("Give at least one day and month, e.g. 01-03, 01-09.")})
    return sorted(pairs)


def _last_day_at_most(day: int) -> str:
    """BYMONTHDAY and BYSETPOS for "on `day`, or the month's last day when it is shorter" (31 is the 30th
    in April and the 28th or 29th in February; without this a rule on the 31st skips those months)."""
    if day < 29:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def round_rule(kind: str, yearly_dates: str = "", month_day: int | None = None, custom: str = "") -> str:
    """The RRULE for a round's kind and settings; ValidationError naming the field that is wrong."""
    if kind == "yearly":
        pairs = parse_day_months(yearly_dates)
        if len(pairs) == 1 or len({d for _, d in pairs}) == 1 and all(d < 29 for _, d in pairs):
            months = ",".join(str(m) for m in sorted({m for m, _ in pairs}))
            return f"FREQ=YEARLY;BYMONTH={months};{_last_day_at_most(pairs[0][1])}"
        # Different days in different months: one rule per date, joined for rrulestr's set syntax.
        return "\n".join(f"RRULE:FREQ=YEARLY;BYMONTH={m};{_last_day_at_most(d)}" for m, d in pairs)
    if kind == "quarter_end":
        return "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    if kind == "monthly":
        if month_day is None or not 1 <= month_day <= 31:
            raise ValidationError({"month_day": N_("Give a day of the month from 1 to 31.")})
        return f"FREQ=MONTHLY;{_last_day_at_most(month_day)}"
    if kind == "custom":
        rule = (custom or "").strip().removeprefix("RRULE:")
        try:
            rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
        except (ValueError, TypeError):
            raise ValidationError({"rule": N_("This is not a valid RRULE.")}) from None
        if not rule:
            raise ValidationError({"rule": N_("This field is required.")})
        return rule
    return ""


def yearly_dates_text(pairs: list[tuple[int, int]]) -> str:
    """The yearly dates as they are kept and shown again in the form: `01-03, 01-09`."""
    return ", ".join(f"{d:02d}-{m:02d}" for m, d in pairs)


def _valid_day_month(day: int, month: int) -> bool:
    try:
        dt.date(2000, month, day)  # a leap year, so 29-02 is allowed
        return True
    except ValueError:
        return False


def _round_values(data: dict) -> dict:
    errors: dict = {}
    require(errors, "name", data.get("name"))
    kind = data.get("kind") or "yearly"
    if kind not in ROUND_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    time_text = (data.get("deadline_time") or "").strip().replace(".", ":")
    if time_text and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", time_text):
        errors["deadline_time"] = N_("Give a time such as 12:00.")
    if kind == "once" and not data.get("once_on"):
        errors["once_on"] = N_("A one-off round needs its date.")
    if errors:
        raise ValidationError(errors)
    rule = round_rule(kind, data.get("yearly_dates", ""), data.get("month_day"), data.get("rule", ""))
    return {
        "name": data["name"].strip(),
        "kind": kind,
        "yearly_dates": yearly_dates_text(parse_day_months(data.get("yearly_dates", ""))) if kind == "yearly" else "",
        "month_day": data.get("month_day") if kind == "monthly" else None,
        "rule": rule,
        "once_on": data.get("once_on") if kind == "once" else None,
        "deadline_time": time_text.zfill(5) if time_text else "",
        "active": bool(data.get("active", True)),
        "notes": (data.get("notes") or "").strip(),
    }


def create_round(funder: Funder, data: dict, *, actor, now: dt.datetime) -> Round:
    """A new round of a funder, on the record."""
    values = _round_values(data)
    with db.atomic():
        round_ = Round.create(funder=funder, **values, created_at=now, updated_at=now)
        audit.record_create(actor, round_, now)
        events.round_changed.send(round_, action="create", now=now)
    return round_


def update_round(round_: Round, data: dict, *, actor, now: dt.datetime) -> Round:
    """Change a round; calendars that show its dates see the change."""
    values = _round_values(data)
    with db.atomic():
        if audit.save_changes(round_, values, actor=actor, now=now):
            events.round_changed.send(round_, action="update", now=now)
    return round_


def delete_round(round_: Round, *, actor, now: dt.datetime) -> undo.Removed:
    """Remove a round; applications made for it keep their deadlines, and a copy is kept a while for undo."""
    with db.atomic():
        audit.record_delete(actor, round_, now)
        events.round_changed.send(round_, action="delete", now=now)
        removed = undo.keep_copy(round_, actor=actor, now=now)
        round_.delete_instance()
    return removed


def restore_round(removed_id: int, *, actor, now: dt.datetime) -> Round | None:
    """Take a removal back: the round as it was, linked again to the applications made for it."""
    with db.atomic():
        round_ = undo.put_back(Round, removed_id)
        if round_ is not None:
            audit.record_action(actor, round_, "restore", now)
            events.round_changed.send(round_, action="create", now=now)
    return round_


def next_dates(round_: Round, after: dt.date, count: int = 3) -> list[dt.date]:
    """The round's next `count` deadlines on or after `after` (none for an inactive or past one-off round)."""
    if not round_.active:
        return []
    if round_.kind == "once":
        return [round_.once_on] if round_.once_on and round_.once_on >= after else []
    if not round_.rule:
        return []
    start = dt.datetime.combine(after, dt.time(0))
    if "\n" in round_.rule:
        rules = rrulestr(round_.rule, dtstart=dt.datetime(after.year - 1, 1, 1), forceset=True)
    else:
        rules = rrulestr(round_.rule, dtstart=dt.datetime(after.year - 1, 1, 1))
    return [moment.date() for moment in rules.xafter(start, count=count, inc=True)]


def deadline_moment(round_: Round, day: dt.date, zone) -> dt.datetime | None:
    """The aware moment of a round's deadline on `day`, when the round has a time of day."""
    if not round_.deadline_time:
        return None
    hour, minute = (int(part) for part in round_.deadline_time.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def upcoming_rounds(today: dt.date, funder_ids=None, per_round: int = 1, within_days: int | None = None):
    """(round, date) pairs of active rounds' next dates, earliest first; in one query of rounds."""
    query = Round.select(Round, Funder).join(Funder).where(Round.active & Funder.archived_at.is_null())
    if funder_ids is not None:
        query = query.where(Round.funder.in_(list(funder_ids)))
    pairs = []
    for round_ in query:
        for day in next_dates(round_, today, per_round):
            if within_days is None or (day - today).days <= within_days:
                pairs.append((round_, day))
    return sorted(pairs, key=lambda pair: (pair[1], pair[0].funder.name))
