"""Organisations as export records."""

EXPORT_COLUMNS = ["id", "name", "kind", "cvr_number", "website", "description", "interests", "un_goals", "archived"]


def export_organisations(query) -> list[dict]:
    return [
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind,
            "cvr_number": o.cvr_number,
            "website": o.website,
            "description": o.description,
            "interests": o.interests,
            "un_goals": o.un_goals,
            "archived": o.archived_at is not None,
        }
        for o in query
    ]
