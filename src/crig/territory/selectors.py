"""Reads of the territory shared by pages, the API and other modules."""

import re
from dataclasses import dataclass

import shapely
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from crig.territory import geometry
from crig.territory.models import EPCI, Commune, Departement, Region
from crig.territory.names import search_key

# Digits, or a Corsican code (2A/2B) typed as an INSEE code prefix.
_CODE_QUERY = re.compile(r"^(?:\d{1,5}|2[ab]\d{0,3})$", re.IGNORECASE)

# Rank of a match: lower is better.
_EXACT, _PREFIX, _INSIDE = 0, 1, 2


def communes() -> QuerySet[Commune]:
    """Communes with their département and EPCI, without loading outlines."""
    return Commune.objects.select_related("departement", "epci").defer(
        "outline", "epci__outline", "departement__outline"
    )


def communes_search(
    *,
    query: str = "",
    departement: str | None = None,
    epci: str | None = None,
) -> QuerySet[Commune]:
    """Communes matching a name, INSEE code or postcode, best matches first.

    Names are compared without accents, case, spaces, hyphens or apostrophes
    ("beziers" finds Béziers, "saint girons" Saint-Girons). Digits match INSEE codes
    and postcodes by prefix ("31555" and "31000" find Toulouse). Order: exact
    match, then prefix, then anywhere in the name; then larger population first.
    """
    queryset = communes()
    if departement:
        queryset = queryset.filter(departement_id=departement)
    if epci:
        queryset = queryset.filter(epci_id=epci)
    query = query.strip()
    if _CODE_QUERY.match(query):
        code = query.upper()
        queryset = queryset.filter(
            Q(insee__startswith=code)
            | Q(postcodes__startswith=code)
            | Q(postcodes__contains=f" {code}")
        ).annotate(
            rank=Case(
                When(insee=code, then=Value(_EXACT)),
                When(postcodes=code, then=Value(_EXACT)),
                When(postcodes__startswith=f"{code} ", then=Value(_EXACT)),
                When(postcodes__contains=f" {code} ", then=Value(_EXACT)),
                When(postcodes__endswith=f" {code}", then=Value(_EXACT)),
                default=Value(_PREFIX),
                output_field=IntegerField(),
            )
        )
        return queryset.order_by("rank", "-population", "name", "insee")
    key = search_key(query)
    if not key:
        return queryset.order_by("name", "insee")
    return _ranked_by_name(queryset, key).order_by(
        "rank", "-population", "name", "insee"
    )


def _ranked_by_name(queryset: QuerySet, key: str) -> QuerySet:
    return queryset.filter(search_name__contains=key).annotate(
        rank=Case(
            When(search_name=key, then=Value(_EXACT)),
            When(search_name__startswith=key, then=Value(_PREFIX)),
            default=Value(_INSIDE),
            output_field=IntegerField(),
        )
    )


def epcis() -> QuerySet[EPCI]:
    return EPCI.objects.defer("outline").annotate(
        commune_count=Count("communes", distinct=True)
    )


def epcis_search(*, query: str = "", departement: str | None = None) -> QuerySet[EPCI]:
    """EPCI by name (same matching as communes) or SIREN prefix; ``departement``
    keeps those with at least one member commune in it."""
    queryset = epcis()
    if departement:
        queryset = queryset.filter(
            siren__in=Commune.objects.filter(departement_id=departement)
            .exclude(epci=None)
            .values("epci_id")
        )
    query = query.strip()
    if query.isdigit():
        return queryset.filter(siren__startswith=query).order_by("siren")
    key = search_key(query)
    if not key:
        return queryset.order_by("name", "siren")
    return _ranked_by_name(queryset, key).order_by("rank", "-population", "name")


def epci_members(epci: EPCI) -> QuerySet[Commune]:
    return communes().filter(epci=epci).order_by("-population", "name")


def departements() -> QuerySet[Departement]:
    return (
        Departement.objects.defer("outline")
        .annotate(commune_count=Count("communes", distinct=True))
        .order_by("code")
    )


def departement_epcis(departement: Departement) -> QuerySet[EPCI]:
    return epcis_search(departement=departement.code).order_by("name")


@dataclass(frozen=True)
class RegionSummary:
    region: Region | None
    commune_count: int
    epci_count: int
    departement_count: int
    straddling_epci_count: int


def region_summary() -> RegionSummary:
    return RegionSummary(
        region=Region.objects.defer("outline").first(),
        commune_count=Commune.objects.count(),
        epci_count=EPCI.objects.count(),
        departement_count=Departement.objects.count(),
        straddling_epci_count=EPCI.objects.exclude(outside_member_codes="").count(),
    )


def _candidates_index(queryset: QuerySet[Commune]) -> geometry.CommuneIndex:
    rows = list(queryset.exclude(outline="").values_list("insee", "outline"))
    # Stored outlines were checked when loaded: the fast vectorised parser suffices.
    outlines = shapely.from_geojson([outline for _insee, outline in rows])
    return geometry.CommuneIndex.build(
        dict(zip([insee for insee, _outline in rows], outlines, strict=True))
    )


def commune_at(*, longitude: float, latitude: float) -> Commune | None:
    """The commune containing a WGS84 point, or None outside the region.

    The bounding-box columns narrow the search to a few communes in the
    database; the exact test happens in shapely.
    """
    candidates = Commune.objects.filter(
        min_lon__lte=longitude,
        max_lon__gte=longitude,
        min_lat__lte=latitude,
        max_lat__gte=latitude,
    )
    index = _candidates_index(candidates)
    if not len(index):
        return None
    insee = index.commune_at(longitude, latitude)
    return communes().get(insee=insee) if insee else None


@dataclass(frozen=True)
class CoveredCommune:
    commune: Commune
    coverage: geometry.CommuneCoverage


def communes_covered(polygon_wgs84) -> list[CoveredCommune]:
    """Communes a WGS84 polygon overlaps, with the fraction of each it covers."""
    west, south, east, north = polygon_wgs84.bounds
    candidates = Commune.objects.filter(
        max_lon__gte=west, min_lon__lte=east, max_lat__gte=south, min_lat__lte=north
    )
    index = _candidates_index(candidates)
    if not len(index):
        return []
    coverages = index.coverage(polygon_wgs84)
    by_code = communes().in_bulk([item.insee for item in coverages])
    return [CoveredCommune(by_code[item.insee], item) for item in coverages]
