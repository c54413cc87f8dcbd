"""Dragging a card on the board moves the application, checked by the server."""

import pytest

from fundtrack.applications.models import Application
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

# A card is picked up by its edge, as a hand would: its middle holds the move form.
GRIP = {"x": 8, "y": 8}


def test_drag_a_card_to_the_next_stage(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board@example.dk")
    application = create_application(title="Køkkenskolen år 4", stage="idea")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    card = page.locator(f".card-item[data-id='{application.id}']")
    assert card.get_attribute("data-stage") == "idea"
    # The card moves at once; the server's answer, then a reload of the board, follow.
    with page.expect_navigation(), page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.drag_and_drop(f"#card-{application.id}", "section.column[data-stage='drafting']", source_position=GRIP)
    assert answer.value.ok
    assert Application.get_by_id(application.id).stage == "drafting"
    assert page.locator(f"section.column[data-stage='drafting'] .card-item[data-id='{application.id}']").is_visible()


def test_a_refused_drag_puts_the_card_back_and_says_why(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board2@example.dk")
    application = create_application(title="Sansehaven", stage="idea")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    page.drag_and_drop(f".card-item[data-id='{application.id}']", "section.column[data-stage='reporting']", source_position=GRIP)
    message = page.locator("#board-message")
    message.wait_for(state="visible")
    assert "kan ikke flyttes" in message.inner_text()
    assert page.locator(f"section.column[data-stage='idea'] .card-item[data-id='{application.id}']").is_visible()
    assert Application.get_by_id(application.id).stage == "idea"


def test_a_grant_dropped_asks_for_amount_and_date_prefilled(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board3@example.dk")
    application = create_application(title="Cykelværkstedet", stage="submitted", amount_requested_ore=80_000_00)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    page.drag_and_drop(f".card-item[data-id='{application.id}']", "section.column[data-stage='granted']", source_position=GRIP)
    dialog = page.locator("dialog.move-dialog")
    dialog.wait_for(state="visible")
    amount = dialog.locator("input[name=amount_granted_ore]")
    assert amount.input_value().replace(".", "").startswith("80000")
    assert dialog.locator("input[name=decided_on]").input_value()
    assert Application.get_by_id(application.id).stage == "submitted"  # nothing moved before the answer
    amount.fill("75.000")
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    granted = Application.get_by_id(application.id)
    assert (granted.stage, granted.amount_granted_ore) == ("granted", 75_000_00)
    page.wait_for_function(f"document.activeElement && document.activeElement.closest('#card-{application.id}')")


def _drop(page, card, column):
    """A drag and drop as the browser reports it to the page, for a column the mouse cannot reach on screen."""
    transfer = page.evaluate_handle("() => new DataTransfer()")
    page.dispatch_event(card, "dragstart", {"dataTransfer": transfer})
    page.dispatch_event(column, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(column, "drop", {"dataTransfer": transfer})
    page.dispatch_event(card, "dragend", {"dataTransfer": transfer})
    page.locator("dialog.move-dialog").wait_for(state="visible")


def test_a_withdrawal_is_confirmed_in_a_dialog_and_can_be_undone(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board4@example.dk")
    application = create_application(title="Suppekøkkenet", stage="drafting")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    # The keyboard's way, the card's own form, asks in the same dialog as a drop.
    page.select_option(f"#move-{application.id}", "withdrawn")
    page.click(f"#card-{application.id} form.card-move button")
    dialog = page.locator("dialog.move-dialog")
    dialog.wait_for(state="visible")
    assert "Suppekøkkenet" in dialog.inner_text()
    dialog.locator("a", has_text="Annullér").click()  # Cancel: nothing happens
    page.wait_for_selector("dialog.move-dialog", state="detached")  # closed, and gone
    assert Application.get_by_id(application.id).stage == "drafting"
    _drop(page, f"#card-{application.id}", "section.column[data-stage='withdrawn']")  # dropped, far off-screen
    with page.expect_navigation():
        page.locator("dialog.move-dialog button[type=submit]").click()
    assert Application.get_by_id(application.id).stage == "withdrawn"
    with page.expect_navigation():
        page.click("form.undo button")
    assert Application.get_by_id(application.id).stage == "drafting"
    assert "Fortrudt" in page.locator("main").inner_text()


def test_the_first_card_is_a_few_tab_stops_away(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board5@example.dk")
    application = create_application(title="Naturhaven", stage="idea")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the first column's link
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("(document.activeElement.closest('.card-item') || {dataset: {}}).dataset.id")
    assert focused == str(application.id)


def test_a_confirmed_removal_in_the_dialog_and_its_undo(page, live_server, create_user, create_application):
    import datetime as dt

    from fundtrack.deadlines.models import Deadline
    from fundtrack.deadlines.services import add_deadline
    from tests.conftest import NOW

    user = create_user(role="fundraiser", email="board6@example.dk")
    application = create_application(title="Værkstedet")
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/{application.id}")
    page.click(f"form[action='/deadlines/{deadline.id}/delete'] button")
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for(state="visible")
    assert "Fjern fristen" in dialog.inner_text()
    dialog.locator("button", has_text="Annullér").click()
    assert Deadline.get_by_id(deadline.id).deleted_at is None
    page.click(f"form[action='/deadlines/{deadline.id}/delete'] button")
    with page.expect_navigation():
        page.locator("dialog.confirm-dialog button", has_text="Ja, fortsæt").click()
    assert Deadline.get_by_id(deadline.id).deleted_at is not None
    with page.expect_navigation():
        page.click("form.undo button")
    assert Deadline.get_by_id(deadline.id).deleted_at is None
