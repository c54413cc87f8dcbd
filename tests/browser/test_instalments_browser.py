"""Proposing a payment schedule and marking an instalment received, in the browser."""

import datetime as dt

import pytest

from fundtrack.applications.services import move_stage
from fundtrack.instalments.models import Instalment
from tests.conftest import NOW

pytestmark = pytest.mark.browser


def test_propose_a_schedule_and_mark_an_instalment_received(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="rater@example.dk")
    application = create_application(
        title="Værkstedet år 2",
        stage="submitted",
        amount_requested_ore=200_000_00,
        project_start_on=dt.date(2027, 1, 1),
        project_end_on=dt.date(2028, 12, 31),
    )
    move_stage(application, "granted", actor=None, now=NOW, decided_on=dt.date(2026, 11, 20))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/applications/{application.id}")
    schedule = page.locator("#instalments")
    schedule.locator("select[name=plan]").select_option("one")
    with page.expect_navigation():
        schedule.get_by_role("button", name="Foreslå denne betalingsplan").click()
    assert page.locator("#instalments tbody tr").count() == 1
    row = page.locator("#instalments tbody tr").first
    row.locator("input[name=received_on]").fill("2027-01-15")
    row.locator("input[name=received_ore]").fill("200.000")
    with page.expect_navigation():
        row.get_by_role("button", name="Markér som modtaget").click()
    assert "Raten er markeret som modtaget" in page.content()
    [instalment] = Instalment.select().where(Instalment.application == application.id)
    assert (instalment.received_on, instalment.received_ore) == (dt.date(2027, 1, 15), 200_000_00)
    assert "✓ 200.000 kr." in page.locator("#instalments tbody").inner_text()
