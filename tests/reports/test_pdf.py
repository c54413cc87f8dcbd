"""The overview as an A4 PDF made on the server, from the command and from the page, read back with pypdf."""

import io
import sys

import pytest
from pypdf import PdfReader

from tests.reports.conftest import worked  # noqa: F401  (the hand-worked fixture)

pytest.importorskip("weasyprint", reason="pip install 'fundtrack[pdf]' (and Debian's Pango) for the server's PDF")


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_command_writes_an_a4_pdf_with_title_totals_and_page_numbers(worked, runner, tmp_path):  # noqa: F811
    target = tmp_path / "overview.pdf"
    result = runner.invoke(["reports", "quarterly", "3. kvartal 2026", "--format", "pdf", "-o", str(target), "--language", "da"])
    assert result.exit_code == 0, result.output
    reader, text = _text(target.read_bytes())
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    title_page = reader.pages[0].extract_text()
    assert "Fundingoversigt 3. kvartal 2026" in title_page
    assert "330.001 kr." in title_page and "140.000,36 kr." in title_page  # applied for, granted
    assert f"2 / {len(reader.pages)}" in reader.pages[1].extract_text()  # page numbers, none on the title page
    assert "Sammenlignet med tidligere perioder" in text and "60.000,11 kr." in text


def test_the_page_offers_the_pdf_and_fees_stay_with_the_fundraiser(worked, client, login_as):  # noqa: F811
    login_as("viewer")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert 'href="/reports/2026-Q3.pdf"' in page
    response = client.get("/reports/2026-Q3.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="overview-2026-Q3.pdf"' in response.headers["Content-Disposition"]
    _, text = _text(response.data)
    assert "Fundingoversigt 3. kvartal 2026" in text and "Fundraiserens honorarer" not in text  # a viewer sees no fees


def test_without_weasyprint_the_command_says_how_to_install_it(worked, runner, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    result = runner.invoke(["reports", "quarterly", "2026-Q3", "--format", "pdf", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "pip install 'fundtrack[pdf]'" in result.output and "libpango" in result.output


def test_without_weasyprint_the_page_says_to_print_from_the_browser(worked, client, login_as, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    login_as("viewer")
    response = client.get("/reports/2026-Q3.pdf", follow_redirects=True)
    assert response.status_code == 200 and "udskriv siden til PDF" in response.get_data(as_text=True)
