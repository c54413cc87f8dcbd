"""Alert rules as data: read from TOML and checked field by field, so a mistake stops start-up clearly."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from fundtrack.deadlines.models import DEADLINE_KINDS
from fundtrack.resources import data_folder

RECIPIENTS = ("owner", "fundraisers", "contacts", "steward")
TASK_KIND = "task"  # a rule for this kind reminds each task's assignee (its only recipient) before the task is due
TASK_RECIPIENTS = ("assignee",)
FIELDS = {"name", "deadline_kinds", "days_before", "days_after", "recipients"}


class AlertRuleError(Exception):
    """A rule file that cannot be used; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Rule:
    name: str
    deadline_kinds: tuple[str, ...]
    days_before: tuple[int, ...]
    days_after: tuple[int, ...]
    recipients: tuple[str, ...]

    @property
    def offsets(self) -> tuple[int, ...]:
        """Days before the deadline; reminders after it are negative."""
        return self.days_before + tuple(-d for d in self.days_after)


def default_path() -> Path:
    return data_folder("alerts") / "rules.toml"


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """The rules of the file (the shipped one by default); AlertRuleError for anything wrong."""
    path = Path(path) if path else default_path()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise AlertRuleError(f"{path}: the alert rules file does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise AlertRuleError(f"{path}: not valid TOML: {error}") from None
    unknown = set(data) - {"rule"}
    if unknown:
        raise AlertRuleError(f"{path}: unknown table {sorted(unknown)[0]!r} (only [[rule]] tables are read)")
    rules, names, kinds_taken = [], set(), {}
    for index, table in enumerate(data.get("rule", []), start=1):
        label = f"{path}, rule {table.get('name') or index!r}"
        rules.append(_rule(table, label, names, kinds_taken))
    if not rules:
        raise AlertRuleError(f"{path}: no [[rule]] tables")
    return rules


def _rule(table: dict, label: str, names: set, kinds_taken: dict) -> Rule:
    def fail(field, message):
        raise AlertRuleError(f"{label}, field {field!r}: {message}")

    for key in table:
        if key not in FIELDS:
            fail(key, f"unknown field (known: {', '.join(sorted(FIELDS))})")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        fail("name", "required, a text")
    if name in names:
        fail("name", "another rule has this name")
    names.add(name)
    kinds = _list(table, "deadline_kinds", str, fail, required=True)
    for_tasks = TASK_KIND in kinds
    if for_tasks and len(kinds) > 1:
        fail("deadline_kinds", f"the {TASK_KIND!r} rule is for tasks only; give deadline kinds in another rule")
    for kind in kinds:
        if kind not in DEADLINE_KINDS and kind != TASK_KIND:
            fail("deadline_kinds", f"{kind!r} is not a deadline kind ({', '.join(DEADLINE_KINDS)}) nor {TASK_KIND!r}")
        if kind in kinds_taken:
            fail("deadline_kinds", f"{kind!r} is already covered by rule {kinds_taken[kind]!r}")
        kinds_taken[kind] = name
    before = _list(table, "days_before", int, fail)
    after = _list(table, "days_after", int, fail)
    if any(not 0 <= d <= 365 for d in before):
        fail("days_before", "whole numbers from 0 to 365")
    if any(not 1 <= d <= 365 for d in after):
        fail("days_after", "whole numbers from 1 to 365")
    if not before and not after:
        fail("days_before", "a rule needs days_before or days_after")
    recipients = _list(table, "recipients", str, fail, required=True)
    allowed = TASK_RECIPIENTS if for_tasks else RECIPIENTS
    for recipient in recipients:
        if recipient not in allowed:
            fail("recipients", f"{recipient!r} is not one of {', '.join(allowed)}")
    return Rule(
        name, tuple(kinds), tuple(sorted(set(before), reverse=True)), tuple(sorted(set(after))), tuple(dict.fromkeys(recipients))
    )


def _list(table, field, kind, fail, required=False):
    value = table.get(field, [])
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, kind) for v in value):
        fail(field, f"a list of {'texts' if kind is str else 'whole numbers'}")
    if required and not value:
        fail(field, "required, not empty")
    return value
