"""The one place where rich text from editors becomes HTML the site may show.

News bodies come from an editor in a browser, and are shown on pages, in Atom
feeds, in e-mails and in relay newsletters that partners forward to their own
networks: a script slipped into one would run far beyond the platform. So every
body is cleaned with Ammonia (``nh3``) against an explicit allow-list *before* it
is stored, and the stored body is the only one ever rendered (``|safe``).

What is kept: paragraphs and line breaks, bold and italic, links (``href`` and
``title`` only; ``http``, ``https`` and ``mailto`` targets, or paths of this site;
``rel="noopener noreferrer"`` forced), lists, headings h2 to h4 (h1 is the page's
title), quotations, code, and plain tables. Everything else is dropped: the
content of ``script`` and ``style`` with the tag, the tags only (their text kept)
for anything else unknown. No attribute survives but those listed, so no
``on…`` handler, ``style``, ``class`` or ``src``; no image, since a remote image
in an e-mail tracks its readers.
"""

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "a",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "code",
        "pre",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with what they hold: their text is code or style, never prose.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg"}
)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitise_html(text: str | None) -> str:
    """The body as it may be stored and rendered (an empty string for nothing)."""
    if not text:
        return ""
    return _cleaner.clean(text).strip()


_BLOCK_END = re.compile(
    r"</(p|li|h2|h3|h4|blockquote|pre|tr|table|ul|ol)>|<br\s*/?>", re.IGNORECASE
)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")
_LINK = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


def html_to_text(body: str) -> str:
    """A plain-text rendering of a *sanitised* body, for text e-mails: blocks on
    their own lines, list items with a dash, a link's target after its text."""
    if not body:
        return ""
    text = _LINK.sub(
        lambda match: (
            match.group(2)
            if html.unescape(match.group(1)) in html.unescape(match.group(2))
            else f"{match.group(2)} ({match.group(1)})"
        ),
        body,
    )
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.IGNORECASE)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def plain_text(text: str | None, *, max_length: int | None = None) -> str:
    """A title or summary: plain text (autoescaped where shown), one line, no
    control characters."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]+", " ", text or "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if max_length is not None:
        cleaned = cleaned[:max_length]
    return cleaned
