"""Relationships as export records."""

from fundtrack.money import kroner

EXPORT_COLUMNS = [
    "id",
    "funder",
    "funder_id",
    "organisation",
    "organisation_id",
    "status",
    "gifts",
    "lifetime_gift",
    "average_gift",
    "last_gift_on",
    "last_gift",
    "change_from_previous",
    "consecutive_years",
    "next_ask_on",
    "suggested_amount",
    "steward",
    "steward_id",
    "next_step",
    "next_step_on",
]


def export_relationships(overviews) -> list[dict]:
    records = []
    for o in overviews:
        r = o.relationship
        last = o.last_gift
        records.append(
            {
                "id": r.id,
                "funder": r.funder.name,
                "funder_id": r.funder_id,
                "organisation": r.organisation.name,
                "organisation_id": r.organisation_id,
                "status": o.status.code,
                "gifts": len(o.gifts),
                "lifetime_gift": kroner(o.lifetime_ore),
                "average_gift": kroner(o.average_ore),
                "last_gift_on": last.on if last else None,
                "last_gift": kroner(last.amount_ore) if last else None,
                "change_from_previous": round(o.change, 4) if o.change is not None else None,
                "consecutive_years": o.consecutive_years,
                "next_ask_on": o.next_ask.on,
                "suggested_amount": kroner(o.suggested_ore),
                "steward": r.steward.name if r.steward_id else None,
                "steward_id": r.steward_id,
                "next_step": r.next_step,
                "next_step_on": r.next_step_on,
            }
        )
    return records
