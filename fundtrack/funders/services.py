"""Reading and writing funders."""
from __future__ import annotations

from fundtrack.funders.models import Funder


def visible_funders(user):
    """Funders are shared knowledge: everyone who logs in may read them; only fundraisers change them."""
    return Funder.select()
