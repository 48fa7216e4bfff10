"""Dataset footprints made ready for coverage: parsed, densified, in Lambert-93.

Pure: no Django. Footprints are stored and exchanged in WGS84 (EPSG:4326, lon/lat);
areas are measured in Lambert-93 (EPSG:2154).

**Why densify.** Most footprints are bounding boxes in WGS84. Lambert-93 is a
conformal conic projection: meridians become straight lines converging to the
cone's apex, but parallels become circular arcs about that apex. A WGS84 box is
therefore not a rectangle in Lambert-93 but an annular sector, and joining its four
projected corners with straight lines would misplace its northern and southern
edges by up to hundreds of metres for a département-sized box (the sagitta of a
200 km chord of a circle of radius ~6,400 km is ~0.8 km). Every edge of a box is
therefore cut into pieces of at most ``DENSIFY_STEP_DEGREES`` in WGS84 before
projection: the projected polygon then departs from the true image of the box by
at most the sagitta of one piece, about 1.3 cm for 0.01° (810 m along a parallel
at 43.5° N), far below the 1e-6° (~0.1 m) precision of the stored outlines. The
densified, projected polygon is *the* footprint for every later computation (and
for the PostGIS comparison of the benchmark), so the fast paths of ``compute`` must
agree with plain polygon intersection on it.

**Rectangles only.** Only a footprint whose WGS84 polygon is its own bounding box
(a longitude/latitude range) is densified; it also keeps that box in
``rectangles`` so the coverage computation can classify communes with box
comparisons in WGS84 (see ``compute``). Any other polygon is projected vertex by
vertex, exactly as commune outlines are: a footprint drawn from commune outlines
then shares their borders exactly, and covers a commune at 1, its neighbour at 0,
instead of leaving millimetre slivers along every long edge. (A hand-drawn polygon
with edges of tens of kilometres therefore follows straight Lambert-93 lines
between its vertices, not straight WGS84 ones: a gap of roughly L²/8R, about 8 m
in the middle of a 20 km edge; metadata polygons are rarely that coarse.)
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from crig.territory.geometry import to_lambert93

#: Longest edge (degrees, WGS84) of a footprint before projection to Lambert-93.
DENSIFY_STEP_DEGREES = 0.01

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7


@dataclass(frozen=True)
class Footprints:
    """Footprints as parallel arrays, one item per input geometry.

    ``lambert93`` holds the densified polygons in EPSG:2154 (an empty polygon for
    an input that has no area: a point, a line, an empty or missing geometry);
    ``rectangles`` the WGS84 box (west, south, east, north) of the inputs that are
    axis-aligned WGS84 rectangles, NaN for the others.
    """

    lambert93: np.ndarray
    rectangles: np.ndarray

    def __len__(self) -> int:
        return len(self.lambert93)

    @property
    def is_rectangle(self) -> np.ndarray:
        return ~np.isnan(self.rectangles[:, 0])


def polygonal_part(geometry: BaseGeometry | None) -> BaseGeometry:
    """The areal part of a WGS84 geometry, repaired if invalid; empty if none."""
    if geometry is None or geometry.is_empty:
        return shapely.Polygon()
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    type_id = shapely.get_type_id(geometry)
    if type_id in (_POLYGON, _MULTIPOLYGON):
        return geometry
    if type_id == _COLLECTION:
        parts = [
            part
            for part in shapely.get_parts(geometry)
            if shapely.get_type_id(part) in (_POLYGON, _MULTIPOLYGON)
        ]
        if parts:
            return shapely.union_all(parts)
    return shapely.Polygon()


def rectangle_bounds(geometries: np.ndarray) -> np.ndarray:
    """(west, south, east, north) of the geometries that are axis-aligned
    rectangles (a polygon equal to its envelope), NaN rows for the others."""
    bounds = shapely.bounds(geometries)
    envelope_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    with np.errstate(invalid="ignore"):
        is_rectangle = (
            (shapely.get_type_id(geometries) == _POLYGON)
            & (shapely.get_num_interior_rings(geometries) == 0)
            & (envelope_area > 0)
            & np.isclose(shapely.area(geometries), envelope_area, rtol=1e-12, atol=0)
        )
    bounds[~is_rectangle] = np.nan
    return bounds


def densified_wgs84(
    geometries_wgs84: Sequence[BaseGeometry | None] | np.ndarray,
    *,
    densify_step: float = DENSIFY_STEP_DEGREES,
) -> tuple[np.ndarray, np.ndarray]:
    """The areal parts of WGS84 footprints with their boxes densified, and the
    ``rectangle_bounds`` of the footprints. Their vertex-by-vertex projection is
    the Lambert-93 footprint: another system (PostGIS in the benchmark) starts
    from these to compute on the same geometry."""
    polygons = np.array(
        [polygonal_part(geometry) for geometry in geometries_wgs84], dtype=object
    )
    if len(polygons) == 0:
        return polygons, np.empty((0, 4))
    rectangles = rectangle_bounds(polygons)
    is_rectangle = ~np.isnan(rectangles[:, 0])
    polygons[is_rectangle] = shapely.segmentize(polygons[is_rectangle], densify_step)
    return polygons, rectangles


def prepare_footprints(
    geometries_wgs84: Sequence[BaseGeometry | None] | np.ndarray,
    *,
    densify_step: float = DENSIFY_STEP_DEGREES,
) -> Footprints:
    """Densify WGS84 boxes and project footprints to Lambert-93 (see module doc)."""
    polygons, rectangles = densified_wgs84(geometries_wgs84, densify_step=densify_step)
    return Footprints(lambert93=to_lambert93(polygons), rectangles=rectangles)
