"""REST API of the territory: communes, EPCI, départements, the region.

Every endpoint also answers RFC 7946 GeoJSON with ``?format=geojson``
(``application/geo+json``): a Feature for one unit, a FeatureCollection for a list,
paged like the JSON list, with ``numberMatched`` (total) and ``numberReturned``
as foreign members, as OGC API Features does.
"""

import json
from collections.abc import Callable, Iterable
from functools import wraps
from http import HTTPStatus
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from crig.core.api import Paginated, errors
from crig.territory import geometry, selectors
from crig.territory.models import EPCI, Commune, Departement, Outlined

router = Router()

GEOJSON_MEDIA_TYPE = "application/geo+json"
Format = Literal["json", "geojson"]
FORMAT_HELP = "`geojson` answers RFC 7946 GeoJSON (application/geo+json)."


# --- GeoJSON output -------------------------------------------------------------------


def _bbox(unit: Outlined) -> list[float] | None:
    return list(unit.bbox) if unit.bbox else None


def feature_text(unit: Outlined, *, feature_id: str, properties: dict) -> str:
    """A GeoJSON Feature; the stored outline text is inserted as is."""
    head = {"type": "Feature", "id": feature_id}
    bbox = _bbox(unit)
    if bbox:
        head["bbox"] = bbox
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "geometry": '
        + (unit.outline or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


def geojson_response(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=GEOJSON_MEDIA_TYPE)


def feature_collection_text(features: Iterable[str], *, matched: int) -> str:
    features = list(features)
    return (
        '{"type": "FeatureCollection", '
        f'"numberMatched": {matched}, "numberReturned": {len(features)}, '
        '"features": [' + ", ".join(features) + "]}"
    )


def geojson_pages(to_feature: Callable[[Outlined], str]):
    """Turn a paginated list endpoint's page into a FeatureCollection when
    ``format=geojson``; apply it above ``@paginate``. The endpoint must then
    return a queryset that loads the outlines (see ``with_outlines``)."""

    def decorator(view):
        @wraps(view)
        def view_with_geojson(request, **kwargs):
            page = view(request, **kwargs)
            if kwargs.get("format") != "geojson":
                return page
            return geojson_response(
                feature_collection_text(
                    (to_feature(item) for item in page["items"]),
                    matched=page["count"],
                )
            )

        return view_with_geojson

    return decorator


def with_outlines(queryset, format: str):
    """List selectors defer outlines, which JSON lists leave out; GeoJSON needs
    them, loaded in the same query rather than one query per row."""
    if format != "geojson":
        return queryset
    queryset = queryset.defer(None)
    if queryset.model is Commune:
        queryset = queryset.defer("epci__outline", "departement__outline")
    return queryset


def commune_feature(commune: Commune) -> str:
    return feature_text(
        commune,
        feature_id=commune.insee,
        properties={
            "insee": commune.insee,
            "name": commune.name,
            "departement": commune.departement_id,
            "epci": commune.epci_id,
            "population": commune.population,
            "url": commune.get_absolute_url(),
        },
    )


def epci_feature(epci: EPCI) -> str:
    return feature_text(
        epci,
        feature_id=epci.siren,
        properties={
            "siren": epci.siren,
            "name": epci.name,
            "kind": epci.kind,
            "population": epci.population,
            "straddles_region": epci.straddles_region,
            "url": epci.get_absolute_url(),
        },
    )


def departement_feature(departement: Departement) -> str:
    return feature_text(
        departement,
        feature_id=departement.code,
        properties={
            "code": departement.code,
            "name": departement.name,
            "population": departement.population,
            "url": departement.get_absolute_url(),
        },
    )


# --- Schemas --------------------------------------------------------------------------

BBox = list[float] | None


class CommuneOut(Schema):
    insee: str
    name: str
    departement: str = Field(alias="departement_id")
    epci: str | None = Field(alias="epci_id")
    population: int
    postcodes: list[str] = Field(alias="postcode_list")
    bbox: BBox
    url: str = Field(alias="get_absolute_url")


class CommuneDetailOut(CommuneOut):
    siren: str
    departement_name: str = Field(alias="departement.name")
    epci_name: str | None = None
    former_codes: list[str] = Field(alias="former_code_list")
    area_km2: float | None
    label_point: list[float] | None = Field(
        None, description="A point inside the outline (longitude, latitude)."
    )

    @staticmethod
    def resolve_epci_name(commune: Commune) -> str | None:
        return commune.epci.name if commune.epci else None

    @staticmethod
    def resolve_label_point(commune: Commune) -> list[float] | None:
        if commune.label_lon is None:
            return None
        return [commune.label_lon, commune.label_lat]


class CommuneAtOut(CommuneDetailOut):
    pass


class EPCIOut(Schema):
    siren: str
    name: str
    kind: str
    financing: str
    population: int = Field(description="Municipal population of all members.")
    commune_count: int = Field(description="Member communes in the region.")
    straddles_region: bool
    outside_member_codes: list[str] = Field(alias="outside_member_list")
    area_km2: float | None
    bbox: BBox
    url: str = Field(alias="get_absolute_url")


class MemberOut(Schema):
    insee: str
    name: str
    population: int
    url: str = Field(alias="get_absolute_url")


class EPCIDetailOut(EPCIOut):
    members: list[MemberOut]


class DepartementOut(Schema):
    code: str
    name: str
    chef_lieu: str
    population: int
    commune_count: int
    area_km2: float | None
    bbox: BBox
    url: str = Field(alias="get_absolute_url")


class EPCISummaryOut(Schema):
    siren: str
    name: str
    kind: str
    url: str = Field(alias="get_absolute_url")


class DepartementDetailOut(DepartementOut):
    epci: list[EPCISummaryOut]


class RegionOut(Schema):
    code: str
    name: str
    population: int
    area_km2: float | None
    bbox: BBox
    departement_count: int
    epci_count: int
    commune_count: int


class CommuneFilters(Schema):
    q: str = Field("", description="Name, INSEE code or postcode.", max_length=100)
    departement: str | None = Field(None, max_length=3)
    epci: str | None = Field(None, max_length=9, description="SIREN of the EPCI.")


class EPCIFilters(Schema):
    q: str = Field("", description="Name or SIREN.", max_length=100)
    departement: str | None = Field(None, max_length=3)


class CoveredCommuneOut(Schema):
    insee: str
    name: str
    fraction: float = Field(description="Share of the commune's area covered, 0-1.")
    covered_km2: float
    commune_km2: float
    url: str


class CoverageOut(Schema):
    count: int
    items: list[CoveredCommuneOut]


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/communes",
    response=list[CommuneOut],
    url_name="territory_communes",
    summary="Search communes",
)
@geojson_pages(commune_feature)
@paginate(Paginated)
def commune_list(request, filters: Query[CommuneFilters], format: Format = "json"):
    """Communes of the region by name, INSEE code or postcode; best matches first."""
    return with_outlines(
        selectors.communes_search(
            query=filters.q, departement=filters.departement, epci=filters.epci
        ),
        format,
    )


@router.get(
    "/communes/at",
    response={HTTPStatus.OK: CommuneAtOut, **errors(HTTPStatus.NOT_FOUND)},
    url_name="territory_commune_at",
    summary="Commune at a point",
)
def commune_at(
    request,
    lon: float = Query(..., ge=-180, le=180, description="WGS84 longitude"),
    lat: float = Query(..., ge=-90, le=90, description="WGS84 latitude"),
    format: Format = "json",
):
    """The commune containing a WGS84 point; 404 outside the region."""
    commune = selectors.commune_at(longitude=lon, latitude=lat)
    if commune is None:
        raise HttpError(
            HTTPStatus.NOT_FOUND, _("No commune of the region at this point.")
        )
    if format == "geojson":
        return geojson_response(commune_feature(Commune.objects.get(pk=commune.pk)))
    return commune


@router.post(
    "/communes/coverage",
    response=CoverageOut,
    url_name="territory_commune_coverage",
    summary="Communes covered by a polygon",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/geo+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
            "description": "A WGS84 GeoJSON Polygon or MultiPolygon, or a Feature.",
        }
    },
)
def commune_coverage(request):
    """Communes a WGS84 GeoJSON Polygon or MultiPolygon (geometry or Feature)
    overlaps, with the fraction of each commune's area it covers (Lambert-93)."""
    try:
        shape = geometry.parse_geometry(
            request.body, allowed_types=geometry.POLYGONAL_TYPES
        )
    except geometry.GeometryError as exc:
        raise HttpError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            _("Invalid polygon: %(reason)s") % {"reason": exc},
        ) from exc
    covered = selectors.communes_covered(shape)
    return {
        "count": len(covered),
        "items": [
            {
                "insee": item.commune.insee,
                "name": item.commune.name,
                "fraction": round(item.coverage.fraction, 6),
                "covered_km2": round(item.coverage.covered_km2, 4),
                "commune_km2": round(item.coverage.commune_km2, 4),
                "url": item.commune.get_absolute_url(),
            }
            for item in covered
        ],
    }


@router.get(
    "/communes/{insee}",
    response=CommuneDetailOut,
    url_name="territory_commune",
    summary="One commune",
)
def commune_detail(request, insee: str, format: Format = "json"):
    if format == "geojson":
        return geojson_response(
            commune_feature(get_object_or_404(Commune, insee=insee))
        )
    return get_object_or_404(selectors.communes(), insee=insee)


@router.get(
    "/epci",
    response=list[EPCIOut],
    url_name="territory_epcis",
    summary="Search EPCI",
)
@geojson_pages(epci_feature)
@paginate(Paginated)
def epci_list(request, filters: Query[EPCIFilters], format: Format = "json"):
    """EPCI à fiscalité propre with members in the region; ``departement`` keeps
    those with a member commune in it."""
    return with_outlines(
        selectors.epcis_search(query=filters.q, departement=filters.departement),
        format,
    )


@router.get(
    "/epci/{siren}",
    response=EPCIDetailOut,
    url_name="territory_epci",
    summary="One EPCI with its member communes",
)
def epci_detail(request, siren: str, format: Format = "json"):
    if format == "geojson":
        return geojson_response(epci_feature(get_object_or_404(EPCI, siren=siren)))
    epci = get_object_or_404(selectors.epcis(), siren=siren)
    epci.members = list(selectors.epci_members(epci))
    return epci


@router.get(
    "/departements",
    response=list[DepartementOut],
    url_name="territory_departements",
    summary="Départements of the region",
)
@geojson_pages(departement_feature)
@paginate(Paginated)
def departement_list(request, format: Format = "json"):
    return with_outlines(selectors.departements(), format)


@router.get(
    "/departements/{code}",
    response=DepartementDetailOut,
    url_name="territory_departement",
    summary="One département with its EPCI",
)
def departement_detail(request, code: str, format: Format = "json"):
    if format == "geojson":
        return geojson_response(
            departement_feature(get_object_or_404(Departement, code=code))
        )
    departement = get_object_or_404(selectors.departements(), code=code)
    departement.epci = list(selectors.departement_epcis(departement))
    return departement


@router.get(
    "/region",
    response={HTTPStatus.OK: RegionOut, **errors(HTTPStatus.NOT_FOUND)},
    url_name="territory_region",
    summary="The region",
)
def region_detail(request, format: Format = "json"):
    summary = selectors.region_summary()
    if summary.region is None:
        raise HttpError(HTTPStatus.NOT_FOUND, _("The territory is not loaded yet."))
    region = summary.region
    if format == "geojson":
        region = type(region).objects.get(pk=region.pk)
        return geojson_response(
            feature_text(
                region,
                feature_id=region.code,
                properties={
                    "code": region.code,
                    "name": region.name,
                    "population": region.population,
                },
            )
        )
    return {
        "code": region.code,
        "name": region.name,
        "population": region.population,
        "area_km2": region.area_km2,
        "bbox": _bbox(region),
        "departement_count": summary.departement_count,
        "epci_count": summary.epci_count,
        "commune_count": summary.commune_count,
    }
