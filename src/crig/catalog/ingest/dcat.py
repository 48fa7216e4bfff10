"""DCAT / DCAT-AP / GeoDCAT-AP (RDF/XML, Turtle, JSON-LD) → ``RecordData`` with rdflib.

A page of a catalogue gives its ``dcat:Dataset`` records and, for paged catalogues,
the URL of the next page (``hydra:PartialCollectionView``/``hydra:next``, or the
older ``hydra:PagedCollection``/``hydra:nextPage``).

Untrusted input: RDF/XML goes through ``safexml`` first (no entities, no DTD);
JSON-LD whose ``@context`` is remote is refused rather than fetched (rdflib would
download it), which is what DCAT-US / Project Open Data JSON files are.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import dataclass, field

import shapely
from django.utils.translation import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from shapely import wkt
from shapely.geometry import shape

from crig.catalog.ingest import records as rules
from crig.catalog.ingest.errors import (
    DocumentError,
    DocumentNotMetadata,
    DocumentUnreadable,
    RecordInvalid,
)
from crig.catalog.ingest.iso import parse_date
from crig.catalog.ingest.records import DistributionData, KeywordData, RecordData
from crig.catalog.ingest.safexml import MAX_XML_BYTES, parse_xml

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")

FORMATS = {
    "xml": "xml",
    "rdf": "xml",
    "application/rdf+xml": "xml",
    "text/xml": "xml",
    "application/xml": "xml",
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "json": "json-ld",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}


@dataclass
class DcatPage:
    records: list[RecordData]
    next_page_url: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)


def detect_format(data: bytes, format_hint: str | None = None) -> str:
    """``xml``, ``turtle`` or ``json-ld``: the hint (a name, extension or media
    type) when it names one, else the first significant character."""
    hint = (format_hint or "").split(";")[0].strip().lower().lstrip(".")
    if hint in FORMATS:
        return FORMATS[hint]
    start = data.lstrip()[:1]
    if start == b"<":
        return "xml"
    if start in (b"{", b"["):
        return "json-ld"
    return "turtle"


def parse_dcat(data: bytes, format_hint: str | None = None) -> DcatPage:
    """The datasets of one DCAT document (or one page of a paged catalogue)."""
    graph = load_graph(data, format_hint)
    return page_from_graph(graph)


def load_graph(data: bytes, format_hint: str | None = None) -> Graph:
    if len(data) > MAX_XML_BYTES:
        raise DocumentUnreadable(_("The document is too large."))
    rdf_format = detect_format(data, format_hint)
    graph = Graph()
    with _quiet_rdflib():
        return _load(graph, data, rdf_format)


@contextlib.contextmanager
def _quiet_rdflib():
    """rdflib logs a traceback for every literal it cannot convert ("2017" typed
    xsd:date): the value is kept as text and read by ``parse_date`` anyway."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _load(graph: Graph, data: bytes, rdf_format: str) -> Graph:
    try:
        if rdf_format == "xml":
            parse_xml(data)  # refuses entities and DTDs before rdflib sees it
            graph.parse(data=data, format="xml")
        elif rdf_format == "json-ld":
            try:
                document = json.loads(data)
            except (ValueError, UnicodeDecodeError) as exc:
                raise DocumentUnreadable(
                    _("The document is not valid JSON: %(error)s") % {"error": exc}
                ) from exc
            remote = _remote_context(document)
            if remote:
                raise DocumentNotMetadata(
                    _(
                        "The JSON-LD document has a remote @context (%(url)s), which "
                        "is not fetched: it is not a DCAT document this catalogue can "
                        "read (DCAT-US / Project Open Data JSON?)."
                    )
                    % {"url": remote}
                )
            graph.parse(data=json.dumps(document), format="json-ld")
        else:
            graph.parse(data=data.decode("utf-8"), format="turtle")
    except DocumentError:
        raise
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable(
            _("The document is not UTF-8 text: %(error)s") % {"error": exc}
        ) from exc
    except Exception as exc:  # rdflib raises many kinds (BadSyntax, SAX errors…)
        message = " ".join(str(exc).split())[:300]
        raise DocumentUnreadable(
            _("The %(format)s document cannot be read: %(error)s")
            % {"format": rdf_format, "error": message}
        ) from exc
    return graph


def _remote_context(document) -> str:
    """The first remote context (a URL or an @import) anywhere in a JSON-LD
    document: at its top, in any node, or scoped in a term definition, since
    rdflib would fetch each of them."""
    if isinstance(document, dict):
        context = document.get("@context")
        contexts = context if isinstance(context, list) else [context]
        for item in contexts:
            if isinstance(item, str):
                return item
            if isinstance(item, dict) and "@import" in item:
                return str(item["@import"])
        children = document.values()
    elif isinstance(document, list):
        children = document
    else:
        return ""
    for child in children:
        found = _remote_context(child)
        if found:
            return found
    return ""


def page_from_graph(graph: Graph) -> DcatPage:
    subjects = set(graph.subjects(RDF.type, DCAT.Dataset))
    subjects |= set(graph.subjects(RDF.type, DCAT_SERIES))
    if not subjects:
        raise DocumentNotMetadata(_("The document describes no dcat:Dataset."))
    page = DcatPage(records=[], next_page_url=_next_page(graph))
    for subject in sorted(subjects, key=str):
        try:
            page.records.append(_DatasetReader(graph, subject).read())
        except RecordInvalid as exc:
            page.failures.append((str(subject), exc.message))
    return page


def _next_page(graph: Graph) -> str | None:
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for value in graph.objects(None, predicate):
            if isinstance(value, URIRef | Literal) and str(value).strip():
                return str(value).strip()
    return None


# -- One dataset ----


def _prefer_language(values) -> str:
    """French, then English, then untagged, then any literal."""
    literals = [v for v in values if isinstance(v, Literal) and str(v).strip()]
    if not literals:
        return ""
    for wanted in ("fr", "en", None):
        for literal in sorted(literals, key=str):
            language = (literal.language or "").lower()[:2] or None
            if language == wanted or (wanted == "fr" and language == "fre"[:2]):
                return str(literal).strip()
    return str(sorted(literals, key=str)[0]).strip()


def _language_of(value) -> str:
    text = str(value)
    match = re.search(r"/language/([A-Z]{3})$", text)
    if match:
        return {"FRA": "fre", "ENG": "eng", "DEU": "ger", "SPA": "spa"}.get(
            match.group(1), match.group(1).lower()
        )
    return text.strip()[:10]


def _term_text(term, blank: str = "_:b") -> str:
    if isinstance(term, BNode):
        return blank
    if isinstance(term, URIRef):  # not n3(): it refuses the invalid URIs met upstream
        return f"<{term}>"
    return term.n3()


def _canonical(graph: Graph) -> str:
    """Sorted N-Triples with blank nodes unlabelled: stable from one parse to the
    next, so it can be hashed to tell an unchanged record."""
    return "\n".join(
        sorted(" ".join(_term_text(t) for t in triple) + " ." for triple in graph)
    )


def _document(graph: Graph) -> str:
    """The record's description as Turtle, or as N-Triples lines when a URI is too
    broken for rdflib's Turtle serialiser."""
    try:
        return graph.serialize(format="turtle")
    except Exception:  # rdflib raises a bare Exception for invalid URIs
        return "\n".join(
            sorted(
                " ".join(
                    _term_text(t, f"_:{t}" if isinstance(t, BNode) else "_:b")
                    for t in triple
                )
                + " ."
                for triple in graph
            )
        )


def _geometry(literal) -> shapely.Geometry | None:
    text = str(literal).strip()
    if not text:
        return None
    try:
        if text.startswith("{"):
            return shape(json.loads(text))
        # GeoSPARQL WKT may start with the CRS IRI; CRS84 (lon/lat) is the default.
        crs = ""
        if text.startswith("<"):
            crs, _sep, text = text[1:].partition(">")
        geometry = wkt.loads(text.strip())
        if "EPSG/0/4326" in crs:  # EPSG:4326 axis order is lat/lon
            geometry = shapely.transform(geometry, lambda xy: xy[:, ::-1])
        return geometry
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        shapely.errors.GEOSException,
    ):
        return None


class _DatasetReader:
    def __init__(self, graph: Graph, subject):
        self.graph = graph
        self.subject = subject

    def values(self, subject, predicate):
        return list(self.graph.objects(subject, predicate))

    def value(self, subject, predicate) -> str:
        return _prefer_language(self.values(subject, predicate))

    def read(self) -> RecordData:
        g, s = self.graph, self.subject
        title = self.value(s, DCTERMS.title)
        if not title:
            raise RecordInvalid(_("The record has no title."))
        catalog_record = self._catalog_record()
        record_id = (
            self.value(catalog_record, DCTERMS.identifier) if catalog_record else ""
        )
        dataset_id = self.value(s, DCTERMS.identifier)
        uri = "" if isinstance(s, BNode) else str(s)
        identifier = record_id or dataset_id or uri
        if not identifier:
            raise RecordInvalid(_("The record has no identifier."))
        description = g.cbd(s)
        record = RecordData(
            identifier=identifier,
            remote_identifier=identifier,
            title=title,
            resource_identifier=dataset_id or uri,
            abstract=self.value(s, DCTERMS.description),
            level="series" if (s, RDF.type, DCAT_SERIES) in g else "dataset",
            document=_document(description),
            document_format="dcat",
            hash_basis=_canonical(description),
        )
        languages = self.values(s, DCTERMS.language)
        if languages:
            record.language = _language_of(sorted(languages, key=str)[0])
        self.read_publisher(record)
        record.published_on = self._date(s, DCTERMS.issued)
        record.revised_on = self._date(s, DCTERMS.modified)
        record.created_on = self._date(s, DCTERMS.created)
        self.read_temporal(record)
        self.read_spatial(record)
        record.keywords = self.keywords()
        record.distributions, licences = self.distributions()
        self.read_licence(record, licences)
        for provenance in self.values(s, DCTERMS.provenance):
            record.lineage = self.value(provenance, RDFS.label) or record.lineage
        for resolution in self.values(s, DCAT.spatialResolutionInMeters):
            try:
                record.resolution_m = float(resolution)
            except (TypeError, ValueError):
                pass
        return record.finish()

    def _catalog_record(self):
        for record in self.values(self.subject, FOAF.isPrimaryTopicOf):
            return record
        for record in self.graph.subjects(FOAF.primaryTopic, self.subject):
            return record
        return None

    def _date(self, subject, predicate):
        dates = [parse_date(str(v)) for v in self.values(subject, predicate)]
        dates = [d for d in dates if d]
        return max(dates) if dates else None

    def read_publisher(self, record: RecordData) -> None:
        for publisher in self.values(self.subject, DCTERMS.publisher):
            if isinstance(publisher, Literal):
                record.producer_name = str(publisher).strip()
            else:
                record.producer_name = (
                    self.value(publisher, FOAF.name)
                    or self.value(publisher, VCARD["organization-name"])
                    or self.value(publisher, VCARD.fn)
                    or self.value(publisher, RDFS.label)
                )
            if record.producer_name:
                break
        for contact in self.values(self.subject, DCAT.contactPoint):
            if not record.producer_name:
                record.producer_name = self.value(
                    contact, VCARD["organization-name"]
                ) or self.value(contact, VCARD.fn)
            for email in self.values(contact, VCARD.hasEmail):
                address = str(email).removeprefix("mailto:").strip()
                if "@" in address and len(address) <= 254:
                    record.producer_email = address
                    break
            if record.producer_email:
                break

    def read_temporal(self, record: RecordData) -> None:
        for period in self.values(self.subject, DCTERMS.temporal):
            start = self._date(period, DCAT.startDate) or self._date(
                period, SCHEMA.startDate
            )
            end = self._date(period, DCAT.endDate) or self._date(period, SCHEMA.endDate)
            if start:
                record.temporal_start = min(
                    filter(None, [record.temporal_start, start])
                )
            if end:
                record.temporal_end = max(filter(None, [record.temporal_end, end]))

    def read_spatial(self, record: RecordData) -> None:
        geometries, boxes = [], []
        for spatial in self.values(self.subject, DCTERMS.spatial):
            for literal in self.values(spatial, LOCN.geometry):
                geometry = _geometry(literal)
                if geometry is not None:
                    geometries.append(geometry)
            for literal in self.values(spatial, DCAT.bbox):
                geometry = _geometry(literal)
                if geometry is not None:
                    boxes.append(geometry)
        polygonal = [
            g
            for g in geometries + boxes
            if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty
        ]
        if not polygonal:
            return
        geometry = shapely.union_all(polygonal)
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            record.warnings.append(
                _("The spatial extent is not in longitude/latitude.")
            )
            return
        envelope = shapely.box(minx, miny, maxx, maxy)
        is_box = abs(envelope.area - geometry.area) <= 1e-9 * max(envelope.area, 1e-12)
        record.footprint = envelope if is_box else geometry
        record.footprint_is_bbox = is_box

    def keywords(self) -> list[KeywordData]:
        result = []
        keywords = self.values(self.subject, DCAT.keyword)
        french = [
            k for k in keywords if (getattr(k, "language", None) or "fr")[:2] == "fr"
        ]
        for label in sorted(french or keywords, key=str):
            item = rules.keyword(str(label))
            if item is not None:
                result.append(item)
        for theme in sorted(self.values(self.subject, DCAT.theme), key=str):
            label = self.value(theme, SKOS.prefLabel) or self.value(theme, RDFS.label)
            uri = "" if isinstance(theme, Literal | BNode) else str(theme)
            if isinstance(theme, Literal):
                label = str(theme)
            if not label and uri:
                label = uri.rstrip("/").rsplit("/", 1)[-1]
            scheme = ""
            for in_scheme in self.values(theme, SKOS.inScheme):
                scheme = self.value(in_scheme, DCTERMS.title) or str(in_scheme)
            item = rules.keyword(label, thesaurus=scheme, uri=uri)
            if item is not None:
                result.append(item)
        return result

    def distributions(self) -> tuple[list[DistributionData], list[tuple[str, str]]]:
        result, licences = [], []
        for distribution in sorted(
            self.values(self.subject, DCAT.distribution), key=str
        ):
            title = self.value(distribution, DCTERMS.title)
            media_type = self._label(distribution, DCAT.mediaType) or self._label(
                distribution, DCTERMS["format"]
            )
            for licence in self.values(distribution, DCTERMS.license):
                licences.append(self._licence(licence))
            downloads = {
                str(u).strip() for u in self.values(distribution, DCAT.downloadURL)
            }
            accesses = {
                str(u).strip() for u in self.values(distribution, DCAT.accessURL)
            }
            links = [(url, "download") for url in sorted(downloads)]
            links += [(url, "") for url in sorted(accesses - downloads)]
            for url, forced in links:
                if not rules.is_http_url(url):
                    continue
                result.append(
                    DistributionData(
                        kind=forced or rules.distribution_kind(media_type, url, ""),
                        url=url,
                        title=rules.clip(title, 500),
                        media_type=rules.clip(media_type, 200),
                    )
                )
        for page in self.values(self.subject, DCAT.landingPage):
            if rules.is_http_url(str(page)):
                result.append(DistributionData(kind="web", url=str(page).strip()))
        return result, licences

    def _label(self, subject, predicate) -> str:
        for value in self.values(subject, predicate):
            if isinstance(value, Literal):
                return str(value).strip()
            label = self.value(value, RDFS.label) or self.value(value, SKOS.prefLabel)
            return label or str(value).rstrip("/").rsplit("/", 1)[-1]
        return ""

    def _licence(self, licence) -> tuple[str, str]:
        if isinstance(licence, Literal):
            text = str(licence)
            return text, text if rules.is_http_url(text) else ""
        label = (
            self.value(licence, DCTERMS.title)
            or self.value(licence, RDFS.label)
            or self.value(licence, SKOS.prefLabel)
        )
        url = "" if isinstance(licence, BNode) else str(licence)
        return label or url, url

    def read_licence(self, record: RecordData, distribution_licences) -> None:
        candidates = [
            self._licence(v) for v in self.values(self.subject, DCTERMS.license)
        ]
        candidates += distribution_licences
        candidates += [
            self._licence(v) for v in self.values(self.subject, DCTERMS.rights)
        ]
        record.licence, record.licence_url = rules.choose_licence(candidates)
