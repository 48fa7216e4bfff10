"""CSW 2.0.2 GetRecords, paged, with OWSLib building the requests.

OWSLib's ``CatalogueServiceWeb`` writes the GetRecords request (output schema,
paging, CQL constraint); the exchange itself goes through ``http.fetch`` (timeout,
size cap) and the answer through ``safexml`` and ``ingest.csw`` — OWSLib's own
HTTP client has no size cap, its XML parser is not hardened and its ISO reader is
several times slower than ``ingest.iso``. Works with any CSW 2.0.2 server that
answers POST GetRecords (GeoNetwork, pycsw, deegree, ours).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from django.utils import translation
from django.utils.translation import gettext as _
from owslib import util
from owslib.catalogue.csw2 import CatalogueServiceWeb, namespaces
from owslib.util import add_namespaces, cleanup_namespaces

from crig.catalog.harvesting.errors import HarvestSourceInvalid
from crig.catalog.harvesting.http import DEFAULT_MAX_BYTES, fetch
from crig.catalog.harvesting.pages import SourcePage
from crig.catalog.ingest.csw import exception_text, parse_csw_response, parse_int
from crig.catalog.ingest.errors import DocumentError
from crig.catalog.ingest.iso import local_name
from crig.catalog.ingest.safexml import parse_xml

GMD_SCHEMA = "http://www.isotc211.org/2005/gmd"
MDB_SCHEMAS = (
    "http://standards.iso.org/iso/19115/-3/mdb/2.0",
    "http://standards.iso.org/iso/19115/-3/mdb/1.0",
)
MAX_PAGES = 10_000


class _Csw(CatalogueServiceWeb):
    """OWSLib's CSW client with our transport and parser."""

    def __init__(self, url: str, *, timeout: float, max_bytes: int):
        super().__init__(url, timeout=timeout, skip_caps=True)
        self.max_bytes = max_bytes
        self.root = None

    def _invoke(self):
        request = cleanup_namespaces(self.request)
        for query in request.findall(util.nspath_eval("csw:Query", namespaces)):
            names = query.get("typeNames", None)
            if names is not None:
                request = add_namespaces(
                    request, [x.split(":")[0] for x in names.split()]
                )
        request = add_namespaces(request, "ows")
        self.request = util.element_to_string(request, encoding="utf-8")
        answer = fetch(
            self.url,
            timeout=self.timeout,
            max_bytes=self.max_bytes,
            data=self.request,
            headers={"Content-Type": "application/xml; charset=utf-8"},
        )
        self.response = answer.body
        self.root = _parse_answer(answer.body, self.url)
        self._exml = self.root.getroottree()
        if local_name(self.root.tag) == "ExceptionReport":
            raise HarvestSourceInvalid(
                _("The CSW server answered with an exception: %(text)s")
                % {"text": exception_text(self.root)}
            )
        if not any(local_name(e.tag) == "SearchResults" for e in self.root):
            raise HarvestSourceInvalid(
                _("The CSW server's answer is not a GetRecords response (%(tag)s).")
                % {"tag": local_name(self.root.tag)}
            )

    def _parserecords(self, outputschema, esn):
        """Records are read by ``ingest.csw``, not by OWSLib."""


def _parse_answer(body: bytes, url: str):
    try:
        return parse_xml(body)
    except DocumentError as exc:
        raise HarvestSourceInvalid(
            _("The answer of %(url)s cannot be read: %(error)s")
            % {"url": url, "error": exc.message}
        ) from exc


def output_schema(url: str, *, timeout: float, max_bytes: int) -> str:
    """ISO 19139 when the server offers it, else ISO 19115-3, from its capabilities
    (ISO 19139 first: every French platform serves it and it is what most records
    were written in; 19115-3 is for servers that offer only that)."""
    separator = "&" if "?" in url else "?"
    query = urlencode(
        {"service": "CSW", "version": "2.0.2", "request": "GetCapabilities"}
    )
    answer = fetch(f"{url}{separator}{query}", timeout=timeout, max_bytes=max_bytes)
    root = _parse_answer(answer.body, url)
    if local_name(root.tag) != "Capabilities":
        raise HarvestSourceInvalid(
            _("%(url)s is not a CSW 2.0.2 server (its capabilities are %(tag)s).")
            % {"url": url, "tag": local_name(root.tag)}
        )
    offered = set()
    for operation in root.iter():
        if (
            local_name(operation.tag) != "Operation"
            or operation.get("name") != "GetRecords"
        ):
            continue
        for parameter in operation.iter():
            if local_name(parameter.tag) == "Parameter" and (
                parameter.get("name", "").lower() == "outputschema"
            ):
                offered |= {
                    (v.text or "").strip()
                    for v in parameter.iter()
                    if local_name(v.tag) == "Value"
                }
    if GMD_SCHEMA in offered or not offered:
        return GMD_SCHEMA
    for schema in MDB_SCHEMAS:
        if schema in offered:
            return schema
    raise HarvestSourceInvalid(
        _("The CSW server offers neither ISO 19139 nor ISO 19115-3 output.")
    )


def csw_pages(
    url: str,
    *,
    page_size: int,
    constraint: str = "",
    timeout: float,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[SourcePage]:
    """Every page of records of a CSW server, in order.

    Fetching is pipelined: as soon as a page has arrived (and its XML is parsed),
    the request for the next one goes out in a thread, while this one's records
    are read here — the server prepares page N + 1 while we read page N. One
    request at a time, in page order; an error on a page is raised when its turn
    comes, after the pages before it were yielded."""
    schema = output_schema(url, timeout=timeout, max_bytes=max_bytes)
    client = _Csw(url, timeout=timeout, max_bytes=max_bytes)
    typenames = "gmd:MD_Metadata" if schema == GMD_SCHEMA else "csw:Record"

    language = translation.get_language()

    def get_page(start: int):
        with translation.override(language):  # errors in the caller's language
            return _get_page(start)

    def _get_page(start: int):
        client.getrecords2(
            typenames=typenames,
            esn="full",
            outputschema=schema,
            startposition=start,
            maxrecords=max(1, page_size),
            cql=constraint or None,
        )
        return client.response, client.root

    start, pages = 1, 0
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csw-fetch")
    pending = fetcher.submit(get_page, start)
    try:
        while pending is not None:
            response, root = pending.result()
            pending = None
            following = _next_start(root, start, pages + 1)
            if following:
                pending = fetcher.submit(get_page, following)
            try:
                csw_page = parse_csw_response(response, root=root)
            except DocumentError as exc:
                raise HarvestSourceInvalid(exc.message) from exc
            yield SourcePage(
                records=csw_page.records,
                failures=csw_page.failures,
                warnings=csw_page.warnings,
                url=f"{url} (startPosition={start})",
                matched=csw_page.matched,
            )
            pages += 1
            start = following
    finally:
        # Stopped early (an error, or the caller gave up): the page in flight is
        # not wanted; its request ends with its own timeout, without waiting here.
        fetcher.shutdown(wait=False, cancel_futures=True)


def _next_start(root, start: int, pages: int) -> int:
    """The start position of the page after this one, from the response's
    SearchResults header; 0 when this page is the last one."""
    results = next((e for e in root if local_name(e.tag) == "SearchResults"), None)
    if results is None:
        return 0
    matched = parse_int(results.get("numberOfRecordsMatched"))
    returned = parse_int(results.get("numberOfRecordsReturned"))
    following = parse_int(results.get("nextRecord"))
    if following <= start or following > matched or returned == 0:
        return 0
    return 0 if pages >= MAX_PAGES else following
