"""Search across everything: Danish folding and stems, ranking, highlighting, who finds what, and an index
kept in the writing transaction. Runs on SQLite's FTS5 and on PostgreSQL's Danish full-text search alike."""

import pytest

from fundtrack.applications.services import update_application
from fundtrack.audit import services as audit
from fundtrack.db import db, is_postgresql
from fundtrack.funders.services import create_funder
from fundtrack.scheduler import catch_up
from fundtrack.search import index
from fundtrack.search.index import SearchEntry, fold
from fundtrack.tasks.services import create_task
from tests.conftest import NOW, login


@pytest.fixture
def world(create_organisation, create_user, create_application):
    kornet = create_organisation("Café Kornet", description="Socialøkonomisk café med køkkenskole")
    haven = create_organisation("Naturhaven", description="Grønne haver for veteraner")
    oresund = create_funder(
        {"name": "Øresundsfonden", "description": "Støtter køkkener og caféer i hele regionen"}, actor=None, now=NOW
    )
    kitchen = create_application(
        organisation=kornet,
        funder=oresund,
        title="KØKKENSKOLEN",
        purpose="Unge lærer at lave mad",
        notes="Fonden vil have tal på praktikpladser",
    )
    garden = create_application(organisation=haven, title="Drivhus til haven", purpose="Et køkken i haven til høsten")
    task = create_task({"title": "Hent budget til køkkenet", "due_on": NOW.date(), "application": kitchen}, actor=None, now=NOW)
    return {
        "kornet": kornet,
        "haven": haven,
        "oresund": oresund,
        "kitchen": kitchen,
        "garden": garden,
        "task": task,
        "fundraiser": create_user("fundraiser"),
        "viewer": create_user("viewer"),
        "kornet_member": create_user("member", organisation=kornet),
        "haven_member": create_user("member", organisation=haven),
    }


def found(user, query, **kwargs):
    return [(hit.kind, hit.record_id) for hit in index.search(user, query, **kwargs)]


def test_folding_keeps_the_danish_letters_and_drops_accents():
    assert fold("KØKKEN") == "køkken" and fold("Øresund") == "øresund" and fold("CAFÉ") == "cafe"
    assert fold("Århus Æbler") == "århus æbler"


def test_case_and_accents_fold_for_danish_letters(world):
    fundraiser = world["fundraiser"]
    assert ("application", world["kitchen"].id) in found(fundraiser, "køkkenskolen")
    assert ("funder", world["oresund"].id) in found(fundraiser, "ØRESUND")
    assert ("organisation", world["kornet"].id) in found(fundraiser, "CAFÉ kornet")
    assert ("organisation", world["kornet"].id) in found(fundraiser, "cafe")


def test_words_are_found_by_their_stems_and_beginnings(world):
    fundraiser = world["fundraiser"]
    assert ("funder", world["oresund"].id) in found(fundraiser, "café")  # the funder's text says caféer
    assert ("organisation", world["haven"].id) in found(fundraiser, "have")  # haver
    assert ("organisation", world["haven"].id) in found(fundraiser, "veteran")
    assert ("application", world["kitchen"].id) in found(fundraiser, "køkkenskole")
    assert found(fundraiser, "ubåd") == []


def test_a_match_in_the_title_ranks_above_one_in_the_text(world):
    kinds = found(world["fundraiser"], "køkken")
    assert kinds.index(("application", world["kitchen"].id)) < kinds.index(("application", world["garden"].id))


def test_the_matching_words_are_highlighted(world):
    hits = index.search(world["fundraiser"], "køkken")
    kitchen = next(h for h in hits if (h.kind, h.record_id) == ("application", world["kitchen"].id))
    assert str(kitchen.title) == "<mark>KØKKENSKOLEN</mark>"
    garden = next(h for h in hits if (h.kind, h.record_id) == ("application", world["garden"].id))
    assert "Et <mark>køkken</mark> i haven" in str(garden.snippet)
    evil = index.highlight("<script>køkken</script>", ["køkken"])
    assert "<script>" not in str(evil) and "<mark>køkken</mark>" in str(evil)


def test_a_member_never_finds_another_organisations_records(world):
    haven = world["haven_member"]
    results = found(haven, "køkken")
    assert ("application", world["garden"].id) in results
    assert ("funder", world["oresund"].id) in results  # funders are shared
    assert not [
        r
        for r in results
        if r[0] in ("application", "application:notes", "task") and r[1] in (world["kitchen"].id, world["task"].id)
    ]
    assert found(haven, "praktikpladser") == []
    assert found(haven, "kornet") == []
    kornet = world["kornet_member"]
    assert ("application:notes", world["kitchen"].id) in found(kornet, "praktikpladser")
    assert ("task", world["task"].id) in found(kornet, "budget")


def test_a_viewer_does_not_find_personal_notes(world):
    assert found(world["viewer"], "praktikpladser") == []
    assert ("application", world["kitchen"].id) in found(world["viewer"], "køkkenskolen")


def test_the_index_follows_each_write_in_its_transaction(world):
    fundraiser = world["fundraiser"]
    kitchen = world["kitchen"]
    update_application(kitchen, {"title": "Madskolen"}, actor=None, now=NOW)
    assert ("application", kitchen.id) not in found(fundraiser, "køkkenskolen")
    assert ("application", kitchen.id) in found(fundraiser, "madskolen")
    with pytest.raises(RuntimeError):
        with db.atomic():
            create_funder({"name": "Spøgelsesfonden"}, actor=None, now=NOW)
            raise RuntimeError("the write fails after the funder")
    assert found(fundraiser, "spøgelsesfonden") == []


def test_an_empty_index_is_rebuilt_after_an_upgrade(world):
    SearchEntry.delete().execute()
    if not is_postgresql():
        db.execute_sql("DELETE FROM search_fts")
    catch_up()
    assert ("application", world["kitchen"].id) in found(world["fundraiser"], "køkkenskolen")


def test_odd_input_never_fails(world, client):
    login(client, world["fundraiser"])
    for query in ['"', "NEAR(", "køk*", "a OR b", "-", "'; DROP TABLE x", "æ" * 300, "%_"]:
        assert client.get("/search/", query_string={"q": query}).status_code == 200
    assert client.get("/search/?kind=nonsense&q=x").status_code == 400


def test_search_from_the_header_lists_links_to_the_records(world, client):
    login(client, world["kornet_member"])
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/search/"' in page
    html = client.get("/search/?q=køkken").get_data(as_text=True)
    assert f'href="/applications/{world["kitchen"].id}"' in html and "<mark>" in html
    assert f'href="/applications/{world["garden"].id}"' not in html
    assert f'href="/tasks/{world["task"].id}"' in html
    only_funders = client.get("/search/?q=køkken&kind=funder").get_data(as_text=True)
    assert f'href="/funders/{world["oresund"].id}"' in only_funders and "/applications/" not in only_funders.split("results")[-1]


def test_the_list_filters_fold_like_the_search(world, client):
    login(client, world["fundraiser"])
    assert "Øresundsfonden" in client.get("/funders/?q=ØRESUND").get_data(as_text=True)
    assert "Øresundsfonden" in client.get("/funders/?q=caféer").get_data(as_text=True)
    assert "KØKKENSKOLEN" in client.get("/applications/?q=køkkenskolen").get_data(as_text=True)
    assert "Café Kornet" in client.get("/organisations/?q=CAFE").get_data(as_text=True)


def test_calls_written_in_bulk_are_found(world):
    from fundtrack.feeds.models import Call

    call = Call.create(title="Pulje til grønne køkkener", summary_text="Frist 1. marts")
    audit.reindex(call, NOW)
    assert ("call", call.id) in found(world["fundraiser"], "grøn køkken")
    assert found(world["haven_member"], "pulje") == []


def test_the_index_is_rebuilt_by_command(world, runner):
    lost = SearchEntry.get((SearchEntry.kind == "application") & (SearchEntry.record_id == world["kitchen"].id))
    index.forget("application", world["kitchen"].id)  # an index out of step with the records
    assert SearchEntry.select().exists() and ("application", world["kitchen"].id) not in found(
        world["fundraiser"], "køkkenskolen"
    )
    result = runner.invoke(["db", "reindex"])
    assert result.exit_code == 0 and "records indexed for search" in result.output
    assert ("application", world["kitchen"].id) in found(world["fundraiser"], "køkkenskolen")
    assert SearchEntry.select().where(SearchEntry.kind == "application").count() == 2 and lost.title == "KØKKENSKOLEN"
