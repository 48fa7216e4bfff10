"""Single documents (ISO, CSW response, DCAT in any syntax), by URL or from a file."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from crig.catalog.harvesting.dcat import ACCEPT, format_hint
from crig.catalog.harvesting.errors import HarvestSourceInvalid
from crig.catalog.harvesting.http import DEFAULT_MAX_BYTES, fetch
from crig.catalog.harvesting.pages import SourcePage
from crig.catalog.ingest.csw import parse_csw_response
from crig.catalog.ingest.dcat import detect_format, load_graph, page_from_graph
from crig.catalog.ingest.errors import DocumentError, DocumentNotMetadata
from crig.catalog.ingest.iso import local_name, parse_iso_element, schema_of
from crig.catalog.ingest.safexml import parse_xml


def read_document(data: bytes, hint: str = "") -> SourcePage:
    """The records of one document, whatever it is: an ISO 19139 or 19115-3
    record, a CSW response, or DCAT (RDF/XML, Turtle, JSON-LD). Raises
    ``DocumentError`` when it is none of them."""
    if detect_format(data, hint) == "xml":
        root = parse_xml(data)
        if schema_of(root) is not None:
            record = parse_iso_element(root, document=data.decode("utf-8", "replace"))
            return SourcePage(records=[record], warnings=record.warnings)
        if local_name(root.tag) in (
            "GetRecordsResponse",
            "GetRecordByIdResponse",
            "ExceptionReport",
        ):
            page = parse_csw_response(data, root=root)
            return SourcePage(
                records=page.records, failures=page.failures, warnings=page.warnings
            )
        if local_name(root.tag) != "RDF":
            raise DocumentNotMetadata(
                _("Not a metadata document (root element %(tag)s).")
                % {"tag": local_name(root.tag)}
            )
    dcat_page = page_from_graph(load_graph(data, hint or None))
    return SourcePage(records=dcat_page.records, failures=dcat_page.failures)


def document_from_url(
    url: str, *, timeout: float, max_bytes: int = DEFAULT_MAX_BYTES
) -> SourcePage:
    answer = fetch(
        url, timeout=timeout, max_bytes=max_bytes, headers={"Accept": ACCEPT}
    )
    try:
        page = read_document(answer.body, format_hint(url, answer.content_type))
    except DocumentError as exc:
        raise HarvestSourceInvalid(exc.message) from exc
    page.url = url
    return page


def document_from_file(path: Path) -> SourcePage:
    """Raises ``DocumentError`` (or ``OSError``) for an unreadable file."""
    data = Path(path).read_bytes()
    page = read_document(data, Path(path).suffix.lstrip(".").lower())
    page.url = str(path)
    return page
