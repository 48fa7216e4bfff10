"""CSW 2.0.2 responses (GetRecords, GetRecordById) → records and paging figures.

The records of a response may be ISO 19139 or ISO 19115-3 ``MD_Metadata``, or
GeoDCAT-AP ``rdf:RDF`` (GeoNetwork's DCAT output schemas); each is read by the
matching parser, and a record that cannot be read is a failure of that record, not
of the page. Dublin Core ``csw:Record`` are not harvested: they lack what a record
of this catalogue needs (producer, licence, links), so they are counted as failures
with a message asking for the ISO output schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from crig.catalog.ingest.dcat import parse_dcat
from crig.catalog.ingest.errors import DocumentError, DocumentNotMetadata
from crig.catalog.ingest.iso import local_name, parse_iso_element, schema_of
from crig.catalog.ingest.records import RecordData
from crig.catalog.ingest.safexml import parse_xml

CSW = "http://www.opengis.net/cat/csw/2.0.2"


@dataclass
class CswPage:
    records: list[RecordData]
    matched: int = 0
    returned: int = 0
    next_record: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    warnings: list[str] = field(default_factory=list)


def parse_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def exception_text(root) -> str:
    texts = [
        " ".join((e.text or "").split())
        for e in root.iter()
        if local_name(e.tag) == "ExceptionText"
    ]
    return " ".join(t for t in texts if t) or _("no detail given")


def parse_csw_response(data: bytes, *, root=None) -> CswPage:
    """Read a GetRecords or GetRecordById response (or an ows:ExceptionReport,
    raised as ``DocumentNotMetadata`` with the server's text). ``root``: the
    response already parsed by ``safexml.parse_xml``."""
    if root is None:
        root = parse_xml(data)
    name = local_name(root.tag)
    if name == "ExceptionReport":
        raise DocumentNotMetadata(
            _("The CSW server answered with an exception: %(text)s")
            % {"text": exception_text(root)}
        )
    if name == "GetRecordsResponse":
        results = next((e for e in root if local_name(e.tag) == "SearchResults"), None)
        if results is None:
            raise DocumentNotMetadata(_("The CSW response has no SearchResults."))
        page = CswPage(
            records=[],
            matched=parse_int(results.get("numberOfRecordsMatched")),
            returned=parse_int(results.get("numberOfRecordsReturned")),
            next_record=parse_int(results.get("nextRecord")),
        )
        container = results
    elif name == "GetRecordByIdResponse":
        page = CswPage(records=[])
        container = root
    else:
        raise DocumentNotMetadata(
            _("Not a CSW GetRecords response (root element %(tag)s).") % {"tag": name}
        )
    found = 0
    for child in container:
        if not isinstance(child.tag, str):
            continue
        found += 1
        _read_child(child, page)
    if name == "GetRecordByIdResponse":
        page.matched = page.returned = found
    elif found != page.returned:
        page.warnings.append(
            _(
                "The response announces %(announced)d records but holds %(found)d; "
                "the records found were read."
            )
            % {"announced": page.returned, "found": found}
        )
    return page


def _read_child(child, page: CswPage) -> None:
    name = local_name(child.tag)
    try:
        if schema_of(child) is not None:
            page.records.append(parse_iso_element(child))
        elif name == "RDF":
            dcat_page = parse_dcat(etree.tostring(child), "xml")
            page.records.extend(dcat_page.records)
            page.failures.extend(dcat_page.failures)
        elif name in ("Record", "SummaryRecord", "BriefRecord"):
            identifier = next(
                (
                    (e.text or "").strip()
                    for e in child
                    if local_name(e.tag) == "identifier"
                ),
                "",
            )
            page.failures.append(
                (
                    identifier,
                    _(
                        "Dublin Core records are not harvested; configure the "
                        "source for the ISO 19139 output schema."
                    ),
                )
            )
        else:
            page.failures.append(
                ("", _("Unknown record type %(tag)s.") % {"tag": name})
            )
    except DocumentError as exc:
        identifier = _child_identifier(child)
        page.failures.append((identifier, str(exc.message)))


def _child_identifier(child) -> str:
    for element in child.iter():
        if local_name(element.tag) in ("fileIdentifier", "metadataIdentifier"):
            text = " ".join(element.itertext()).strip()
            if text:
                return text.split()[0]
    return ""
