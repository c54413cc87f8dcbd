"""Report versions: an overview frozen as it leaves fundtrack (sent by the schedule, or downloaded for the
committee), the versions of a period, and what has changed since one of them and why.

A version is never recomputed. Its figures are compared with today's overview, and the changes recorded in
the audit trail since it was made are the reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from fundtrack.audit.models import AuditEntry
from fundtrack.audit.services import visible_entries
from fundtrack.periods import Period
from fundtrack.reports.models import ReportVersion
from fundtrack.reports.services import Overview

# The fields of an application whose change can move an overview's figures.
FIGURE_FIELDS = {
    "amount_requested_ore",
    "amount_granted_ore",
    "reclaimed_ore",
    "reclaimed_on",
    "stage",
    "decided_on",
    "submitted_on",
    "money_received_on",
    "organisation",
    "funder",
    "received_ore",
    "received_on",
}
# Record changes that are themselves a reason: a new, removed or moved application, a reclaim, a receipt.
FIGURE_ACTIONS = {"create", "delete", "move", "reopen", "reclaim", "money_received", "receive", "import"}
REASONS_SHOWN = 30


def freeze(
    overview: Overview,
    *,
    pdf: bytes,
    document: bytes,
    with_fees: bool,
    language: str,
    occasion: str,
    actor,
    now: dt.datetime,
    recipients: list[str] | None = None,
    schedule_id: int | None = None,
) -> ReportVersion:
    """Keep the overview as it is now: its summary figures, its JSON document and its PDF."""
    organisation = overview.organisation
    return ReportVersion.create(
        period=overview.period.code,
        organisation_id=organisation.id if organisation else None,
        organisation_name=organisation.name if organisation else "",
        with_fees=with_fees,
        language=language,
        occasion=occasion,
        recipients=list(recipients or []),
        made_at=now,
        made_by_id=getattr(actor, "id", None),
        made_by_name=getattr(actor, "name", "") or "",
        figures={comparison.field: comparison.value for comparison in overview.comparisons},
        document=document,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        schedule_id=schedule_id,
    )


def visible_versions(user):
    """The versions `user` may open: a member only their organisation's, and fees for fundraisers only."""
    query = ReportVersion.select()
    if not user.is_fundraiser:
        query = query.where(~ReportVersion.with_fees)
    if user.is_member:
        query = query.where(ReportVersion.organisation_id == user.organisation_id)
    return query


def versions_of(user, period: Period, organisation_id: int | None) -> list[ReportVersion]:
    """The versions of one overview (a period, of all organisations or of one), newest first."""
    same = (
        ReportVersion.organisation_id.is_null() if organisation_id is None else ReportVersion.organisation_id == organisation_id
    )
    query = visible_versions(user).where((ReportVersion.period == period.code) & same)
    return list(query.order_by(ReportVersion.made_at.desc(), ReportVersion.id.desc()))


@dataclass
class FigureChange:
    figure: str
    label: str
    shown_as: str
    then: int | float | None
    now: int | float | None

    @property
    def difference(self):
        if self.then is None or self.now is None:
            return None
        return self.now - self.then


@dataclass
class Difference:
    """What today's overview says differently from a version, and the recorded changes that explain it."""

    version: ReportVersion
    changes: list[FigureChange] = field(default_factory=list)
    reasons: list[AuditEntry] = field(default_factory=list)
    more_reasons: int = 0


def difference(version: ReportVersion, overview: Overview, user) -> Difference:
    """Today's figures against the version's, with the changes since the version that touch the period."""
    then = version.figures or {}
    changes = [
        FigureChange(c.field, c.label, c.shown_as, then[c.field], c.value)
        for c in overview.comparisons
        if c.field in then and then[c.field] != c.value
    ]
    found = Difference(version, changes)
    if not changes:
        return found
    reasons = [entry for entry in _changes_since(version, user) if _touches(entry, overview.period)]
    found.reasons, found.more_reasons = reasons[:REASONS_SHOWN], max(0, len(reasons) - REASONS_SHOWN)
    return found


def _changes_since(version: ReportVersion, user):
    query = visible_entries(user).where(
        (AuditEntry.changed_at > version.made_at) & (AuditEntry.page_table == "application") & ~AuditEntry.private
    )
    if version.organisation_id is not None:
        query = query.where(AuditEntry.organisation_id == version.organisation_id)
    return query.order_by(AuditEntry.changed_at, AuditEntry.id)


def _touches(entry: AuditEntry, period: Period) -> bool:
    """Whether a change can have moved the period's figures: a figure's field or action, with a day in the
    period before or after (a change with no day of its own, such as a corrected amount, always can)."""
    changes = entry.changes or {}
    if entry.action not in FIGURE_ACTIONS and not FIGURE_FIELDS & set(changes):
        return False
    days = [value for pair in changes.values() if isinstance(pair, list) for value in pair if _is_day(value)]
    return not days or any(period.start.isoformat() <= day <= period.end.isoformat() for day in days)


def _is_day(value) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"
