"""The overview as an A4 PDF, rendered on the server by WeasyPrint from the same HTML document as the print
view (title page, page numbers, charts and tables come from its print styles).

WeasyPrint is an optional extra: it needs Debian's Pango libraries, which not every installation has.
"""

from __future__ import annotations

INSTALL_HINT = (
    "PDF needs WeasyPrint: pip install 'fundtrack[pdf]' and Debian's Pango libraries "
    "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)."
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint, or the system libraries it loads, is not installed."""


def _no_fetching(url: str, *args, **kwargs):
    # The document carries its styles and charts inside; nothing it names is fetched from anywhere.
    raise ValueError(f"not fetched: {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a standalone HTML document."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango is missing
        raise PdfUnavailable(INSTALL_HINT) from error
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()
