"""Perimeter outlines: pure geometry on WGS84 (EPSG:4326) GeoJSON, no Django.

The union itself is ``crig.territory.geometry.union_outline``; this module adds the
simplification the maps want and the conversions to and from stored GeoJSON text.
"""

from collections.abc import Iterable

import shapely
from shapely.geometry import mapping

from crig.territory.geometry import union_outline

# About 100 m at the latitude of Occitanie: invisible on a regional map, and it
# keeps the directory's GeoJSON small.
MAP_TOLERANCE_DEGREES = 0.001


def perimeter_outline(
    outlines: Iterable[str], *, tolerance: float = MAP_TOLERANCE_DEGREES
) -> dict | None:
    """The union of WGS84 GeoJSON outlines (texts), simplified, as a GeoJSON
    geometry; None when there is nothing to unite."""
    shapes = [shapely.from_geojson(text) for text in outlines if text]
    if not shapes:
        return None
    union = union_outline(shapes)
    if tolerance:
        union = shapely.simplify(union, tolerance, preserve_topology=True)
    if union.is_empty:
        return None
    return mapping(shapely.set_precision(union, 1e-5))


def outline_bbox(geometry: dict) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a GeoJSON geometry, in degrees."""
    return tuple(round(value, 6) for value in shapely.geometry.shape(geometry).bounds)
