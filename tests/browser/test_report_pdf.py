"""The overview printed to PDF by Chromium, as a user's "print to PDF" would: an A4 report with the title and the totals."""

import io

import pytest
from pypdf import PdfReader

from tests.reports.conftest import worked  # noqa: F401  (the hand-worked fixture)

pytestmark = pytest.mark.browser


def test_the_overview_prints_to_a_pdf_with_title_and_totals(page, live_server, create_user, worked):  # noqa: F811
    user = create_user(role="viewer", email="udvalg@example.dk")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/reports/2026-Q3")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator(".report-picker").is_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert len(pdf.pages) >= 3
    title_page = pdf.pages[0].extract_text()
    assert "Fundingoversigt 3. kvartal 2026" in title_page
    assert "330.001 kr." in title_page and "140.000,36 kr." in title_page  # applied for, granted
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Sammenlignet med tidligere perioder" in text and "60.000,11 kr." in text
    assert "2 / " in pdf.pages[1].extract_text()  # page numbers from the print stylesheet
