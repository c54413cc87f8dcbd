"""Calls as export records."""

from peewee import JOIN

from fundtrack.feeds.models import Call, CallDeadline, CallMatch, FeedSource
from fundtrack.feeds.services import sources_by_call
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation

EXPORT_COLUMNS = [
    "id",
    "title",
    "link",
    "status",
    "funder",
    "funder_id",
    "funder_name",
    "source",
    "source_id",
    "sources",
    "deadlines",
    "rolling",
    "published_at",
    "first_seen_at",
    "organisations",
]


def export_calls(query, organisation_id: int | None = None) -> list[dict]:
    """Calls as export records; `organisations` names only `organisation_id` when given (a member's own),
    so that nobody learns which other organisations a call was passed to."""
    calls = list(
        query.select(Call, Funder, FeedSource).join(Funder, JOIN.LEFT_OUTER).switch(Call).join(FeedSource, JOIN.LEFT_OUTER)
    )
    ids = [c.id for c in calls]
    deadlines, matched = {}, {}
    sources = sources_by_call(ids)
    if ids:
        for d in CallDeadline.select().where(CallDeadline.call.in_(ids)).order_by(CallDeadline.due_on):
            deadlines.setdefault(d.call_id, []).append(d.due_on.isoformat())
        matches = CallMatch.select(CallMatch, Organisation).join(Organisation).where(CallMatch.call.in_(ids))
        if organisation_id is not None:
            matches = matches.where(CallMatch.organisation == organisation_id)
        for m in matches:
            matched.setdefault(m.call_id, []).append(m.organisation.name)
    return [
        {
            "id": c.id,
            "title": c.title,
            "link": c.link,
            "status": c.status,
            "funder": c.funder.name if c.funder_id else None,
            "funder_id": c.funder_id,
            "funder_name": c.funder_name,
            "source": c.source.name if c.source_id else None,
            "source_id": c.source_id,
            "sources": [source.name for source in sources.get(c.id, [])],
            "deadlines": deadlines.get(c.id, []),
            "rolling": c.rolling,
            "published_at": c.published_at,
            "first_seen_at": c.first_seen_at,
            "organisations": matched.get(c.id, []),
        }
        for c in calls
    ]
