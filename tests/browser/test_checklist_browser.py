"""The theory-of-change checklist filled in a real browser: the status follows what is written, the reason field
shows only for "not applicable", each section counts its answers, and the save button stays in reach."""

import pytest

from fundtrack.checklists import services
from fundtrack.checklists.models import Answer
from tests.browser.conftest import log_in
from tests.conftest import NOW

pytestmark = pytest.mark.browser


def _item(page, checklist, code):
    item = next(item for item, _ in services.rows(checklist) if item.code == code)
    return page.locator(f"#item-{code}"), item.id


def test_the_checklist_is_quick_to_fill_in(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="check@example.dk")
    application = create_application(title="Køkkenskolen")
    checklist = services.checklist_for(application, now=NOW)
    log_in(page, live_server, user.email)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(f"{live_server}/checklists/{application.id}")
    group, group_id = _item(page, checklist, "target_group")
    count, count_id = _item(page, checklist, "target_count")
    section = page.locator(".checklist-section").first
    assert section.locator("[data-section-progress]").inner_text() == "0 af 2 besvaret"
    assert not group.locator(".reason-field").is_visible()

    group.locator("textarea").fill("Unge ledige i Aarhus Vest")
    assert page.input_value(f"#i{group_id}-status") == "done"
    assert group.locator("[data-status-badge]").inner_text() == "Færdig"
    page.fill(f"#i{count_id}-number", "25")
    assert page.input_value(f"#i{count_id}-status") == "draft"  # the number's source is still missing
    page.fill(f"#i{count_id}-source", "Jobcentret, 2026")
    assert page.input_value(f"#i{count_id}-status") == "done"
    assert section.locator("[data-section-progress]").inner_text() == "2 af 2 besvaret"

    funding, funding_id = _item(page, checklist, "activities")
    page.select_option(f"#i{funding_id}-status", "not_applicable")
    assert funding.locator(".reason-field").is_visible()
    funding.locator(".reason-field input").fill("Et forsøg uden faste aktiviteter")

    save = page.locator(".checklist-save button")
    assert save.is_visible()  # kept in reach, at the top of the page as at its end
    with page.expect_navigation():
        save.click()
    statuses = {answer.item.code: answer.status for answer in Answer.select().where(Answer.checklist == checklist)}
    assert (statuses["target_group"], statuses["target_count"], statuses["activities"]) == ("done", "done", "not_applicable")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
