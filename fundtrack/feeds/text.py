"""Feed text is untrusted: HTML is cleaned with nh3 before it is shown, and plain text is kept for search.

For finding dates the text keeps the shape a reader sees: paragraphs, list items, headings and line
breaks end a line, table cells of one row stand side by side (`Ansøgningsfrist | 15. januar 2027`), and a
table with a header row gives each cell its column's header (`Svar: 1. april 2027`).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
WHITESPACE = re.compile(r"\s+")
SPACES = re.compile(r"[ \t\r\f\v]+")
BLOCK_TAGS = {
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "div",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "blockquote",
    "hr",
}
CELL_TAGS = {"td", "th"}
KEPT_TAGS = BLOCK_TAGS | CELL_TAGS | {"thead", "tbody"}
TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")


def clean_html(text: str, base: str = "") -> str:
    """Feed HTML reduced to harmless markup: no scripts, forms, styles or event handlers, and links only
    to http, https and mailto (a `javascript:` link loses its href). A relative link is made absolute against
    `base` (the call's own address), and dropped when there is none: on our pages it would point at us."""
    base = safe_link(base)
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        url_relative=("rewrite_with_base", base) if base else "deny",
    )


def plain_text(text: str) -> str:
    """The words of a piece of feed HTML, without tags or entities, on one line."""
    if "<" not in (text or "") and "&" not in (text or ""):
        return WHITESPACE.sub(" ", text or "").strip()
    without_tags = nh3.clean(text or "", tags=set())
    return WHITESPACE.sub(" ", html.unescape(without_tags)).strip()


def safe_link(url: str) -> str:
    """The URL when it is http(s), else nothing: a link is never rendered for any other scheme."""
    url = (url or "").strip()
    return url if re.match(r"^https?://", url, re.I) else ""


def block_text(text: str) -> str:
    """Feed HTML as lines of text, as a reader sees them (see the module's note); plain text stays as it is."""
    text = text or ""
    if "<" not in text:
        return html.unescape(text) if "&" in text else text
    cleaned = nh3.clean(text, tags=KEPT_TAGS, attributes={}, strip_comments=True)
    if "<th" in cleaned:
        return _Tables.lines_of(cleaned)
    return _tidy(html.unescape(TAG.sub(_separator, cleaned)))


def _separator(match: re.Match) -> str:
    name = match.group(2)
    if name in CELL_TAGS:
        return " | " if match.group(1) else ""
    return "\n" if name in BLOCK_TAGS else ""


def _tidy(text: str) -> str:
    lines = (SPACES.sub(" ", line).strip(" |").strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _Tables(HTMLParser):
    """Reads cleaned HTML whose tables have header cells: each data cell is written after its column's header."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.headers: list[str] = []
        self.row: list[tuple[bool, str]] = []
        self.cell: list[str] | None = None
        self.cell_is_header = False

    @classmethod
    def lines_of(cls, cleaned: str) -> str:
        parser = cls()
        parser.feed(cleaned)
        parser.close()
        return _tidy("".join(parser.out))

    def handle_starttag(self, tag, attrs):
        if tag in CELL_TAGS:
            self.cell, self.cell_is_header = [], tag == "th"
        elif tag == "table":
            self.headers = []
        elif tag in BLOCK_TAGS and self.cell is None:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in CELL_TAGS and self.cell is not None:
            self.row.append((self.cell_is_header, SPACES.sub(" ", " ".join(self.cell)).strip()))
            self.cell = None
        elif tag == "tr":
            self._end_row()
        elif tag in BLOCK_TAGS and self.cell is None:
            self.out.append("\n")

    def handle_data(self, data):
        (self.cell if self.cell is not None else self.out).append(data)

    def _end_row(self):
        row, self.row = self.row, []
        if not row:
            return
        if all(is_header for is_header, _ in row) and len(row) > 1:
            self.headers = [text for _, text in row]
            return
        cells = []
        for index, (_is_header, text) in enumerate(row):
            header = self.headers[index] if index < len(self.headers) else ""
            cells.append(f"{header}: {text}" if header and text and header != text else text)
        self.out.append("\n" + " | ".join(cells) + "\n")
