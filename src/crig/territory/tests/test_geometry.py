"""The pure geometry module, without a database."""

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import box, mapping

from crig.territory import geometry

# A 2 km × 1 km strip of two 1 km² square "communes" near Toulouse, in Lambert-93.
ORIGIN_X, ORIGIN_Y = 574_000.0, 6_279_000.0
WEST_L93 = box(ORIGIN_X, ORIGIN_Y, ORIGIN_X + 1000, ORIGIN_Y + 1000)
EAST_L93 = box(ORIGIN_X + 1000, ORIGIN_Y, ORIGIN_X + 2000, ORIGIN_Y + 1000)


def wgs84(geometry_l93):
    return geometry.to_wgs84(geometry_l93, source_crs=geometry.LAMBERT93)


@pytest.fixture
def index():
    return geometry.CommuneIndex.build(
        {"99001": wgs84(WEST_L93), "99002": wgs84(EAST_L93)}
    )


def test_reprojection_round_trip_is_below_a_millimetre():
    back = geometry.to_lambert93(wgs84(WEST_L93))

    assert shapely.hausdorff_distance(back, WEST_L93) < 1e-3


def test_lambert93_projection_origin():
    # By definition of EPSG:2154, (3° E, 46.5° N) is (700 000 m, 6 600 000 m).
    point = geometry.to_lambert93(shapely.Point(3.0, 46.5))

    assert (round(point.x, 3), round(point.y, 3)) == (700_000.0, 6_600_000.0)


def test_area_is_measured_in_lambert93():
    assert geometry.area_km2(wgs84(WEST_L93)) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize(
    ("polygon_l93", "expected"),
    [
        # Half of the west square.
        (box(ORIGIN_X, ORIGIN_Y, ORIGIN_X + 500, ORIGIN_Y + 1000), [("99001", 0.5)]),
        # A quarter of each.
        (
            box(ORIGIN_X + 500, ORIGIN_Y, ORIGIN_X + 1500, ORIGIN_Y + 500),
            [("99001", 0.25), ("99002", 0.25)],
        ),
        # All of the east one and a tenth of the west one, sorted by fraction.
        (
            box(ORIGIN_X + 900, ORIGIN_Y - 10, ORIGIN_X + 2010, ORIGIN_Y + 1010),
            [("99002", 1.0), ("99001", 0.1)],
        ),
        # Touching the border only: no areal overlap.
        (box(ORIGIN_X - 100, ORIGIN_Y, ORIGIN_X, ORIGIN_Y + 1000), []),
    ],
)
def test_coverage_fractions(index, polygon_l93, expected):
    coverage = index.coverage(polygon_l93, crs=geometry.LAMBERT93)

    assert [(item.insee, round(item.fraction, 9)) for item in coverage] == expected


def test_coverage_from_wgs84_geojson(index):
    polygon = mapping(wgs84(box(ORIGIN_X, ORIGIN_Y, ORIGIN_X + 250, ORIGIN_Y + 1000)))

    (coverage,) = index.coverage(json.loads(json.dumps(polygon)))

    assert coverage.insee == "99001"
    assert coverage.fraction == pytest.approx(0.25, abs=1e-9)
    assert coverage.covered_km2 == pytest.approx(0.25, abs=1e-9)
    assert coverage.commune_km2 == pytest.approx(1.0, abs=1e-9)


def test_coverage_refuses_a_point(index):
    with pytest.raises(geometry.InvalidGeometry, match="Polygon or MultiPolygon"):
        index.coverage(shapely.Point(1.44, 43.6))


@pytest.mark.parametrize(
    ("point_l93", "expected"),
    [
        ((ORIGIN_X + 10, ORIGIN_Y + 10), "99001"),
        ((ORIGIN_X + 1990, ORIGIN_Y + 500), "99002"),
        ((ORIGIN_X + 3000, ORIGIN_Y + 500), None),
    ],
)
def test_commune_at(index, point_l93, expected):
    point = wgs84(shapely.Point(point_l93))

    assert index.commune_at(point.x, point.y) == expected


def test_union_of_adjacent_communes_is_one_polygon(index):
    union = index.union(["99001", "99002"])

    assert union.geom_type == "Polygon"
    assert geometry.area_km2(union) == pytest.approx(2.0, rel=1e-9)


def test_union_of_unknown_code_fails(index):
    with pytest.raises(geometry.InvalidGeometry, match="99999"):
        index.union(["99001", "99999"])


def test_union_outline_of_overlapping_polygons():
    union = geometry.union_outline([box(0, 0, 2, 2), box(1, 1, 3, 3)])

    assert union.area == 7.0


def test_for_storage_rounds_and_orients_counter_clockwise():
    clockwise = shapely.Polygon(
        [(1.1234567, 43.1), (1.1, 43.2), (1.2, 43.2), (1.2, 43.1)]
    )

    stored = geometry.for_storage(clockwise)

    assert stored.exterior.is_ccw
    assert json.loads(geometry.to_geojson_text(stored))["coordinates"][0][0] in (
        [1.123457, 43.1],
        [1.1, 43.2],
        [1.2, 43.2],
        [1.2, 43.1],
    )
    assert (1.123457, 43.1) in list(stored.exterior.coords)


def test_label_point_is_inside_a_crescent():
    crescent = box(0, 0, 10, 10).difference(box(2, 2, 10, 8))

    ((x, y),) = geometry.label_points(np.array([crescent]))

    assert crescent.contains(shapely.Point(x, y))
    assert not crescent.contains(crescent.centroid)


def test_parse_geometry_accepts_a_feature():
    parsed = geometry.parse_geometry(
        '{"type": "Feature", "properties": {}, "geometry": '
        '{"type": "Point", "coordinates": [1.44, 43.6]}}'
    )

    assert parsed.equals(shapely.Point(1.44, 43.6))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0]', "Not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "Circle", "coordinates": [0, 0]}', "Unknown GeoJSON geometry type"),
        ('{"type": "Feature", "geometry": null}', "has no geometry"),
        ('{"type": "Polygon"}', "has no 'coordinates'"),
        ('{"type": "Point", "coordinates": [600000, 6200000]}', "not a WGS84"),
        ('{"type": "Point", "coordinates": ["1", 43]}', "Invalid position"),
        ('{"type": "Point", "coordinates": [1]}', "Invalid position"),
        (
            '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}',
            "Too few points",
        ),
        (
            '{"type": "Polygon", "coordinates": '
            "[[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}",
            "not valid: Self-intersection",
        ),
        ('{"type": "Polygon", "coordinates": [[0, 0], [1, 1], [0, 0]]}', "Malformed"),
        ('{"type": "Polygon", "coordinates": []}', "empty"),
    ],
)
def test_parse_geometry_errors(data, message):
    with pytest.raises(geometry.InvalidGeometry, match=message):
        geometry.parse_geometry(data)


def test_parse_geometry_restricts_types():
    with pytest.raises(
        geometry.InvalidGeometry, match="Polygon or MultiPolygon, got Point"
    ):
        geometry.parse_geometry(
            {"type": "Point", "coordinates": [1, 43]},
            allowed_types=geometry.POLYGONAL_TYPES,
        )


def test_unknown_crs():
    with pytest.raises(geometry.UnsupportedCRS):
        geometry.reproject(
            shapely.Point(0, 0), source_crs="EPSG:999999", target_crs=geometry.WGS84
        )


def test_check_within_france_catches_lambert93_declared_as_wgs84():
    with pytest.raises(
        geometry.GeometryOutsideRegion, match="outside metropolitan France"
    ):
        geometry.check_within_france(np.array([WEST_L93]))


def test_geometry_module_imports_nothing_from_django():
    source = open(geometry.__file__, encoding="utf-8").read()

    assert "django" not in source.lower().replace("imports nothing from django", "")
