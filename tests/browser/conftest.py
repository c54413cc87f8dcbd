"""Browser tests: the app served on loopback by a real server thread, driven in Debian's headless Chromium."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from fundtrack import demo
from fundtrack.applications.models import Application
from fundtrack.db import db
from fundtrack.documents.services import add_document
from tests.conftest import NOW
from tests.pages import every_page
from tests.servers import free_port

CHROMIUM = os.environ.get("FUNDTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test app on a free loopback port, for as long as the test runs."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_pages(app):
    """The demo installation with one stored document, and the address of each of its pages."""
    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
        add_document(
            Application.select().order_by(Application.id).first(),
            kind="budget",
            filename="budget.pdf",
            data=b"%PDF-1.4\n%%EOF\n",
            settings=app.extensions["fundtrack.settings"].files,
            storage=app.extensions["fundtrack.storage"],
            actor=None,
            now=NOW,
        )
    return every_page(app)


def log_in(page, live_server, email, password="correct horse"):
    """Sign in through the login page, as a person would, and wait for the start page."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
