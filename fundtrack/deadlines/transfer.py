"""Deadlines as export records."""

EXPORT_COLUMNS = [
    "id",
    "application",
    "application_id",
    "organisation",
    "organisation_id",
    "funder",
    "funder_id",
    "kind",
    "title",
    "due_on",
    "due_at",
    "done_at",
]


def export_deadlines(query) -> list[dict]:
    """Deadlines with their application, organisation and funder by name beside the id (joined by the query)."""
    return [
        {
            "id": d.id,
            "application": d.application.title,
            "application_id": d.application_id,
            "organisation": d.application.organisation.name,
            "organisation_id": d.application.organisation_id,
            "funder": d.application.funder.name,
            "funder_id": d.application.funder_id,
            "kind": d.kind,
            "title": d.title,
            "due_on": d.due_on,
            "due_at": d.due_at,
            "done_at": d.done_at,
        }
        for d in query
    ]
