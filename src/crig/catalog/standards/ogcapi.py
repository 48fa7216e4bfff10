"""OGC API – Records – Part 1: Core, over one collection, ``catalog``.

JSON (GeoJSON records) and HTML (pages rendered by the adapter's ``render_html``),
chosen by ``f=json|html`` or the Accept header. Bad parameters answer 400 with
``{"code": "InvalidParameterValue", "description": ...}``.
"""

import json
from datetime import date
from http import HTTPStatus
from urllib.parse import urlencode

from crig.catalog.standards import StandardsRequest, StandardsResponse, filters
from crig.catalog.standards.records import INSPIRE_SCHEME, CatalogRecord
from crig.catalog.standards.xmlwriters import absolute, link_protocol

COLLECTION_ID = "catalog"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
REFERENTIEL_SCHEME = "urn:crig:referentiel"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-api",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
)
# Distribution kinds as link relations and types.
LINK_RELATIONS = {
    "download": "enclosure",
    "wms": "service",
    "wfs": "service",
    "wmts": "service",
    "ogcapi": "service",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def invalid(description: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, "InvalidParameterValue", description)


# --- negotiation and responses --------------------------------------------------


def output_format(request: StandardsRequest) -> str:
    """ "json" or "html", from ``f`` or else the Accept header (JSON by default)."""
    requested = request.param("f")
    if requested is not None:
        value = requested.strip().lower()
        if value in ("json", "geojson", JSON, GEOJSON):
            return "json"
        if value in ("html", HTML):
            return "html"
        raise invalid(f"Invalid value for f: {requested!r} (use json or html).")
    best, best_quality = "json", 0.0
    for position, item in enumerate(request.accept.split(",")):
        media, *params = [part.strip() for part in item.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        # Earlier entries win ties, as browsers list their preference first.
        quality -= position * 1e-6
        kind = {HTML: "html", JSON: "json", GEOJSON: "json"}.get(media.lower())
        if kind and quality > best_quality:
            best, best_quality = kind, quality
    return best


def _json(data: dict, status: int = HTTPStatus.OK, media_type: str = JSON):
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return StandardsResponse(status, {"Content-Type": media_type}, body)


def _html(request: StandardsRequest, template: str, context: dict):
    if request.render_html is None:
        raise ApiError(
            HTTPStatus.NOT_ACCEPTABLE, "NotAcceptable", "HTML is not available."
        )
    body = request.render_html(f"catalog/ogcapi/{template}", context).encode("utf-8")
    return StandardsResponse(
        HTTPStatus.OK, {"Content-Type": "text/html; charset=utf-8"}, body
    )


def _error(error: ApiError) -> StandardsResponse:
    return _json({"code": error.code, "description": error.description}, error.status)


def _respond(request: StandardsRequest, build):
    """Runs ``build(format)``, turning ``ApiError`` into its JSON answer."""
    try:
        return build(output_format(request))
    except ApiError as error:
        return _error(error)


def _url(request: StandardsRequest, path: str, **params) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    return f"{request.base_url}/ogcapi{path}" + (
        f"?{urlencode(query)}" if query else ""
    )


def _self_links(request: StandardsRequest, path: str, media_type: str = JSON) -> list:
    return [
        {
            "rel": "self",
            "type": media_type,
            "title": "This document as JSON",
            "href": _url(request, path, f="json"),
        },
        {
            "rel": "alternate",
            "type": HTML,
            "title": "This document as HTML",
            "href": _url(request, path, f="html"),
        },
    ]


# --- resources ---------------------------------------------------------------------


def landing(request: StandardsRequest) -> StandardsResponse:
    def build(fmt):
        document = {
            "title": f"{request.site_name} — catalogue",
            "description": (
                f"Reference-data catalogue of {request.site_name} (OGC API – Records)."
            ),
            "links": [
                *_self_links(request, "/"),
                {
                    "rel": "conformance",
                    "type": JSON,
                    "title": "Conformance classes",
                    "href": _url(request, "/conformance"),
                },
                {
                    "rel": "data",
                    "type": JSON,
                    "title": "Collections",
                    "href": _url(request, "/collections"),
                },
                {
                    "rel": "service-doc",
                    "type": HTML,
                    "title": "REST API documentation",
                    "href": f"{request.base_url}/api/v1/docs",
                },
            ],
        }
        if fmt == "html":
            return _html(request, "landing.html", {"document": document})
        return _json(document)

    return _respond(request, build)


def conformance(request: StandardsRequest) -> StandardsResponse:
    def build(fmt):
        document = {"conformsTo": list(CONFORMANCE)}
        if fmt == "html":
            return _html(request, "conformance.html", {"document": document})
        return _json(document)

    return _respond(request, build)


def collection_document(request: StandardsRequest) -> dict:
    return {
        "id": COLLECTION_ID,
        "title": f"{request.site_name} — catalogue",
        "description": "Every record of the regional catalogue.",
        "itemType": "record",
        "type": "Collection",
        "extent": {
            "spatial": {
                "bbox": [[-180.0, -90.0, 180.0, 90.0]],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            }
        },
        "links": [
            *_self_links(request, f"/collections/{COLLECTION_ID}"),
            {
                "rel": "items",
                "type": GEOJSON,
                "title": "Records",
                "href": _url(request, f"/collections/{COLLECTION_ID}/items"),
            },
            {
                "rel": "items",
                "type": HTML,
                "title": "Records as HTML",
                "href": _url(request, f"/collections/{COLLECTION_ID}/items", f="html"),
            },
        ],
    }


def collections(request: StandardsRequest) -> StandardsResponse:
    def build(fmt):
        document = {
            "collections": [collection_document(request)],
            "links": _self_links(request, "/collections"),
        }
        if fmt == "html":
            return _html(request, "collections.html", {"document": document})
        return _json(document)

    return _respond(request, build)


def _check_collection(collection_id: str):
    if collection_id != COLLECTION_ID:
        raise ApiError(
            HTTPStatus.NOT_FOUND, "NotFound", f"No collection {collection_id!r}."
        )


def collection(request: StandardsRequest, collection_id: str) -> StandardsResponse:
    def build(fmt):
        _check_collection(collection_id)
        document = collection_document(request)
        if fmt == "html":
            return _html(request, "collection.html", {"document": document})
        return _json(document)

    return _respond(request, build)


# --- items -------------------------------------------------------------------------


def parse_bbox(text: str) -> filters.BBox:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise invalid("bbox takes four numbers: west,south,east,north (WGS84).")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise invalid(f"bbox has a value that is not a number: {text!r}.") from None
    try:
        return filters.bbox(*values)
    except filters.FilterError as error:
        raise invalid(str(error)) from None


def parse_datetime(text: str) -> filters.TimeOverlap:
    """An instant ("2021-06-01", a date-time) or an interval "start/end" whose ends
    may be open ("..", or empty)."""

    def bound(value: str) -> date | None:
        value = value.strip()
        if value in ("", ".."):
            return None
        try:
            return filters.parse_date(value)
        except filters.FilterError:
            raise invalid(
                f"Invalid datetime {text!r}: use a date (2021-06-01), a date-time "
                "(2021-06-01T12:00:00Z) or an interval (2020-01-01/.., ../2021-12-31)."
            ) from None

    if "/" in text:
        start_text, _, end_text = text.partition("/")
        start, end = bound(start_text), bound(end_text)
        if start is None and end is None:
            raise invalid("An interval needs at least one bound.")
        if start and end and start > end:
            raise invalid(f"Invalid datetime {text!r}: the start is after the end.")
        return filters.TimeOverlap(start, end)
    instant = bound(text)
    if instant is None:
        raise invalid("datetime needs a date or an interval.")
    return filters.TimeOverlap(instant, instant)


def _integer(name: str, value: str | None, default: int, minimum: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(f"{name} must be an integer, not {value!r}.") from None
    if number < minimum:
        raise invalid(f"{name} must be at least {minimum}.")
    return number


def items_filter(request: StandardsRequest):
    operands = []
    q = request.param("q")
    if q and q.strip():
        terms = [t.strip() for t in q.split(",") if t.strip()]
        operands.append(
            filters.combine(filters.Or, [filters.FullText(t) for t in terms])
        )
    bbox = request.param("bbox")
    if bbox is not None:
        operands.append(parse_bbox(bbox))
    when = request.param("datetime")
    if when is not None:
        operands.append(parse_datetime(when))
    return filters.combine(filters.And, operands)


def items(
    request: StandardsRequest, repository, collection_id: str
) -> StandardsResponse:
    def build(fmt):
        _check_collection(collection_id)
        tree = items_filter(request)
        limit = min(
            _integer("limit", request.param("limit"), DEFAULT_LIMIT, 1), MAX_LIMIT
        )
        offset = _integer("offset", request.param("offset"), 0, 0)
        matched = repository.count(tree)
        records = repository.page(tree, offset=offset, limit=limit)
        path = f"/collections/{COLLECTION_ID}/items"
        kept = {
            key: request.param(key)
            for key in ("q", "bbox", "datetime")
            if request.param(key) is not None
        }

        def page_url(page_offset: int, page_format: str) -> str:
            return _url(
                request, path, **kept, limit=limit, offset=page_offset, f=page_format
            )

        links = [
            {
                "rel": "self",
                "type": GEOJSON,
                "title": "This page as GeoJSON",
                "href": page_url(offset, "json"),
            },
            {
                "rel": "alternate",
                "type": HTML,
                "title": "This page as HTML",
                "href": page_url(offset, "html"),
            },
            {
                "rel": "collection",
                "type": JSON,
                "title": "The collection",
                "href": _url(request, f"/collections/{COLLECTION_ID}"),
            },
        ]
        if offset > 0:
            links.append(
                {
                    "rel": "prev",
                    "type": GEOJSON,
                    "title": "Previous page",
                    "href": page_url(max(offset - limit, 0), "json"),
                }
            )
        if offset + len(records) < matched:
            links.append(
                {
                    "rel": "next",
                    "type": GEOJSON,
                    "title": "Next page",
                    "href": page_url(offset + limit, "json"),
                }
            )
        document = {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(records),
            "features": [record_feature(request, r) for r in records],
            "links": links,
        }
        if fmt == "html":
            return _html(
                request,
                "items.html",
                {
                    "document": document,
                    "query": kept,
                    "limit": limit,
                    "offset": offset,
                    "first": offset + 1 if records else 0,
                    "last": offset + len(records),
                    "geojson_url": page_url(offset, "json"),
                    "prev_url": page_url(max(offset - limit, 0), "html")
                    if offset > 0
                    else "",
                    "next_url": page_url(offset + limit, "html")
                    if offset + len(records) < matched
                    else "",
                },
            )
        return _json(document, media_type=GEOJSON)

    return _respond(request, build)


def item(request: StandardsRequest, repository, collection_id: str, identifier: str):
    def build(fmt):
        _check_collection(collection_id)
        found = repository.by_identifiers([identifier])
        if not found:
            raise ApiError(
                HTTPStatus.NOT_FOUND, "NotFound", f"No record {identifier!r}."
            )
        feature = record_feature(request, found[0])
        if fmt == "html":
            return _html(
                request,
                "item.html",
                {
                    "feature": feature,
                    "record": found[0],
                    "geojson_url": _item_url(request, identifier, "json"),
                },
            )
        return _json(feature, media_type=GEOJSON)

    return _respond(request, build)


def _item_url(
    request: StandardsRequest, identifier: str, fmt: str | None = None
) -> str:
    from urllib.parse import quote

    return _url(
        request,
        f"/collections/{COLLECTION_ID}/items/{quote(identifier, safe='')}",
        f=fmt,
    )


def record_time(record: CatalogRecord):
    if record.temporal_start or record.temporal_end:
        return {
            "interval": [
                record.temporal_start.isoformat() if record.temporal_start else "..",
                record.temporal_end.isoformat() if record.temporal_end else "..",
            ]
        }
    if record.date:
        return {"date": record.date.isoformat()}
    return None


def record_feature(request: StandardsRequest, record: CatalogRecord) -> dict:
    """A record as GeoJSON, per OGC API – Records (record-core)."""
    properties: dict = {"type": record.level, "title": record.title}
    if record.abstract:
        properties["description"] = record.abstract
    keywords = [k.label for k in record.free_keywords]
    if keywords:
        properties["keywords"] = keywords
    themes = []
    for kind, scheme in (
        ("referentiel", REFERENTIEL_SCHEME),
        ("inspire", INSPIRE_SCHEME),
    ):
        concepts = [
            {"id": k.code, "title": k.label} for k in record.keywords if k.kind == kind
        ]
        if concepts:
            themes.append({"concepts": concepts, "scheme": scheme})
    if themes:
        properties["themes"] = themes
    if record.language:
        properties["language"] = {"code": record.language}
    if record.created_on:
        properties["created"] = record.created_on.isoformat()
    if record.date:
        properties["updated"] = record.date.isoformat()
    if record.producer_name:
        contact: dict = {"organization": record.producer_name, "roles": ["producer"]}
        if record.producer_email:
            contact["emails"] = [{"value": record.producer_email}]
        properties["contacts"] = [contact]
    if record.licence or record.licence_url:
        properties["license"] = record.licence or record.licence_url
    if record.resolution_m is not None:
        properties["resolution"] = f"{record.resolution_m:g} m"
    if record.resource_identifier:
        properties["externalIds"] = [{"value": record.resource_identifier}]
    formats = list(
        dict.fromkeys(link.media_type for link in record.links if link.media_type)
    )
    if formats:
        properties["formats"] = [{"mediaType": media} for media in formats]
    links = [
        {
            "rel": "self",
            "type": GEOJSON,
            "title": "This record as GeoJSON",
            "href": _item_url(request, record.identifier),
        },
        {
            "rel": "alternate",
            "type": HTML,
            "title": "This record as HTML",
            "href": _item_url(request, record.identifier, "html"),
        },
        {
            "rel": "collection",
            "type": JSON,
            "title": "The catalogue",
            "href": _url(request, f"/collections/{COLLECTION_ID}"),
        },
    ]
    if record.landing_url:
        links.append(
            {
                "rel": "describedby",
                "type": HTML,
                "title": "Page of the dataset",
                "href": absolute(request.base_url, record.landing_url),
            }
        )
    if record.licence_url:
        links.append(
            {
                "rel": "license",
                "type": HTML,
                "title": record.licence or "Licence",
                "href": record.licence_url,
            }
        )
    for link in record.links:
        entry = {
            "rel": LINK_RELATIONS.get(link.kind, "related"),
            "href": link.url,
            "title": link.title or link.name or link.url,
            "protocol": link_protocol(link),
        }
        if link.media_type:
            entry["type"] = link.media_type
        if link.name:
            entry["name"] = link.name
        links.append(entry)
    geometry = None
    if record.footprint:
        try:
            geometry = json.loads(record.footprint)
        except ValueError:
            geometry = None
    if geometry is None and record.bbox is not None:
        west, south, east, north = record.bbox
        geometry = {
            "type": "Polygon",
            "coordinates": [
                [
                    [west, south],
                    [east, south],
                    [east, north],
                    [west, north],
                    [west, south],
                ]
            ],
        }
    return {
        "id": record.identifier,
        "type": "Feature",
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"
        ],
        "geometry": geometry,
        "time": record_time(record),
        "properties": properties,
        "links": links,
    }
