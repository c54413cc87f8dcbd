"""Domain events: how a lower domain tells the higher ones what happened, without importing them.

Each domain announces its events as blinker signals in its own `events.py` (`applications.events.moved`).
Higher domains connect receivers: in their services for what follows in the same transaction (a grant
creates report deadlines), in their views for their part of a page (the fee section of an application).
A receiver may refuse by raising, or answer with one of the small values below; `answers` collects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blinker import Namespace

signals = Namespace()


@dataclass(frozen=True)
class Notice:
    """Something the user should be told about a consequence (an English msgid, translated where shown)."""

    message: str
    params: dict = field(default_factory=dict)
    category: str = "info"


@dataclass
class Section:
    """A part of a record page that another domain contributes; its template finds it as `section`."""

    template: str
    data: dict = field(default_factory=dict)
    order: int = 50


@dataclass
class Column:
    """A column of a list, or a detail of a board card, that another domain contributes.

    `load(ids)` gives each shown row's value; `cell` (a list's table cell) and `card` (a board card's detail)
    are the templates that show it, finding it as `value`; `sort` is the SQL expression to order the list by.
    """

    key: str
    label: str
    load: object
    cell: str | None = None
    card: str | None = None
    sort: object = None
    order: int = 50
    values: dict = field(default_factory=dict)

    def fill(self, ids) -> Column:
        self.values = self.load(list(ids))
        return self


@dataclass
class Filter:
    """What another domain adds to a list from the query string: a condition (None when its parameter is
    absent), the words that explain it above the list, and the template of its control in the filter form."""

    condition: object = None
    description: str = ""
    template: str | None = None
    parameters: tuple[str, ...] = ()
    order: int = 50


def answers(signal, sender=None, **kwargs) -> list:
    """What the receivers of `signal` answered (None left out), in their `order` when they have one."""
    found = [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]
    flat = []
    for value in found:
        flat.extend(value if isinstance(value, list | tuple) else [value])
    return sorted(flat, key=lambda value: getattr(value, "order", 50))
