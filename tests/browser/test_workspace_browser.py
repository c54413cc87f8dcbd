"""The daily workspace in a real browser: a file dragged onto an application, and a search from the header."""

import pytest

from fundtrack.documents.models import Document, DocumentVersion
from fundtrack.search.index import SearchEntry
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PDF_TEXT = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_drag_a_file_onto_an_application(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="docs@example.dk")
    application = create_application(title="Køkkenskolen")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/{application.id}")
    page.select_option("#documents form[data-drop-zone] select[name=kind]", "budget")
    dropped = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new TextEncoder().encode(text)], "budget 2027.pdf", {type: "application/pdf"}));
            return transfer;
        }""",
        PDF_TEXT,
    )
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.dispatch_event("#documents form[data-drop-zone]", "dragover", {"dataTransfer": dropped})
        page.dispatch_event("#documents form[data-drop-zone]", "drop", {"dataTransfer": dropped})
    assert answer.value.ok
    page.wait_for_selector("#documents a:has-text('budget 2027.pdf')")
    document = Document.get()
    assert (document.name, document.kind, document.application_id) == ("budget 2027.pdf", "budget", application.id)
    assert DocumentVersion.get().size == len(PDF_TEXT.encode())


def test_a_refused_drop_says_why(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="docs2@example.dk")
    application = create_application(title="Sansehaven")
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/applications/{application.id}")
    dropped = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array([77, 90, 144, 0, 3, 0, 0, 0])], "program.pdf"));
            return transfer;
        }"""
    )
    page.dispatch_event("#documents form[data-drop-zone]", "drop", {"dataTransfer": dropped})
    status = page.locator("#documents .drop-status.flash-error")
    status.wait_for(state="visible")
    assert "program.pdf" in status.inner_text()
    assert Document.select().count() == 0


def test_search_from_the_header_and_open_a_result(page, live_server, create_user, create_application):
    user = create_user(role="fundraiser", email="search@example.dk")
    application = create_application(title="Køkkenskolen i Nørrebro", purpose="Unge kokke lærer faget")
    assert SearchEntry.select().where(SearchEntry.record_id == application.id).exists()
    log_in(page, live_server, user.email)
    page.fill("#header-q", "KØKKEN")
    page.press("#header-q", "Enter")
    page.wait_for_url(f"{live_server}/search/?q=K%C3%98KKEN")
    result = page.locator("ol.results a", has_text="Nørrebro")
    assert result.locator("mark").first.inner_text() == "Køkkenskolen"
    result.click()
    page.wait_for_url(f"{live_server}/applications/{application.id}")
    assert "Køkkenskolen i Nørrebro" in page.locator("h1").inner_text()
