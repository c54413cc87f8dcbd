"""What a gift is, once, for the relationships (Den Gyldne Donation) and the overviews alike.

A gift is an application in a won stage (granted, reporting, closed) that the funder did not take back
in full; its amount is the amount granted net of what was reclaimed; its day is the day of the decision.
"""

from __future__ import annotations

import datetime as dt

from peewee import fn

from fundtrack.applications.models import WON_STAGES, Application


def amount(model=Application):
    """SQL: the money a won application brought, net of what the funder took back."""
    return fn.COALESCE(model.amount_granted_ore, 0) - model.reclaimed_ore


def day(model=Application):
    """SQL: the day a gift was given (the decision)."""
    return model.decided_on


def condition(model=Application):
    """SQL: true for an application that is a gift."""
    return model.stage.in_(WON_STAGES) & model.decided_on.is_null(False) & (amount(model) > 0)


def of(application: Application) -> tuple[dt.date, int] | None:
    """(day, amount) when the application is a gift, else None: the same rule as `condition`, in Python."""
    if application.stage not in WON_STAGES or application.decided_on is None:
        return None
    net = (application.amount_granted_ore or 0) - (application.reclaimed_ore or 0)
    return (application.decided_on, net) if net > 0 else None
