"""Tags and UN goals, as typed in forms and spreadsheets: one reading for funders, organisations,
calls and checklists alike."""

from __future__ import annotations

import re

from fundtrack.i18n_markers import N_

# The UN Sustainable Development Goals (verdensmål), by number.
UN_GOALS = {
    1: N_("No poverty"),
    2: N_("Zero hunger"),
    3: N_("Good health and well-being"),
    4: N_("Quality education"),
    5: N_("Gender equality"),
    6: N_("Clean water and sanitation"),
    7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"),
    9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"),
    11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"),
    13: N_("Climate action"),
    14: N_("Life below water"),
    15: N_("Life on land"),
    16: N_("Peace, justice and strong institutions"),
    17: N_("Partnerships for the goals"),
}
MAX_TAG_LENGTH = 100


def parse_tags(text: str | list | None) -> list[str]:
    """Tags from a comma- or semicolon-separated text, trimmed, lower-cased and without repeats."""
    if text is None:
        return []
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text)
    seen: list[str] = []
    for item in items:
        tag = str(item).strip().lower()[:MAX_TAG_LENGTH]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def parse_un_goals(value: str | list | None) -> list[int]:
    """UN Sustainable Development Goals as numbers 1 to 17; ValueError names the bad one."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
    goals: list[int] = []
    for item in items:
        text = str(item).strip().removeprefix("#").removeprefix("SDG").strip()
        if not text:
            continue
        if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= 17:
            raise ValueError(f"{item!r} is not a UN goal (1-17)")
        if int(text) not in goals:
            goals.append(int(text))
    return sorted(goals)
