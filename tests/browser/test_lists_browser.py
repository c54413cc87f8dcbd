"""The fundraiser's first day and daily lists in a real browser: the spreadsheet imported into an empty
installation, the applications by their next deadline, and the deadlines searched and ticked off."""

import datetime as dt

import pytest

from fundtrack.applications.models import Application
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline, complete_deadline
from fundtrack.funders.models import Funder
from fundtrack.organisations.models import Organisation
from tests.browser.conftest import log_in
from tests.conftest import NOW

pytestmark = pytest.mark.browser

SHEET = (
    "Titel;Ansøger;Fond;Søgt om;Ansøgningsfrist\n"
    "Køkkenskolen;Café Kornet;Velux Fonden;75.000;15.01.2027\n"
    "Sansehaven;Naturhaven;Nordea-fonden;120.000;1. marts 2027\n"
    "Cykelværkstedet;Café Kornet;Velux Fonden;40.000,50;\n"
)


def test_the_first_spreadsheet_into_an_empty_installation(page, live_server, create_user):
    user = create_user(role="fundraiser", email="first@example.dk")
    log_in(page, live_server, user.email)
    page.click("#getting-started a:has-text('Importér dit regneark med ansøgninger')")
    sheet = {"name": "ansøgninger.csv", "mimeType": "text/csv", "buffer": SHEET.encode("cp1252")}  # as Excel saves it
    page.set_input_files("input[type=file]", sheet)
    page.click("button:has-text('Tjek filen')")
    new_records = page.locator("#new-records").locator("xpath=..")
    assert "2 nye fonde" in new_records.inner_text() and "2 nye organisationer" in new_records.inner_text()
    named = set(new_records.locator("tbody td:nth-child(2)").all_inner_texts())
    assert {"Velux Fonden", "Nordea-fonden", "Café Kornet", "Naturhaven"} <= named
    assert Funder.select().count() == 0  # nothing is saved before the confirmation

    page.select_option("select[name='column:Søgt om']", "amount_requested_ore")  # a column mapped by hand
    page.click("button:has-text('Tjek igen med disse valg')")
    page.click("button.primary:has-text('Importér 3 rækker')")
    page.wait_for_selector(".flash-success")
    assert sorted(f.name for f in Funder.select()) == ["Nordea-fonden", "Velux Fonden"]
    assert sorted(o.name for o in Organisation.select()) == ["Café Kornet", "Naturhaven"]
    kitchen = Application.get(Application.title == "Køkkenskolen")
    assert (kitchen.amount_requested_ore, kitchen.organisation.name) == (75_000_00, "Café Kornet")
    assert Application.get(Application.title == "Cykelværkstedet").amount_requested_ore == 40_000_50
    page.goto(f"{live_server}/")
    assert not page.locator("#getting-started").count()


def test_the_applications_by_their_next_open_deadline(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="lists@example.dk")
    later = create_application(title="Sansehaven")
    sooner = create_application(title="Køkkenskolen")
    none = create_application(title="Uden frist")
    done = add_deadline(sooner, "submission", dt.date(2026, 12, 1), now=NOW)
    complete_deadline(done, actor=None, now=NOW)  # a deadline met is not the next one
    add_deadline(sooner, "submission", dt.date(2027, 1, 15), now=NOW)
    add_deadline(later, "submission", dt.date(2027, 3, 1), now=NOW)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/")
    header = page.locator("thead th", has_text="Næste frist")
    header.locator("a").click()
    page.wait_for_url("**sort=deadline**")
    titles = page.locator("tbody tr td:first-child").all_inner_texts()
    ordered = [t for t in titles if t.strip() in ("Sansehaven", "Køkkenskolen", "Uden frist")]
    assert [t.strip() for t in ordered][:2] == ["Køkkenskolen", "Sansehaven"]
    row = page.locator("tbody tr", has_text="Køkkenskolen")
    assert "15. jan. 2027" in row.inner_text() or "15.01.2027" in row.inner_text()
    assert none.title in page.locator("tbody").inner_text()


def test_search_the_deadlines_and_mark_one_done_in_its_row(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="deadlines@example.dk")
    kitchen = create_application(title="Køkkenskolen")
    garden = create_application(title="Sansehaven")
    draft = add_deadline(kitchen, "internal_draft", dt.date(2027, 2, 1), now=NOW)
    add_deadline(garden, "submission", dt.date(2027, 2, 10), now=NOW)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/deadlines/")
    page.fill("#deadline-q", "køkken")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**q=k**")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Køkkenskolen" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.locator("button", has_text="Markér som udført").click()
    assert Deadline.get_by_id(draft.id).done_at is not None
    assert "q=k" in page.url  # back to the same search
