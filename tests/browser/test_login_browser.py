"""A person logs in, sees the dashboard and switches language, in a real browser."""

import datetime as dt

import pytest

from fundtrack import clock
from fundtrack.deadlines.services import add_deadline
from tests.conftest import NOW

pytestmark = pytest.mark.browser


def test_login_see_dashboard_and_switch_language(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="mette@example.dk", name="Mette Holm")
    application = create_application(title="Køkkenskolen år 4")
    add_deadline(application, "submission", clock.today() + dt.timedelta(days=9), now=NOW)

    page.goto(f"{live_server}/")
    assert "/login" in page.url
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")

    assert page.locator("h1").inner_text() == "Godt at se dig, Mette Holm"
    assert page.locator("ul.deadlines").get_by_text("Køkkenskolen år 4").is_visible()
    assert page.locator("html").get_attribute("lang") == "da"

    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Good to see you, Mette Holm"
    page.locator("details.menu-group summary", has_text="Pipeline").click()  # the menu's groups open on a click
    assert page.get_by_role("link", name="Applications", exact=True).is_visible()


def test_the_page_holds_up_on_a_phone(browser, live_server, create_user):
    create_user(role="viewer", email="phone@example.dk")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "phone@example.dk")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    menu = page.locator("nav.menu")
    assert not menu.is_visible()
    page.click("label.menu-button")
    assert menu.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
