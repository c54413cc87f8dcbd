"""Calls passed on by stem and compound in Danish and English, kept away by excluded words and their compounds,
fitted by UN goals found in the text, and matched again when an organisation's interests or the goal words change."""

import datetime as dt

import pytest

from fundtrack.feeds import matching
from fundtrack.feeds.models import Call, CallDeadline, CallMatch, GoalWords
from fundtrack.organisations.services import update_organisation
from tests.conftest import NOW, post


@pytest.fixture
def call(app):
    def make(title, text="", **fields):
        return Call.create(title=title, summary_text=text, **fields)

    return make


def reasons(call, organisation):
    match = CallMatch.get_or_none((CallMatch.call == call) & (CallMatch.organisation == organisation))
    return match.reasons if match else None


def test_words_match_by_their_danish_and_english_stems(call, create_organisation):
    cafe = create_organisation("Café Kornet", interests="café, grøn have")
    naturhaven = create_organisation("Naturhaven", keywords="veteran, garden")
    danish = call("Støtte til caféer og grønne haver i lokalsamfundet")
    english = call("Community gardens for veterans")
    matching.match_calls([danish.id, english.id], now=NOW)
    assert reasons(danish, cafe) == ["café (caféer)", "grøn have"]
    assert reasons(english, naturhaven) == ["garden (gardens)", "veteran (veterans)"]
    assert reasons(english, cafe) is None


def test_a_danish_compound_matches_its_parts(call, create_organisation):
    lab = create_organisation("Genbrugslab", interests="genbrug, værksted")
    workshop = call("Pulje til genbrugsværksteder")
    matching.match_calls([workshop.id], now=NOW)
    assert reasons(workshop, lab) == ["genbrug (genbrugsværksteder)", "værksted (genbrugsværksteder)"]


@pytest.mark.parametrize("title", ["Kunstfonden støtter genbrug", "Genbrugskunst i byrummet", "Kunst og genbrug"])
def test_an_excluded_word_keeps_away_its_compounds(call, create_organisation, title):
    lab = create_organisation("Genbrugslab", interests="genbrug", excluded_words="kunst")
    found = call(title)
    matching.match_calls([found.id], now=NOW)
    assert reasons(found, lab) is None


def test_a_short_word_is_no_part_of_a_compound(call, create_organisation):
    youth = create_organisation("Ungdomshuset", interests="ung")
    hungary = call("Udveksling med Ungarn")
    matching.match_calls([hungary.id], now=NOW)
    assert reasons(hungary, youth) is None


def test_a_calls_un_goals_come_from_its_words_and_fit_organisations_with_those_goals(call, create_organisation):
    nature = create_organisation("Naturhaven", un_goals="15")
    found = call("Biodiversitet i byens parker", "Vi støtter projekter for vilde bier og natur.")
    english = call("Marine litter clean-up", "Protecting the ocean")
    matching.match_calls([found.id, english.id], now=NOW)
    assert Call.get_by_id(found.id).un_goals == [15]
    assert 14 in Call.get_by_id(english.id).un_goals
    assert reasons(found, nature) == ["UN 15"]


def test_the_fundraiser_edits_the_goal_words_and_the_open_calls_are_matched_again(client, login_as, call, create_organisation):
    nature = create_organisation("Naturhaven", un_goals="15")
    flowers = call("Vildblomster langs vejene")
    matching.match_calls([flowers.id], now=NOW)
    assert reasons(flowers, nature) is None
    login_as("fundraiser")
    page = client.get("/calls/goals").get_data(as_text=True)
    assert "biodiversitet" in page
    da, en = matching.DEFAULT_GOAL_WORDS[15]
    response = post(
        client,
        "/calls/goals",
        {"da_15": ", ".join([*da, "vildblomst"]), "en_15": ", ".join(en)},
        token_from="/calls/goals",
    )
    assert response.status_code == 302
    assert GoalWords.get().goal == 15 and "vildblomst" in GoalWords.get().words_da
    assert reasons(flowers, nature) == ["UN 15"]
    post(client, "/calls/goals", {"da_15": ", ".join(da), "en_15": ", ".join(en)}, token_from="/calls/goals")
    assert GoalWords.select().count() == 0  # back to the defaults: no row kept
    assert reasons(flowers, nature) is None


def test_goal_words_longer_than_a_goal_holds_are_refused_and_kept_in_the_form(client, login_as):
    login_as("fundraiser")
    typed = "natur, " + "x" * (matching.WORD_LIMIT + 1)
    response = post(client, "/calls/goals", {"da_15": typed, "en_3": "health"}, token_from="/calls/goals")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and ("se mål 15" in page or "see goal 15" in page)
    assert typed in page and ">health</textarea>" in page
    assert GoalWords.select().count() == 0


def test_members_and_viewers_cannot_edit_goal_words(client, login_as, create_organisation):
    login_as("viewer")
    assert client.get("/calls/goals").status_code in (403, 404)
    response = post(client, "/calls/goals", {"da_15": "hest"}, token_from="/")
    assert response.status_code in (403, 404) and GoalWords.select().count() == 0


def test_when_interests_change_the_open_calls_are_matched_again(call, create_organisation, frozen_clock):
    cafe = create_organisation("Café Kornet", interests="mad")
    kitchen = call("Pulje til køkkener og madskoler")
    bikes = call("Cykelværksteder i landdistrikterne")
    past = call("Cykler for alle")
    CallDeadline.create(call=past, due_on=dt.date(2026, 1, 1))  # its deadline has passed: not matched again
    matching.match_calls([kitchen.id, bikes.id, past.id], now=NOW)
    assert reasons(kitchen, cafe) == ["mad (madskoler)"] and reasons(bikes, cafe) is None
    update_organisation(cafe, {"interests": "cykel"}, actor=None, now=NOW)
    assert reasons(bikes, cafe) == ["cykel (cykelværksteder)"]
    assert reasons(kitchen, cafe) is None  # no longer fits
    assert reasons(past, cafe) is None


def test_the_call_page_shows_the_words_that_made_each_match(client, login_as, call, create_organisation):
    cafe = create_organisation("Café Kornet", interests="café")
    found = call("Støtte til caféer")
    matching.match_calls([found.id], now=NOW)
    login_as("fundraiser")
    body = client.get(f"/calls/{found.id}").get_data(as_text=True)
    assert "café (caféer)" in body and cafe.name in body
