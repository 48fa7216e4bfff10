"""The pure coverage package, without a database: exact fractions on synthetic
squares in Lambert-93, the fast paths against the plain computation, and the
densification of WGS84 boxes."""

import numpy as np
import pytest
import shapely

from crig.catalog.coverage import (
    DENSIFY_STEP_DEGREES,
    CommuneLayer,
    coverage_pairs,
    prepare_footprints,
)
from crig.catalog.coverage.footprints import polygonal_part, rectangle_bounds
from crig.territory.geometry import LAMBERT93, to_lambert93, to_wgs84

# A 3 × 3 grid of 1 km squares in Lambert-93 near Toulouse (573 km E, 6280 km N).
X0, Y0, SIDE = 573_000.0, 6_280_000.0, 1_000.0


def _square(column: int, row: int):
    x, y = X0 + column * SIDE, Y0 + row * SIDE
    return shapely.box(x, y, x + SIDE, y + SIDE)


def _grid_layer() -> CommuneLayer:
    codes = [f"9{row}{column}00" for row in range(3) for column in range(3)]
    squares = [_square(column, row) for row in range(3) for column in range(3)]
    # Communes come in WGS84, as stored.
    return CommuneLayer.build(codes, to_wgs84(np.array(squares), source_crs=LAMBERT93))


# Footprints of straight Lambert-93 edges must not be bent along WGS84 lines.
NO_DENSIFICATION = 10.0


def _fractions(
    layer, footprints_wgs84, *, densify_step=NO_DENSIFICATION, **options
) -> dict[tuple[int, str], float]:
    footprints = prepare_footprints(footprints_wgs84, densify_step=densify_step)
    pairs = coverage_pairs(layer, footprints, **options)
    return {
        (int(f), str(layer.codes[c])): float(fraction)
        for f, c, fraction in zip(
            pairs.footprint, pairs.commune, pairs.fraction, strict=True
        )
    }


def _wgs84(polygon_lambert93):
    return to_wgs84(polygon_lambert93, source_crs=LAMBERT93)


def test_footprint_inside_boundary_and_disjoint_fractions():
    layer = _grid_layer()
    # Half of the middle column's squares, the whole middle square, and a
    # polygon far away.
    half_column = shapely.box(X0 + 1_000, Y0, X0 + 1_500, Y0 + 3_000)
    whole_middle = shapely.box(X0 + 1_000, Y0 + 1_000, X0 + 2_000, Y0 + 2_000)
    far = shapely.box(X0 + 50_000, Y0, X0 + 51_000, Y0 + 1_000)

    fractions = _fractions(layer, [_wgs84(p) for p in (half_column, whole_middle, far)])

    assert sorted(fractions) == [
        (0, "90100"),
        (0, "91100"),
        (0, "92100"),
        (1, "91100"),
    ]
    for key in [(0, "90100"), (0, "91100"), (0, "92100")]:
        assert fractions[key] == pytest.approx(0.5, abs=1e-9)
    assert fractions[(1, "91100")] == pytest.approx(1.0, abs=1e-9)


def test_a_commune_wholly_inside_a_box_footprint_takes_the_box_shortcut():
    layer = _grid_layer()
    # A WGS84 box well around the whole grid.
    west, south, east, north = _wgs84(
        shapely.box(X0, Y0, X0 + 3_000, Y0 + 3_000)
    ).bounds
    box = shapely.box(west - 0.01, south - 0.01, east + 0.01, north + 0.01)

    pairs = coverage_pairs(layer, prepare_footprints([box]))

    assert pairs.fraction.tolist() == [1.0] * 9
    assert pairs.inside_by_box == 9
    assert pairs.exact == 0


def test_footprint_inside_a_commune_covers_its_own_share():
    layer = _grid_layer()
    quarter = shapely.box(X0 + 1_250, Y0 + 1_250, X0 + 1_750, Y0 + 1_750)

    fractions = _fractions(layer, [_wgs84(quarter)])

    assert list(fractions) == [(0, "91100")]
    assert fractions[(0, "91100")] == pytest.approx(0.25, abs=1e-6)


def test_commune_union_footprint_covers_its_members_whole_and_not_its_neighbours():
    layer = _grid_layer()
    union = shapely.union_all([_square(0, 0), _square(1, 0), _square(0, 1)])

    pairs = coverage_pairs(
        layer, prepare_footprints([_wgs84(union)], densify_step=NO_DENSIFICATION)
    )

    assert sorted(layer.codes[pairs.commune].tolist()) == ["90000", "90100", "91000"]
    assert pairs.fraction == pytest.approx([1.0, 1.0, 1.0], abs=1e-9)


def test_touching_only_gives_no_row():
    layer = _grid_layer()
    beside = shapely.box(X0 + 3_000, Y0, X0 + 4_000, Y0 + 3_000)

    assert _fractions(layer, [_wgs84(beside)]) == {}


@pytest.mark.parametrize(
    "footprint", [None, shapely.Point(1.4, 43.6), shapely.Polygon()]
)
def test_footprint_without_area_covers_nothing(footprint):
    layer = _grid_layer()

    pairs = coverage_pairs(layer, prepare_footprints([footprint]))

    assert len(pairs) == 0


def test_rectangles_are_recognised_in_wgs84():
    geometries = np.array(
        [
            shapely.box(1.0, 43.0, 2.0, 44.0),
            shapely.Polygon([(1, 43), (2, 43), (2, 44), (1.1, 44), (1, 43)]),
            shapely.box(0, 0, 1, 1).difference(shapely.box(0.2, 0.2, 0.4, 0.4)),
        ],
        dtype=object,
    )

    bounds = rectangle_bounds(geometries)

    assert bounds[0].tolist() == [1.0, 43.0, 2.0, 44.0]
    assert np.isnan(bounds[1]).all()
    assert np.isnan(bounds[2]).all()


def test_polygonal_part_keeps_areas_and_repairs():
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    collection = shapely.GeometryCollection(
        [shapely.box(0, 0, 1, 1), shapely.LineString([(0, 0), (5, 5)])]
    )

    assert polygonal_part(bowtie).area == pytest.approx(0.5)
    assert polygonal_part(collection).equals(shapely.box(0, 0, 1, 1))
    assert polygonal_part(shapely.LineString([(0, 0), (1, 1)])).is_empty


def test_wgs84_box_is_densified_before_projection():
    box = shapely.box(1.0, 43.0, 2.0, 44.0)

    footprint = prepare_footprints([box]).lambert93[0]

    # 100 pieces of 0.01° on each of the four edges.
    assert shapely.get_num_coordinates(footprint) == 4 * 100 + 1
    # Every vertex is the projection of a point of the WGS84 box's outline …
    corners = to_lambert93(
        shapely.points([(1.0, 43.0), (2.0, 43.0), (2.0, 44.0), (1.0, 44.0)])
    )
    for corner in corners:
        assert shapely.distance(footprint.exterior, corner) < 1e-6
    # … and the southern edge bulges away from the straight chord between its
    # corners, as a parallel does in a conic projection: the four-corner polygon
    # would misplace it by more than 100 m in the middle.
    middle = to_lambert93(shapely.Point(1.5, 43.0))
    chord = shapely.LineString([corners[0], corners[1]])
    assert shapely.distance(footprint.exterior, middle) < 0.02
    assert shapely.distance(chord, middle) > 100


def test_densified_edges_stay_within_two_centimetres_of_the_true_parallel():
    box = shapely.box(-0.5, 42.5, 4.5, 45.0)
    footprint = prepare_footprints([box]).lambert93[0]
    # Points of the true parallels and meridians, much finer than the step.
    fine = to_lambert93(shapely.segmentize(box, DENSIFY_STEP_DEGREES / 50).exterior)

    gap = shapely.hausdorff_distance(footprint.exterior, fine)

    assert gap < 0.02


def _real_like_layer_and_footprints(seed: int):
    """Irregular 'communes' (a jittered Voronoi tessellation in Lambert-93) and
    boxes, polygons and small squares across them."""
    rng = np.random.default_rng(seed)
    points = shapely.points(
        rng.uniform([560_000, 6_260_000], [600_000, 6_300_000], size=(300, 2))
    )
    extent = shapely.box(560_000, 6_260_000, 600_000, 6_300_000)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points))),
        extent,
    )
    cells = shapely.set_precision(_wgs84(cells), 1e-6)
    layer = CommuneLayer.build([f"{i:05d}" for i in range(len(cells))], cells)
    west, south, east, north = shapely.total_bounds(cells)
    footprints = []
    for _ in range(40):
        x, y = rng.uniform([west, south], [east, north])
        w, h = rng.uniform(0.02, 0.3, size=2)
        footprints.append(shapely.box(x, y, x + w, y + h))
    for _ in range(10):
        chosen = rng.choice(len(cells), size=6, replace=False)
        footprints.append(shapely.union_all(cells[chosen]))
    for _ in range(10):
        x, y = rng.uniform([west, south], [east, north])
        footprints.append(shapely.Point(x, y).buffer(rng.uniform(0.005, 0.05)))
    return layer, footprints


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_paths_give_the_plain_intersection_to_1e_9(seed):
    layer, footprints = _real_like_layer_and_footprints(seed)

    fast = _fractions(layer, footprints, densify_step=DENSIFY_STEP_DEGREES)
    plain = _fractions(
        layer, footprints, densify_step=DENSIFY_STEP_DEGREES, fast_paths=False
    )

    assert len(fast) > 1000
    assert fast.keys() == plain.keys()
    assert max(abs(fast[key] - plain[key]) for key in fast) < 1e-9


def test_fast_paths_are_used():
    layer, footprints = _real_like_layer_and_footprints(3)

    pairs = coverage_pairs(layer, prepare_footprints(footprints))

    assert pairs.inside_by_box > 0
    assert pairs.inside_by_covers > 0
    assert pairs.outside_by_box > 0
    assert pairs.exact < pairs.candidates / 2
    assert (
        pairs.inside_by_box
        + pairs.inside_by_covers
        + pairs.outside_by_box
        + pairs.exact
        == pairs.candidates
    )


def test_progress_is_reported_per_chunk_of_footprints():
    layer = _grid_layer()
    calls = []

    coverage_pairs(
        layer,
        prepare_footprints([_wgs84(_square(1, 1))] * 1200),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
