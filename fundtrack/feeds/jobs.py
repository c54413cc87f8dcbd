"""What the scheduler runs for feeds: fetch every source that is due, each at its own interval."""

from __future__ import annotations

import logging

from fundtrack import clock
from fundtrack.config import VERSION
from fundtrack.feeds import ingest, matching, services

log = logging.getLogger(__name__)


def user_agent(settings) -> str:
    """A clear User-Agent, so that fund databases know who fetches their feeds and where to write."""
    return f"fundtrack/{VERSION} (+{settings.app.base_url})"


def fetch_due_sources(settings) -> list[ingest.Report]:
    """Fetch the sources whose time has come; idempotent (a source just fetched is not due again)."""
    reports = services.fetch_all(settings.feeds, now=clock.now(), user_agent=user_agent(settings), only_due=True)
    for report in reports:
        log.info(
            "feed fetched",
            extra={
                "source": report.source.id,
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": report.failed,
            },
        )
    return reports


def match_pending_calls() -> int:
    """Pass on every call that was stored but not yet matched (after a crash between the two, say)."""
    return matching.match_pending_calls(now=clock.now())
