"""Fraction of each commune that each footprint covers, for many footprints at once.

Pure: no Django. Communes come in as WGS84 outlines and are measured in
Lambert-93 (EPSG:2154); footprints come prepared by ``footprints``.

The straightforward way — an STRtree, then ``intersection`` and ``area`` for every
(footprint, commune) pair whose geometries intersect — spends nearly all its time
computing intersections whose answer is known in advance: most pairs are communes
lying wholly inside a large footprint (an orthophoto of a département, a LIDAR
block), and most footprints are WGS84 boxes. So pairs are classified first, with
vectorised tests that cost far less than an intersection:

1. Candidates: one bulk STRtree query of every footprint against the communes'
   Lambert-93 envelopes (envelope overlap only; no predicate).
2. Rectangle footprints, in WGS84 with numpy: a commune whose WGS84 envelope lies
   inside the box shrunk by ``RECTANGLE_MARGIN_DEGREES`` is wholly covered
   (fraction 1); one whose envelope misses the box grown by that margin is not
   covered at all. The margin (≈11 m) absorbs the difference between the densified
   Lambert-93 footprint and the exact image of the box (≤ 1.3 cm, see
   ``footprints``) and the bend of long commune edges under projection (a straight
   Lambert-93 edge departs from the image of the straight WGS84 edge by ~L²/8R:
   0.2 m for a 3 km edge), so both shortcuts give what the exact intersection of
   the densified polygon gives.
3. Other footprints: a prepared ``covers`` test in Lambert-93 (exact) finds the
   communes wholly inside (fraction 1), e.g. the members of an EPCI's outline.
4. The remaining pairs — communes that straddle a footprint's border, or footprints
   inside a commune — get an exact ``intersection`` and ``area`` in Lambert-93,
   vectorised, after clipping the footprint to the commune's envelope with
   ``clip_by_rect`` (linear, and much cheaper than the general overlay), so a
   2,000-vertex regional footprint does not weigh on every small commune.

Fractions at or below ``FRACTION_EPSILON`` (slivers from floating-point noise along
shared borders, e.g. a footprint that is the union of communes touching its
neighbours) are dropped.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from crig.catalog.coverage.footprints import Footprints
from crig.territory.geometry import to_lambert93

#: Fractions at or below this are not coverage but rounding noise along borders.
FRACTION_EPSILON = 1e-9

#: Safety margin (degrees) of the WGS84 box tests of rectangle footprints.
RECTANGLE_MARGIN_DEGREES = 1e-4

#: Pairs handed to one vectorised intersection call (bounds peak memory).
EXACT_CHUNK_PAIRS = 20_000

#: Footprints with more vertices are clipped to each commune's envelope first.
CLIP_MIN_VERTICES = 64

#: Grid (metres) of the snap-rounded overlay used when the exact one fails.
SNAP_GRID_METRES = 1e-3

#: Footprints per step of the computation (and of progress reports).
FOOTPRINT_CHUNK = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CommuneLayer:
    """Commune outlines ready for coverage: Lambert-93 geometries, their areas and
    envelopes, their WGS84 envelopes and an STRtree. Build it once per territory
    with ``CommuneLayer.build`` and reuse it."""

    codes: np.ndarray
    lambert93: np.ndarray
    areas_m2: np.ndarray
    bounds_lambert93: np.ndarray
    bounds_wgs84: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def build(
        cls, codes: Sequence[str], outlines_wgs84: Sequence[BaseGeometry] | np.ndarray
    ) -> "CommuneLayer":
        outlines = np.asarray(outlines_wgs84, dtype=object)
        lambert93 = to_lambert93(outlines)
        return cls(
            codes=np.asarray(codes, dtype=object),
            lambert93=lambert93,
            areas_m2=shapely.area(lambert93),
            bounds_lambert93=shapely.bounds(lambert93),
            bounds_wgs84=shapely.bounds(outlines),
            tree=shapely.STRtree(lambert93),
        )

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class CoveragePairs:
    """Covered (footprint, commune) pairs as parallel arrays, sorted by footprint
    then commune index; ``fraction`` in (FRACTION_EPSILON, 1]."""

    footprint: np.ndarray
    commune: np.ndarray
    fraction: np.ndarray
    # How many candidate pairs each path decided (for benchmarks and tests).
    candidates: int = 0
    inside_by_box: int = 0
    inside_by_covers: int = 0
    outside_by_box: int = 0
    exact: int = 0

    def __len__(self) -> int:
        return len(self.fraction)


def coverage_pairs(
    communes: CommuneLayer,
    footprints: Footprints,
    *,
    fast_paths: bool = True,
    progress: Progress | None = None,
) -> CoveragePairs:
    """Fraction of each commune covered by each footprint (see the module doc).

    ``fast_paths=False`` computes every candidate pair exactly: the reference the
    fast paths are tested against.
    """
    parts: list[CoveragePairs] = []
    total = len(footprints)
    for start in range(0, total, FOOTPRINT_CHUNK):
        stop = min(start + FOOTPRINT_CHUNK, total)
        parts.append(
            _chunk_pairs(communes, footprints, start, stop, fast_paths=fast_paths)
        )
        if progress is not None:
            progress(stop, total)
    if not parts:
        empty = np.array([], dtype=np.int64)
        return CoveragePairs(empty, empty, np.array([], dtype=float))
    return CoveragePairs(
        footprint=np.concatenate([part.footprint for part in parts]),
        commune=np.concatenate([part.commune for part in parts]),
        fraction=np.concatenate([part.fraction for part in parts]),
        candidates=sum(part.candidates for part in parts),
        inside_by_box=sum(part.inside_by_box for part in parts),
        inside_by_covers=sum(part.inside_by_covers for part in parts),
        outside_by_box=sum(part.outside_by_box for part in parts),
        exact=sum(part.exact for part in parts),
    )


def _chunk_pairs(
    communes: CommuneLayer,
    footprints: Footprints,
    start: int,
    stop: int,
    *,
    fast_paths: bool,
) -> CoveragePairs:
    polygons = footprints.lambert93[start:stop]
    footprint_index, commune_index = communes.tree.query(polygons)
    footprint_index = footprint_index + start
    candidates = len(footprint_index)
    fraction = np.full(candidates, np.nan)
    undecided = np.ones(candidates, dtype=bool)
    inside_by_box = outside_by_box = inside_by_covers = 0

    if fast_paths and candidates:
        boxes = footprints.rectangles[footprint_index]
        envelopes = communes.bounds_wgs84[commune_index]
        is_rectangle = ~np.isnan(boxes[:, 0])
        margin = RECTANGLE_MARGIN_DEGREES
        inside = is_rectangle & (
            (envelopes[:, 0] >= boxes[:, 0] + margin)
            & (envelopes[:, 1] >= boxes[:, 1] + margin)
            & (envelopes[:, 2] <= boxes[:, 2] - margin)
            & (envelopes[:, 3] <= boxes[:, 3] - margin)
        )
        outside = is_rectangle & (
            (envelopes[:, 2] < boxes[:, 0] - margin)
            | (envelopes[:, 0] > boxes[:, 2] + margin)
            | (envelopes[:, 3] < boxes[:, 1] - margin)
            | (envelopes[:, 1] > boxes[:, 3] + margin)
        )
        fraction[inside] = 1.0
        fraction[outside] = 0.0
        undecided = ~(inside | outside)
        inside_by_box, outside_by_box = int(inside.sum()), int(outside.sum())

        # Exact prepared predicates settle most of what the boxes could not.
        pending = np.flatnonzero(undecided)
        if len(pending):
            shapely.prepare(polygons)
            pending_polygons = footprints.lambert93[footprint_index[pending]]
            pending_outlines = communes.lambert93[commune_index[pending]]
            covered = shapely.covers(pending_polygons, pending_outlines)
            fraction[pending[covered]] = 1.0
            undecided[pending[covered]] = False
            inside_by_covers = int(covered.sum())
            rest = ~covered
            missed = ~shapely.intersects(pending_polygons[rest], pending_outlines[rest])
            fraction[pending[rest][missed]] = 0.0
            undecided[pending[rest][missed]] = False
            outside_by_box += int(missed.sum())
            shapely.destroy_prepared(polygons)

    exact = np.flatnonzero(undecided)
    for chunk_start in range(0, len(exact), EXACT_CHUNK_PAIRS):
        chunk = exact[chunk_start : chunk_start + EXACT_CHUNK_PAIRS]
        fraction[chunk] = _exact_fractions(
            communes, footprints, footprint_index[chunk], commune_index[chunk]
        )

    kept = fraction > FRACTION_EPSILON
    order = np.lexsort((commune_index[kept], footprint_index[kept]))
    return CoveragePairs(
        footprint=footprint_index[kept][order],
        commune=commune_index[kept][order],
        fraction=fraction[kept][order],
        candidates=candidates,
        inside_by_box=inside_by_box,
        inside_by_covers=inside_by_covers,
        outside_by_box=outside_by_box,
        exact=len(exact),
    )


def _exact_fractions(
    communes: CommuneLayer,
    footprints: Footprints,
    footprint_index: np.ndarray,
    commune_index: np.ndarray,
) -> np.ndarray:
    outlines = communes.lambert93[commune_index]
    polygons = footprints.lambert93[footprint_index]
    envelopes = communes.bounds_lambert93[commune_index]
    # Clipping a footprint to the commune's envelope changes nothing inside it,
    # so the intersection is the same, on far fewer vertices. Only for the
    # densified boxes: clip_by_rect may leave self-touching rings in other
    # polygons, which the overlay then rejects. It takes one rectangle per call.
    clipped = polygons.copy()
    for position in np.flatnonzero(
        footprints.is_rectangle[footprint_index]
        & (shapely.get_num_coordinates(polygons) > CLIP_MIN_VERTICES)
    ):
        clipped[position] = shapely.clip_by_rect(
            polygons[position], *envelopes[position]
        )
    covered = _intersection_areas(outlines, clipped, polygons)
    return np.minimum(covered / communes.areas_m2[commune_index], 1.0)


def _intersection_areas(
    outlines: np.ndarray, clipped: np.ndarray, polygons: np.ndarray
) -> np.ndarray:
    """Vectorised intersection areas; a pair GEOS rejects is found by halving the
    batch and computed alone (``_robust_intersection_area``)."""
    try:
        return shapely.area(shapely.intersection(outlines, clipped))
    except shapely.errors.GEOSException:
        if len(outlines) == 1:
            return np.array(
                [_robust_intersection_area(outlines[0], polygons[0])], dtype=float
            )
    half = len(outlines) // 2
    return np.concatenate(
        [
            _intersection_areas(outlines[:half], clipped[:half], polygons[:half]),
            _intersection_areas(outlines[half:], clipped[half:], polygons[half:]),
        ]
    )


def _robust_intersection_area(outline, polygon) -> float:
    """Intersection area of one pair whose overlay GEOS rejected.

    GEOS can reject an overlay of nearly coincident edges ("TopologyException"),
    typically a footprint drawn from commune outlines; retry on the unclipped
    footprint, then with snap-rounding to a 1 mm grid, which is robust and far
    below the outlines' precision.
    """
    try:
        return float(shapely.area(shapely.intersection(outline, polygon)))
    except shapely.errors.GEOSException:
        return float(
            shapely.area(
                shapely.intersection(outline, polygon, grid_size=SNAP_GRID_METRES)
            )
        )
