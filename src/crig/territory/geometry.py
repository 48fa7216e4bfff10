"""Pure geometry for the territory: parsing, reprojection, unions, coverage.

This module imports nothing from Django and is tested without a database. Every
geometry has an explicit coordinate reference system:

- ``WGS84`` (EPSG:4326, longitude then latitude, degrees) is how outlines are stored
  and exchanged (RFC 7946 GeoJSON);
- ``LAMBERT93`` (EPSG:2154, metres) is where areas and coverage fractions are
  computed, since it is an equal-area-enough conformal projection for metropolitan
  France (scale error below 0.1 % over the region).

Transformers always use the (x=longitude/easting, y=latitude/northing) axis order.
"""

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"

#: Decimal places kept in stored WGS84 coordinates: 1e-6 degree is about 0.1 m,
#: well below the precision of the administrative outlines.
STORED_DECIMALS = 6

#: Metropolitan France with a margin, in WGS84 degrees (west, south, east, north);
#: coordinates outside it reveal a wrong CRS declaration.
METROPOLITAN_FRANCE_WGS84 = (-6.0, 41.0, 10.0, 52.0)

POLYGONAL_TYPES = ("Polygon", "MultiPolygon")
MULTIPOLYGON_TYPE_ID = 6
GEOJSON_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


class GeometryError(ValueError):
    """Base class of the errors raised by this module."""


class InvalidGeometry(GeometryError):
    """The input is not a usable GeoJSON geometry (syntax, type, coordinates)."""


class GeometryOutsideRegion(GeometryError):
    """The geometry does not touch the region (or lies outside the expected area)."""


class UnsupportedCRS(GeometryError):
    """The coordinate reference system is unknown to PROJ."""


# --- Reprojection -----------------------------------------------------------------


@lru_cache(maxsize=32)
def transformer(source_crs: str, target_crs: str) -> pyproj.Transformer:
    """A cached (x, y)-ordered transformer between two CRS (any PROJ definition)."""
    try:
        return pyproj.Transformer.from_crs(source_crs, target_crs, always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise UnsupportedCRS(f"Unknown coordinate reference system: {exc}") from exc


def reproject(geometry, *, source_crs: str, target_crs: str):
    """Reproject a geometry (or a numpy array of geometries) between two CRS."""
    if source_crs == target_crs:
        return geometry
    coordinate_transformer = transformer(source_crs, target_crs)

    def transform_coordinates(coordinates: np.ndarray) -> np.ndarray:
        x, y = coordinate_transformer.transform(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, transform_coordinates)


def to_lambert93(geometry_wgs84):
    """WGS84 (EPSG:4326) geometry or array → Lambert-93 (EPSG:2154)."""
    return reproject(geometry_wgs84, source_crs=WGS84, target_crs=LAMBERT93)


def to_wgs84(geometry, *, source_crs: str):
    """Geometry or array in ``source_crs`` → WGS84 (EPSG:4326)."""
    return reproject(geometry, source_crs=source_crs, target_crs=WGS84)


def area_km2(geometry_wgs84) -> float | np.ndarray:
    """Area in km² of a WGS84 geometry (or array), measured in Lambert-93."""
    return shapely.area(to_lambert93(geometry_wgs84)) / 1e6


# --- Parsing and output ------------------------------------------------------------


def parse_geometry(
    data: str | bytes | dict,
    *,
    allowed_types: Sequence[str] = GEOJSON_GEOMETRY_TYPES,
) -> BaseGeometry:
    """Parse a WGS84 GeoJSON geometry (or a Feature holding one) into shapely.

    Raises ``InvalidGeometry`` with a readable reason when the text is not JSON, the
    object is not a geometry of an allowed type, a coordinate is not a finite
    longitude/latitude pair, or the geometry is empty or not valid (OGC rules).
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InvalidGeometry(f"Not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidGeometry("A GeoJSON geometry must be a JSON object.")
    if data.get("type") == "Feature":
        data = data.get("geometry")
        if not isinstance(data, dict):
            raise InvalidGeometry("The GeoJSON Feature has no geometry.")
    geometry_type = data.get("type")
    if geometry_type not in GEOJSON_GEOMETRY_TYPES:
        raise InvalidGeometry(f"Unknown GeoJSON geometry type: {geometry_type!r}.")
    if geometry_type not in allowed_types:
        raise InvalidGeometry(
            f"Expected a geometry of type {' or '.join(allowed_types)}, "
            f"got {geometry_type}."
        )
    _check_coordinates(data)
    try:
        geometry = shapely.geometry.shape(data)
    except (ValueError, TypeError, IndexError, shapely.errors.GEOSException) as exc:
        raise InvalidGeometry(f"Malformed {geometry_type} coordinates: {exc}") from exc
    if geometry.is_empty:
        raise InvalidGeometry("The geometry is empty.")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise InvalidGeometry(f"The geometry is not valid: {reason}.")
    return geometry


def _check_coordinates(data: dict) -> None:
    if data["type"] == "GeometryCollection":
        members = data.get("geometries")
        if not isinstance(members, list):
            raise InvalidGeometry("A GeometryCollection needs a 'geometries' list.")
        for member in members:
            if not isinstance(member, dict):
                raise InvalidGeometry(
                    "Each member of a GeometryCollection is an object."
                )
            _check_coordinates(member)
        return
    if "coordinates" not in data:
        raise InvalidGeometry(f"The {data['type']} has no 'coordinates'.")
    for position in _positions(data["coordinates"]):
        longitude, latitude = position[0], position[1]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise InvalidGeometry(
                f"Position ({longitude}, {latitude}) is not a WGS84 longitude, "
                "latitude pair."
            )


def _positions(coordinates) -> Iterable[list]:
    if not isinstance(coordinates, list):
        raise InvalidGeometry("GeoJSON coordinates must be arrays.")
    if coordinates and not isinstance(coordinates[0], list):
        if len(coordinates) < 2 or not all(
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            for value in coordinates
        ):
            raise InvalidGeometry(f"Invalid position: {coordinates!r}.")
        yield coordinates
        return
    for item in coordinates:
        yield from _positions(item)


def for_storage(geometries):
    """Round WGS84 coordinates to ``STORED_DECIMALS`` keeping geometries valid.

    Snapping every vertex to the same grid keeps shared borders shared. A
    MultiPolygon of one part becomes a Polygon, so that the same outline read from
    GeoJSON or from a GeoPackage (where layers are often all MultiPolygon) is stored
    the same way. Rings are oriented as RFC 7946 wants (exterior counter-clockwise).
    """
    snapped = shapely.set_precision(geometries, 10.0**-STORED_DECIMALS)
    single_part = (shapely.get_type_id(snapped) == MULTIPOLYGON_TYPE_ID) & (
        shapely.get_num_geometries(snapped) == 1
    )
    snapped = np.where(single_part, shapely.get_geometry(snapped, 0), snapped)
    return shapely.orient_polygons(snapped, exterior_cw=False)


def to_geojson_text(geometries) -> str | np.ndarray:
    """Compact RFC 7946 GeoJSON text of a geometry (or array) in WGS84."""
    return shapely.to_geojson(geometries)


def rounded_bounds(geometries) -> np.ndarray:
    """(west, south, east, north) rounded to the stored precision."""
    return np.round(shapely.bounds(geometries), STORED_DECIMALS)


def label_points(geometries) -> np.ndarray:
    """A point guaranteed inside each polygon (unlike the centroid), as (lon, lat).

    Used for popups and markers: the centroid of a crescent-shaped or multi-part
    commune may fall in its neighbour.
    """
    points = shapely.point_on_surface(geometries)
    return np.round(shapely.get_coordinates(points), STORED_DECIMALS)


def check_within_france(geometries, *, source: str = "") -> None:
    """Raise ``GeometryOutsideRegion`` unless WGS84 geometries lie in metropolitan
    France; catches a layer whose declared CRS does not match its coordinates."""
    west, south, east, north = shapely.total_bounds(geometries)
    expected_west, expected_south, expected_east, expected_north = (
        METROPOLITAN_FRANCE_WGS84
    )
    if not (
        np.isfinite([west, south, east, north]).all()
        and west >= expected_west
        and south >= expected_south
        and east <= expected_east
        and north <= expected_north
    ):
        raise GeometryOutsideRegion(
            f"{source}Coordinates span ({west:.3f}, {south:.3f}, {east:.3f}, "
            f"{north:.3f}) in WGS84, outside metropolitan France: the declared "
            "coordinate reference system is probably wrong."
        )


# --- Unions -------------------------------------------------------------------------


def union_outline(geometries: Sequence[BaseGeometry] | np.ndarray) -> BaseGeometry:
    """The union of polygons in one CRS (the result is in the same CRS).

    Administrative outlines form a coverage (no overlap, identical shared borders),
    for which GEOS has a much faster union; anything else goes through the general
    overlay union.
    """
    parts = np.asarray(geometries, dtype=object)
    if len(parts) == 0:
        raise InvalidGeometry("Nothing to unite.")
    if len(parts) == 1:
        return parts[0]
    if shapely.coverage_is_valid(parts):
        union = shapely.coverage_union_all(parts)
        if union.is_valid:
            return union
    return shapely.union_all(parts)


# --- Spatial queries on communes ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommuneCoverage:
    """How much of a commune a polygon covers (areas measured in Lambert-93)."""

    insee: str
    fraction: float
    covered_km2: float
    commune_km2: float


@dataclass(frozen=True)
class CommuneIndex:
    """Commune outlines in WGS84 and Lambert-93 behind an STRtree, for repeated
    point and polygon queries. Build it once with ``CommuneIndex.build``."""

    codes: np.ndarray
    outlines_wgs84: np.ndarray
    outlines_lambert93: np.ndarray
    areas_m2: np.ndarray
    tree_wgs84: shapely.STRtree
    tree_lambert93: shapely.STRtree

    @classmethod
    def build(cls, outlines_wgs84: dict[str, BaseGeometry]) -> "CommuneIndex":
        codes = np.array(list(outlines_wgs84), dtype=object)
        geometries = np.array(list(outlines_wgs84.values()), dtype=object)
        lambert93 = to_lambert93(geometries)
        shapely.prepare(geometries)
        shapely.prepare(lambert93)
        return cls(
            codes=codes,
            outlines_wgs84=geometries,
            outlines_lambert93=lambert93,
            areas_m2=shapely.area(lambert93),
            tree_wgs84=shapely.STRtree(geometries),
            tree_lambert93=shapely.STRtree(lambert93),
        )

    def __len__(self) -> int:
        return len(self.codes)

    def commune_at(self, longitude: float, latitude: float) -> str | None:
        """INSEE code of the commune containing a WGS84 point (None outside).

        A point on a shared border belongs to the commune with the smallest code,
        so the answer is deterministic.
        """
        point = shapely.Point(longitude, latitude)
        hits = self.tree_wgs84.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return min(self.codes[hits])

    def coverage(
        self, polygon, *, crs: str = WGS84, min_fraction: float = 0.0
    ) -> list[CommuneCoverage]:
        """Communes a polygon intersects with the fraction of each one it covers.

        ``polygon`` is a shapely geometry or a GeoJSON mapping in ``crs``. Only
        areal overlap counts: communes merely touching the polygon's border are
        left out. Sorted by decreasing fraction, then code.
        """
        if isinstance(polygon, dict | str | bytes):
            if crs != WGS84:
                raise InvalidGeometry("GeoJSON input is always WGS84 (RFC 7946).")
            polygon = parse_geometry(polygon, allowed_types=POLYGONAL_TYPES)
        if polygon.geom_type not in POLYGONAL_TYPES:
            raise InvalidGeometry(
                f"Expected a Polygon or MultiPolygon, got {polygon.geom_type}."
            )
        polygon_lambert93 = reproject(polygon, source_crs=crs, target_crs=LAMBERT93)
        hits = self.tree_lambert93.query(polygon_lambert93, predicate="intersects")
        if len(hits) == 0:
            return []
        covered = shapely.area(
            shapely.intersection(self.outlines_lambert93[hits], polygon_lambert93)
        )
        fractions = np.minimum(covered / self.areas_m2[hits], 1.0)
        results = [
            CommuneCoverage(
                insee=str(self.codes[index]),
                fraction=float(fraction),
                covered_km2=float(covered_m2 / 1e6),
                commune_km2=float(self.areas_m2[index] / 1e6),
            )
            for index, fraction, covered_m2 in zip(
                hits, fractions, covered, strict=True
            )
            if covered_m2 > 0 and fraction > min_fraction
        ]
        results.sort(key=lambda item: (-item.fraction, item.insee))
        return results

    def union(self, codes: Iterable[str]) -> BaseGeometry:
        """Union outline (WGS84) of the given communes."""
        wanted = set(codes)
        mask = np.isin(self.codes, list(wanted))
        missing = wanted - set(self.codes[mask])
        if missing:
            raise InvalidGeometry(
                f"Unknown commune codes: {', '.join(sorted(missing))}."
            )
        return union_outline(self.outlines_wgs84[mask])
