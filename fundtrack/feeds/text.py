"""Feed text is untrusted: HTML is cleaned with nh3 before it is shown, and plain text is kept for search."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
WHITESPACE = re.compile(r"\s+")


def clean_html(text: str) -> str:
    """Feed HTML reduced to harmless markup: no scripts, forms, styles or event handlers, and links only
    to http, https and mailto (a `javascript:` link loses its href)."""
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="noopener noreferrer nofollow",
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
