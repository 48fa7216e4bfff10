"""REST API of the catalogue records: search with facets, one record, the communes
it covers. Every answer starts from the visibility selectors, so a restricted
record is a 404 to those who may not see it.

``GET /datasets?format=geojson`` answers the page of results as an RFC 7946
FeatureCollection of footprints (``numberMatched``/``numberReturned``, as territory
lists do), for the result map.
"""

import json
from datetime import date, datetime
from http import HTTPStatus
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from crig.catalog.models import Dataset
from crig.catalog.selectors import datasets as dataset_selectors
from crig.catalog.selectors.search import datasets_search
from crig.core.api import OFFSET_MAX, errors

router = Router()

GEOJSON_MEDIA_TYPE = "application/geo+json"
Format = Literal["json", "geojson"]
LIST_COLUMNS_DEFERRED = ("footprint", "search_text", "search_title", "lineage")


# --- Schemas --------------------------------------------------------------------------


class DatasetSearchFilters(Schema):
    q: str = Field("", max_length=500, description="Full text (French-aware).")
    theme: list[str] = Field(
        [],
        description="`referentiel:<code>`, `inspire:<code>`, `keyword:<code>` or a "
        "bare code; repeated values must all hold.",
    )
    bbox: str = Field("", description="west,south,east,north in WGS84 degrees.")
    commune: list[str] = Field([], description="INSEE code (computed coverage).")
    epci: list[str] = Field([], description="SIREN of an EPCI (computed coverage).")
    departement: list[str] = Field([], description="Département code.")
    producer: list[str] = Field([], description="Producer name (any of).")
    source: list[str] = Field([], description="Source platform (any of).")
    licence: list[str] = Field([], description="Licence (any of).")
    year_from: int | None = Field(None, ge=1000, le=2999)
    year_to: int | None = Field(None, ge=1000, le=2999)
    sort: Literal["relevance", "date", "title"] = "relevance"
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class DatasetOut(Schema):
    id: int
    identifier: str
    title: str
    abstract: str
    producer: str = Field(alias="producer_name")
    referentiel: str
    year: int | None
    revised_on: date | None
    licence: str
    bbox: list[float] | None = None
    status: str
    visibility: str
    is_demo: bool
    url: str = Field(alias="get_absolute_url")

    @staticmethod
    def resolve_bbox(dataset: Dataset) -> list[float] | None:
        return _bbox(dataset)


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    kind: str = ""


class DatasetSearchOut(Schema):
    count: int
    items: list[DatasetOut]
    facets: dict[str, list[FacetValueOut]]


class KeywordOut(Schema):
    kind: str
    code: str
    label: str
    thesaurus: str


class DistributionOut(Schema):
    kind: str
    url: str
    name: str
    title: str
    media_type: str
    protocol: str


class ProvenanceOut(Schema):
    origin: str
    source_title: str | None = None
    remote_identifier: str
    document_format: str
    first_seen_at: datetime
    last_seen_at: datetime
    withdrawn_at: datetime | None
    document: str | None = Field(
        None, description="The verbatim source document (secretariat only)."
    )


class ProducerOut(Schema):
    name: str
    url: str = Field(alias="get_absolute_url")


class DatasetDetailOut(DatasetOut):
    resource_identifier: str
    level: str
    language: str
    producer_email: str
    producer_organisation: ProducerOut | None = Field(None, alias="producer")
    created_on: date | None
    published_on: date | None
    temporal_start: date | None
    temporal_end: date | None
    resolution_m: float | None
    scale_denominator: int | None
    licence_url: str
    lineage: str
    footprint: dict | None = None
    footprint_is_bbox: bool
    keywords: list[KeywordOut]
    distributions: list[DistributionOut]
    provenances: list[ProvenanceOut] = Field(alias="provenance_list")
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    coverage_computed_at: datetime | None
    communes_url: str

    @staticmethod
    def resolve_footprint(dataset: Dataset) -> dict | None:
        return json.loads(dataset.footprint) if dataset.footprint else None

    @staticmethod
    def resolve_communes_url(dataset: Dataset) -> str:
        return reverse("api:catalog_dataset_communes", args=[dataset.pk])


class DatasetCommuneOut(Schema):
    insee: str
    name: str
    departement: str
    fraction: float = Field(description="Share of the commune's area covered, 0-1.")
    url: str


class CoveredCommunesOut(Schema):
    count: int
    items: list[DatasetCommuneOut]


# --- GeoJSON --------------------------------------------------------------------------


def _bbox(dataset: Dataset) -> list[float] | None:
    values = [dataset.min_lon, dataset.min_lat, dataset.max_lon, dataset.max_lat]
    return None if None in values else values


def dataset_feature(dataset: Dataset) -> str:
    """A Feature whose geometry is the stored footprint text, spliced in as is."""
    head = {"type": "Feature", "id": dataset.pk}
    if bbox := _bbox(dataset):
        head["bbox"] = bbox
    properties = {
        "name": dataset.title,
        "url": dataset.get_absolute_url(),
        "identifier": dataset.identifier,
        "referentiel": dataset.referentiel,
        "year": dataset.year,
        "producer": dataset.producer_name,
    }
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "geometry": '
        + (dataset.footprint or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/datasets",
    response={HTTPStatus.OK: DatasetSearchOut, **errors(HTTPStatus.BAD_REQUEST)},
    url_name="catalog_datasets",
    summary="Search the catalogue",
)
def dataset_list(
    request, filters: Query[DatasetSearchFilters], format: Format = "json"
):
    """Records the caller may see, with the total ``count`` and facet counts (theme,
    producer, source platform, licence, year) for the query and filters. Bad
    parameters answer 400 or 422 with a readable ``message``."""
    result = datasets_search(
        user=request.user,
        q=filters.q,
        theme=filters.theme,
        bbox=filters.bbox,
        commune=filters.commune,
        epci=filters.epci,
        departement=filters.departement,
        producer=filters.producer,
        source=filters.source,
        licence=filters.licence,
        year_from=filters.year_from,
        year_to=filters.year_to,
        sort=filters.sort,
    )
    if format == "geojson":
        page = result.page(
            filters.offset,
            filters.offset + filters.limit,
            Dataset.objects.only(
                "pk",
                "identifier",
                "title",
                "referentiel",
                "year",
                "producer_name",
                "footprint",
                "min_lon",
                "min_lat",
                "max_lon",
                "max_lat",
            ),
        )
        features = [dataset_feature(dataset) for dataset in page]
        return HttpResponse(
            '{"type": "FeatureCollection", '
            f'"numberMatched": {result.count}, "numberReturned": {len(features)}, '
            '"features": [' + ", ".join(features) + "]}",
            content_type=GEOJSON_MEDIA_TYPE,
        )
    return {
        "count": result.count,
        "items": result.page(
            filters.offset,
            filters.offset + filters.limit,
            Dataset.objects.defer(*LIST_COLUMNS_DEFERRED),
        ),
        "facets": result.facets,
    }


@router.get(
    "/datasets/{dataset_id}",
    response=DatasetDetailOut,
    url_name="catalog_dataset",
    summary="One catalogue record",
)
def dataset_detail(request, dataset_id: int, format: Format = "json"):
    """Full metadata. The verbatim source documents are included for the
    secretariat and administrators only."""
    dataset = dataset_selectors.dataset_for(request.user, dataset_id)
    if format == "geojson":
        return HttpResponse(dataset_feature(dataset), content_type=GEOJSON_MEDIA_TYPE)
    with_documents = dataset_selectors.may_read_source_documents(request.user)
    documents = {}
    if with_documents:
        documents = dict(dataset.provenances.values_list("pk", "document"))
    dataset.provenance_list = [
        {
            "origin": provenance.origin,
            "source_title": provenance.source.title if provenance.source else None,
            "remote_identifier": provenance.remote_identifier,
            "document_format": provenance.document_format,
            "first_seen_at": provenance.first_seen_at,
            "last_seen_at": provenance.last_seen_at,
            "withdrawn_at": provenance.withdrawn_at,
            "document": documents.get(provenance.pk) if with_documents else None,
        }
        for provenance in dataset.provenances.all()
    ]
    return dataset


@router.get(
    "/datasets/{dataset_id}/communes",
    response=CoveredCommunesOut,
    url_name="catalog_dataset_communes",
    summary="Communes a record covers",
)
def dataset_communes(
    request,
    dataset_id: int,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
):
    """The communes the footprint covers, with the covered share of each (computed
    in Lambert-93 in the background after every footprint change), most covered
    first."""
    dataset = dataset_selectors.dataset_for(request.user, dataset_id)
    coverages = dataset_selectors.dataset_communes(dataset)
    return {
        "count": coverages.count(),
        "items": [
            {
                "insee": coverage.commune.insee,
                "name": coverage.commune.name,
                "departement": coverage.commune.departement_id,
                "fraction": round(coverage.fraction, 6),
                "url": coverage.commune.get_absolute_url(),
            }
            for coverage in coverages[offset : offset + limit]
        ],
    }
