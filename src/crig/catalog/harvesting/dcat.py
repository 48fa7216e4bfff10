"""DCAT catalogues, following hydra paging (``hydra:next`` / ``hydra:nextPage``)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from crig.catalog.harvesting.errors import HarvestSourceInvalid
from crig.catalog.harvesting.http import DEFAULT_MAX_BYTES, fetch
from crig.catalog.harvesting.pages import SourcePage
from crig.catalog.ingest.dcat import parse_dcat
from crig.catalog.ingest.errors import DocumentError

ACCEPT = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, "
    "application/xml;q=0.5"
)
MAX_PAGES = 10_000


def format_hint(url: str, content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media and media not in ("text/plain", "application/octet-stream"):
        return media
    return url.split("?")[0].rsplit(".", 1)[-1].lower()


def dcat_pages(
    url: str, *, timeout: float, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[SourcePage]:
    seen = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen or len(seen) >= MAX_PAGES:
            break
        seen.add(next_url)
        answer = fetch(
            next_url, timeout=timeout, max_bytes=max_bytes, headers={"Accept": ACCEPT}
        )
        try:
            page = parse_dcat(answer.body, format_hint(next_url, answer.content_type))
        except DocumentError as exc:
            raise HarvestSourceInvalid(
                _("The page %(url)s cannot be read: %(error)s")
                % {"url": next_url, "error": exc.message}
            ) from exc
        yield SourcePage(records=page.records, failures=page.failures, url=next_url)
        next_url = urljoin(next_url, page.next_page_url) if page.next_page_url else None
