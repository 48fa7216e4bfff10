"""DCAT-AP export of the catalogue, paged like data.gouv.fr (udata) pages its own:
the catalog is a ``hydra:Collection`` with ``hydra:totalItems`` and a ``hydra:view``
that is both a ``hydra:PartialCollectionView`` (first/previous/next/last) and a
``hydra:PagedCollection`` (firstPage/previousPage/nextPage/lastPage, itemsPerPage) —
udata's DCAT harvester follows either.

Built with rdflib; node identifiers are derived from record identifiers, so the same
records always give the same graph (and the same Turtle, golden-tested).
"""

import hashlib
import json
import math
from http import HTTPStatus
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from crig.catalog.standards import StandardsRequest, StandardsResponse
from crig.catalog.standards.ogcapi import INSPIRE_SCHEME, REFERENTIEL_SCHEME
from crig.catalog.standards.records import CatalogRecord, format_number
from crig.catalog.standards.xmlwriters import absolute

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
GEOJSON_LITERAL = URIRef(
    "https://www.iana.org/assignments/media-types/application/vnd.geo+json"
)
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "es": "SPA", "it": "ITA"}

SERIALISATIONS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("pretty-xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
SERVICE_KINDS = frozenset({"wms", "wfs", "wmts", "ogcapi"})


#: The characters of a record's URL kept as they are; the others (spaces,
#: quotes, braces, <>|^`\) are percent-encoded: Turtle cannot hold them in an
#: IRI, and rdflib refuses to serialise an IRI that does.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _iri(url: str) -> URIRef:
    """An IRI from a URL of a record (harvested, so possibly holding spaces,
    quotes or braces), with those characters percent-encoded."""
    return URIRef(quote(url, safe=_IRI_SAFE))


def _text_error(status: int, message: str) -> StandardsResponse:
    return StandardsResponse(
        status, {"Content-Type": "text/plain; charset=utf-8"}, message.encode("utf-8")
    )


def _positive(request: StandardsRequest, name: str, default: int) -> int:
    value = request.param(name)
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


def catalog_page(
    request: StandardsRequest, repository, serialisation: str
) -> StandardsResponse:
    """One page of the catalogue as Turtle, RDF/XML or JSON-LD."""
    rdf_format, content_type = SERIALISATIONS[serialisation]
    try:
        page = _positive(request, "page", 1)
        page_size = min(
            _positive(request, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE
        )
    except ValueError as error:
        return _text_error(HTTPStatus.BAD_REQUEST, str(error))
    total = repository.count(None)
    last = max(1, math.ceil(total / page_size))
    if page > last:
        return _text_error(
            HTTPStatus.NOT_FOUND, f"No page {page}: the catalogue has {last} page(s)."
        )
    records = repository.page(None, offset=(page - 1) * page_size, limit=page_size)
    graph = catalog_graph(
        request,
        records,
        serialisation=serialisation,
        page=page,
        page_size=page_size,
        total=total,
    )
    body = graph.serialize(format=rdf_format, encoding="utf-8")
    return StandardsResponse(HTTPStatus.OK, {"Content-Type": content_type}, body)


def _node_id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def dataset_uri(request: StandardsRequest, record: CatalogRecord) -> URIRef:
    return URIRef(
        f"{request.base_url}/ogcapi/collections/catalog/items/"
        f"{quote(record.identifier, safe='')}"
    )


def catalog_graph(
    request: StandardsRequest,
    records: list[CatalogRecord],
    *,
    serialisation: str,
    page: int,
    page_size: int,
    total: int,
) -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("hydra", HYDRA),
        ("locn", LOCN),
        ("vcard", VCARD),
        ("gsp", GSP),
        ("skos", SKOS),
    ):
        graph.bind(prefix, namespace)
    catalog = URIRef(f"{request.base_url}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, RDF.type, HYDRA.Collection))
    graph.add(
        (catalog, DCTERMS.title, Literal(f"{request.site_name} — catalogue", lang="fr"))
    )
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                f"Catalogue des données de référence du {request.site_name}.", lang="fr"
            ),
        )
    )
    graph.add((catalog, FOAF.homepage, URIRef(f"{request.base_url}/")))
    graph.add((catalog, DCTERMS.language, URIRef(EU_LANGUAGE + "FRA")))
    graph.add((catalog, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    _paging(graph, request, catalog, serialisation, page, page_size, total)
    for record in records:
        dataset = _dataset(graph, request, record)
        graph.add((catalog, DCAT.dataset, dataset))
    return graph


def _page_url(request: StandardsRequest, serialisation: str, page: int, page_size: int):
    suffix = f"&page_size={page_size}" if page_size != DEFAULT_PAGE_SIZE else ""
    return URIRef(f"{request.base_url}/catalog.{serialisation}?page={page}{suffix}")


def _paging(graph, request, catalog, serialisation, page, page_size, total):
    last = max(1, math.ceil(total / page_size))
    view = _page_url(request, serialisation, page, page_size)
    graph.add((catalog, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
    first = _page_url(request, serialisation, 1, page_size)
    final = _page_url(request, serialisation, last, page_size)
    graph.add((view, HYDRA.first, first))
    graph.add((view, HYDRA.firstPage, first))
    graph.add((view, HYDRA.last, final))
    graph.add((view, HYDRA.lastPage, final))
    if page < last:
        following = _page_url(request, serialisation, page + 1, page_size)
        graph.add((view, HYDRA.next, following))
        graph.add((view, HYDRA.nextPage, following))
    if page > 1:
        previous = _page_url(request, serialisation, page - 1, page_size)
        graph.add((view, HYDRA.previous, previous))
        graph.add((view, HYDRA.previousPage, previous))


def _literal(text: str, language: str) -> Literal:
    return Literal(text, lang=language or None)


def _dataset(graph: Graph, request: StandardsRequest, record: CatalogRecord) -> URIRef:
    dataset = dataset_uri(request, record)
    language = record.language if record.language in LANGUAGES else "fr"
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(record.identifier)))
    graph.add((dataset, DCTERMS.title, _literal(record.title, language)))
    if record.abstract:
        graph.add((dataset, DCTERMS.description, _literal(record.abstract, language)))
    if record.language in LANGUAGES:
        graph.add(
            (
                dataset,
                DCTERMS.language,
                URIRef(EU_LANGUAGE + LANGUAGES[record.language]),
            )
        )
    if record.landing_url:
        graph.add(
            (
                dataset,
                DCAT.landingPage,
                _iri(absolute(request.base_url, record.landing_url)),
            )
        )
    if record.producer_name:
        publisher = BNode(_node_id("publisher", record.producer_name))
        graph.add((dataset, DCTERMS.publisher, publisher))
        graph.add((publisher, RDF.type, FOAF.Agent))
        graph.add((publisher, FOAF.name, Literal(record.producer_name)))
        contact = BNode(_node_id("contact", record.identifier))
        graph.add((dataset, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.fn, Literal(record.producer_name)))
        if record.producer_email:
            graph.add(
                (contact, VCARD.hasEmail, _iri(f"mailto:{record.producer_email}"))
            )
    for keyword in record.free_keywords:
        graph.add((dataset, DCAT.keyword, _literal(keyword.label, language)))
    for keyword in record.themes:
        if keyword.kind == "inspire":
            concept = URIRef(f"{INSPIRE_SCHEME}/{quote(keyword.code, safe='')}")
            scheme = URIRef(INSPIRE_SCHEME)
        else:
            concept = URIRef(f"{REFERENTIEL_SCHEME}:{quote(keyword.code, safe='')}")
            scheme = URIRef(REFERENTIEL_SCHEME)
        graph.add((dataset, DCAT.theme, concept))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.prefLabel, _literal(keyword.label, "fr")))
        graph.add((concept, SKOS.inScheme, scheme))
    if record.published_on:
        graph.add(
            (dataset, DCTERMS.issued, Literal(record.published_on, datatype=XSD.date))
        )
    if record.date:
        graph.add((dataset, DCTERMS.modified, Literal(record.date, datatype=XSD.date)))
    if record.temporal_start or record.temporal_end:
        period = BNode(_node_id("temporal", record.identifier))
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if record.temporal_start:
            graph.add(
                (
                    period,
                    DCAT.startDate,
                    Literal(record.temporal_start, datatype=XSD.date),
                )
            )
        if record.temporal_end:
            graph.add(
                (period, DCAT.endDate, Literal(record.temporal_end, datatype=XSD.date))
            )
    if record.bbox is not None:
        west, south, east, north = (format_number(v) for v in record.bbox)
        location = BNode(_node_id("spatial", record.identifier))
        graph.add((dataset, DCTERMS.spatial, location))
        graph.add((location, RDF.type, DCTERMS.Location))
        geometry = record.footprint
        if geometry:
            geometry = json.dumps(json.loads(geometry), separators=(",", ":"))
        else:
            geometry = json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [float(west), float(south)],
                            [float(east), float(south)],
                            [float(east), float(north)],
                            [float(west), float(north)],
                            [float(west), float(south)],
                        ]
                    ],
                },
                separators=(",", ":"),
            )
        graph.add(
            (location, LOCN.geometry, Literal(geometry, datatype=GEOJSON_LITERAL))
        )
        wkt = (
            f"POLYGON(({west} {south},{east} {south},{east} {north},"
            f"{west} {north},{west} {south}))"
        )
        graph.add((location, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))
    if record.licence_url:
        licence = _iri(record.licence_url)
        graph.add((dataset, DCTERMS.license, licence))
        graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
        if record.licence:
            graph.add((licence, RDFS.label, Literal(record.licence)))
    elif record.licence:
        graph.add((dataset, DCTERMS.license, Literal(record.licence)))
    for position, link in enumerate(record.links, start=1):
        distribution = URIRef(f"{dataset}#distribution-{position}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.accessURL, _iri(link.url)))
        if link.kind == "download":
            graph.add((distribution, DCAT.downloadURL, _iri(link.url)))
        graph.add(
            (distribution, DCTERMS.title, Literal(link.title or link.name or link.url))
        )
        if link.name and link.title:
            graph.add((distribution, DCTERMS.description, Literal(link.name)))
        media_format = link.media_type or (
            link.kind.upper() if link.kind in SERVICE_KINDS else ""
        )
        if media_format:
            graph.add((distribution, DCTERMS.format, Literal(media_format)))
        if "/" in link.media_type:
            graph.add(
                (
                    distribution,
                    DCAT.mediaType,
                    URIRef(
                        f"https://www.iana.org/assignments/media-types/{link.media_type}"
                    ),
                )
            )
        if record.licence_url:
            graph.add((distribution, DCTERMS.license, _iri(record.licence_url)))
    return dataset
