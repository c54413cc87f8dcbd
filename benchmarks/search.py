"""The search benchmark: a search against the raw full-text query for the same words, with 20,000
applications, 2,000 funders and 100,000 indexed rows; and what keeping the index adds to creating an
application."""

from __future__ import annotations

import datetime as dt
import random

from fundtrack.applications.models import Application
from fundtrack.applications.services import create_application
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from fundtrack.search import index

WORDS = (
    "køkken café have værksted genbrug cykel veteran ældre unge praktik job frivillig madskole drivhus "
    "bæredygtig fællesskab lokal social økonomi ensomhed kunst musik reparation butik by land skole"
).split()
INDEXED_ROWS = 100_000
QUERY = "køkken café"


def fill(now: dt.datetime) -> int:
    """Index every record, then add task-like rows of Danish words until the index holds INDEXED_ROWS."""
    with db.atomic():
        audit.rebuild_search_index(now)
    have = index.SearchEntry.select().count()
    rng = random.Random(7)
    organisation_ids = [o.id for o in Organisation.select(Organisation.id)]
    with db.atomic():
        for number in range(INDEXED_ROWS - have):
            title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
            body = " ".join(rng.choice(WORDS) for _ in range(25))
            index.put(
                "task",
                10_000_000 + number,
                index.Text(title, body),
                organisation_id=rng.choice(organisation_ids),
                page=("task", 10_000_000 + number),
                at=now,
            )
    return index.SearchEntry.select().count()


def run(large, small, repeat: int, best_of, now: dt.datetime) -> list[tuple]:
    """(name, fundtrack ms, baseline ms, queries small, queries large) rows."""
    rows = []
    for world in (small, large):
        world.activate()
        with db.connection_context():
            world.indexed = fill(now)
    large.activate()
    sql, params = index.raw_search_sql(QUERY)

    def raw():
        with db.connection_context():
            db.execute_sql(sql, params).fetchall()

    path = f"/search/?q={QUERY.replace(' ', '+')}"
    small.activate().get(path)  # a first request opens the world's connection; count the steady state
    large.activate()
    rows.append(
        (
            f"search: {large.indexed:,} rows",
            best_of(lambda: large.get(path), repeat),
            best_of(raw, repeat),
            small.queries(path),
            large.queries(path),
        )
    )

    funder = Funder.select().first()
    organisation = Organisation.select().first()
    found = audit.description("application")
    counter = iter(range(1_000_000))

    def create():
        with db.connection_context():
            create_application(
                {"organisation": organisation, "funder": funder, "title": f"Køkkenskolen {next(counter)}", "purpose": QUERY},
                actor=None,
                now=now,
            )

    large.activate()
    with_index = best_of(create, repeat * 4)
    kept, found.search = found.search, None  # the same write without the index
    try:
        without_index = best_of(create, repeat * 4)
    finally:
        found.search = kept
    with db.connection_context():
        Application.delete().where(Application.title.startswith("Køkkenskolen ")).execute()
    rows.append(("create application + index", with_index, without_index, 0, 0))
    return rows
