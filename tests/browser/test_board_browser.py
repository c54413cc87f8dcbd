"""Dragging a card on the board moves the application, checked by the server."""

import pytest

from fundtrack.applications.models import Application

pytestmark = pytest.mark.browser


def _log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")


def test_drag_a_card_to_the_next_stage(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board@example.dk")
    application = create_application(title="Køkkenskolen år 4", stage="idea")
    _log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    card = page.locator(f".card-item[data-id='{application.id}']")
    assert card.get_attribute("data-stage") == "idea"
    # The card moves at once; the server's answer, then a reload of the board, follow.
    with page.expect_navigation(), page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.drag_and_drop(f".card-item[data-id='{application.id}']", "section.column[data-stage='drafting']")
    assert answer.value.ok
    assert Application.get_by_id(application.id).stage == "drafting"
    assert page.locator(f"section.column[data-stage='drafting'] .card-item[data-id='{application.id}']").is_visible()


def test_a_refused_drag_puts_the_card_back_and_says_why(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="board2@example.dk")
    application = create_application(title="Sansehaven", stage="idea")
    _log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/board")
    page.drag_and_drop(f".card-item[data-id='{application.id}']", "section.column[data-stage='reporting']")
    message = page.locator("#board-message")
    message.wait_for(state="visible")
    assert "kan ikke flyttes" in message.inner_text()
    assert page.locator(f"section.column[data-stage='idea'] .card-item[data-id='{application.id}']").is_visible()
    assert Application.get_by_id(application.id).stage == "idea"
