"""Reading uploaded and drawn territories (pure, no database).

The files are in data/territory-inputs/, built by its build.py: unless their
name says otherwise they hold the box lon 1.42-1.46, lat 43.59-43.62 (central
Toulouse), in the CRS their name gives.
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

from crig.territory import geometry, inputs

DATA = Path(__file__).parent / "data" / "territory-inputs"
MB = 1024 * 1024
TOULOUSE_BOX = shapely.box(1.42, 43.59, 1.46, 43.62)


def read(name, *, max_bytes=10 * MB, **kwargs):
    return inputs.read_file(
        name, (DATA / name).read_bytes(), max_bytes=max_bytes, **kwargs
    )


def assert_is_toulouse_box(shape, *, tolerance=1e-6):
    assert shape.geom_type == "Polygon"
    assert shape.is_valid
    assert shapely.hausdorff_distance(shape, TOULOUSE_BOX) < tolerance


# --- Every format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "file_format", "source_crs"),
    [
        ("toulouse.geojson", "geojson", geometry.WGS84),
        ("toulouse-lambert93.zip", "shapefile", "EPSG:2154"),
        ("toulouse.kml", "kml", geometry.WGS84),
    ],
)
def test_each_format_reads_the_same_polygon(name, file_format, source_crs):
    shape = read(name)

    # Lambert-93 → WGS84 round trip: well below a millimetre in degrees.
    assert_is_toulouse_box(shape.geometry, tolerance=1e-7)
    assert shape.file_format == file_format
    assert shape.source_crs == source_crs


def test_geopackage_in_lambert93_reads_its_first_polygon_layer():
    # Given a GeoPackage with a layer of polygons "zones" and a layer of points.
    shape = read("toulouse-lambert93.gpkg")

    assert_is_toulouse_box(shape.geometry, tolerance=1e-7)
    assert shape.file_format == "gpkg"
    assert shape.source_crs == "EPSG:2154"
    assert shape.notes == (
        inputs.Note(inputs.IGNORED_LAYERS, count=1, names=("reperes",)),
    )


def test_kml_points_next_to_polygons_are_left_out_with_a_note():
    # toulouse.kml holds the polygon and a point (the Capitole).
    shape = read("toulouse.kml")

    assert shape.notes == (inputs.Note(inputs.IGNORED_GEOMETRIES, count=1),)


def test_geojson_with_a_legacy_lambert93_crs_member_is_reprojected():
    shape = read("lambert93-crs.geojson")

    assert_is_toulouse_box(shape.geometry, tolerance=1e-7)
    assert shape.notes == ()


@pytest.mark.parametrize(
    "crs_name", ["EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84"]
)
def test_geojson_crs_members_meaning_wgs84_are_accepted(crs_name):
    document = json.loads((DATA / "toulouse.geojson").read_text())
    document["crs"] = {"type": "name", "properties": {"name": crs_name}}

    shape = inputs.read_file("zone.json", json.dumps(document).encode(), max_bytes=MB)

    assert_is_toulouse_box(shape.geometry)
    assert shape.source_crs == geometry.WGS84


def test_several_features_are_united():
    west = shapely.box(1.42, 43.59, 1.44, 43.62)
    east = shapely.box(1.44, 43.59, 1.46, 43.62)
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": shapely.geometry.mapping(g),
            }
            for g in (west, east)
        ]
        + [{"type": "Feature", "properties": {}, "geometry": None}],
    }

    shape = inputs.read_drawn(document)

    assert_is_toulouse_box(shape.geometry)


def test_extension_is_case_insensitive():
    data = (DATA / "toulouse.geojson").read_bytes()

    shape = inputs.read_file("ZONES.GeoJSON", data, max_bytes=MB)

    assert_is_toulouse_box(shape.geometry)


# --- Repairs --------------------------------------------------------------------------


def test_bow_tie_is_repaired_into_two_triangles_with_a_note():
    shape = read("bowtie.geojson")

    assert shape.geometry.is_valid
    assert shape.geometry.geom_type == "MultiPolygon"
    assert len(shape.geometry.geoms) == 2
    # The two triangles meet at the centre of the box: half of it.
    assert shape.geometry.area == pytest.approx(TOULOUSE_BOX.area / 2)
    assert shape.notes == (inputs.Note(inputs.REPAIRED, count=1),)


def test_drawn_bow_tie_is_repaired_too():
    drawn = json.loads((DATA / "bowtie.geojson").read_text())["features"][0]

    shape = inputs.read_drawn(json.dumps(drawn))

    assert shape.geometry.is_valid
    assert shape.notes == (inputs.Note(inputs.REPAIRED, count=1),)


def test_drawn_rectangle_as_a_bare_polygon():
    shape = inputs.read_drawn(shapely.geometry.mapping(TOULOUSE_BOX))

    assert_is_toulouse_box(shape.geometry)
    assert shape.notes == ()


# --- Refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("empty.geojson", inputs.EmptyFile),
        ("broken.zip", inputs.UnreadableFile),
        ("no-shapefile.zip", inputs.NoShapefile),
        ("toulouse-no-prj.zip", inputs.MissingPrj),
        ("toulouse-no-crs.gpkg", inputs.MissingCRS),
        ("unknown-crs.geojson", geometry.UnsupportedCRS),
        ("lambert93-no-crs.geojson", inputs.CoordinatesNotLonLat),
        ("toulouse-wrong-prj.zip", inputs.CoordinatesNotLonLat),
        ("points.geojson", inputs.NoPolygon),
        ("lines.kml", inputs.NoPolygon),
        ("declared-huge.zip", inputs.ArchiveTooLarge),
        ("external-entity.kml", inputs.UnsafeXml),
        ("billion-laughs.kml", inputs.UnsafeXml),
    ],
)
def test_bad_files_are_refused_with_their_reason(name, error):
    with pytest.raises(error):
        read(name)


def test_every_refusal_is_a_geometry_error():
    # The Django layer translates GeometryError subclasses; nothing else escapes.
    for name in (
        "empty.geojson",
        "broken.zip",
        "toulouse-no-prj.zip",
        "declared-huge.zip",
        "external-entity.kml",
        "points.geojson",
    ):
        with pytest.raises(geometry.GeometryError):
            read(name)


def test_shapefile_without_prj_is_a_missing_crs():
    with pytest.raises(inputs.MissingCRS, match=r"no \.prj"):
        read("toulouse-no-prj.zip")


def test_no_polygon_says_what_was_found():
    with pytest.raises(inputs.NoPolygon) as points:
        read("points.geojson")
    with pytest.raises(inputs.NoPolygon) as lines:
        read("lines.kml")

    assert points.value.found == ("Point",)
    assert lines.value.found == ("LineString",)


def test_file_over_the_limit_is_refused_before_reading():
    with pytest.raises(inputs.FileTooLarge) as refused:
        read("toulouse.geojson", max_bytes=100)

    assert (refused.value.size, refused.value.limit) == (
        (DATA / "toulouse.geojson").stat().st_size,
        100,
    )


def test_unknown_extension_is_refused():
    with pytest.raises(inputs.UnsupportedFormat) as refused:
        inputs.read_file("zones.dxf", b"0\nSECTION\n", max_bytes=MB)

    assert refused.value.extension == ".dxf"


def test_declared_huge_member_is_refused_before_extraction():
    with pytest.raises(inputs.ArchiveTooLarge) as refused:
        read("declared-huge.zip")

    assert refused.value.size == 4_000_000_000
    assert refused.value.limit == 10 * MB * inputs.MAX_UNCOMPRESSED_FACTOR


def test_real_zip_bomb_ratio_is_refused():
    # 1 MB of zeros compresses to about 1 kB.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        writer.writestr("zones.shp", b"\0" * MB)
    data = archive.getvalue()

    with pytest.raises(inputs.ArchiveTooLarge):
        inputs.read_file("zones.zip", data, max_bytes=len(data) + 1)


def test_kml_entity_is_never_expanded():
    # external-entity.kml names file:///etc/passwd; the DTD is refused before
    # any entity could be resolved.
    with pytest.raises(inputs.UnsafeXml, match="DTD"):
        read("external-entity.kml")


def test_renamed_file_is_not_handed_to_gdal():
    # A GeoJSON renamed .gpkg, a text renamed .kml.
    geojson = (DATA / "toulouse.geojson").read_bytes()

    with pytest.raises(inputs.UnreadableFile):
        inputs.read_file("zones.gpkg", geojson, max_bytes=MB)
    with pytest.raises(inputs.UnreadableFile):
        inputs.read_file("zones.kml", geojson, max_bytes=MB)


def test_shapefile_declared_lambert93_but_in_degrees_is_outside_france(tmp_path):
    # Given degrees written into a shapefile whose .prj says Lambert-93.
    wkb = np.array([shapely.to_wkb(TOULOUSE_BOX)], dtype=object)
    pyogrio.raw.write(
        tmp_path / "zones.shp",
        wkb,
        [],
        [],
        geometry_type="Polygon",
        crs="EPSG:2154",
        driver="ESRI Shapefile",
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for path in tmp_path.iterdir():
            writer.write(path, path.name)

    with pytest.raises(inputs.CoordinatesOutsideFrance):
        inputs.read_file("zones.zip", archive.getvalue(), max_bytes=MB)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"type": "Topology"}',
        '{"type": "Polygon", "coordinates": [[["a", "b"]]]}',
        '{"type": "FeatureCollection", "features": 3}',
        "[" * 100_000,
    ],
)
def test_malformed_geojson_is_a_geometry_error(text):
    with pytest.raises(geometry.GeometryError):
        inputs.read_file("zones.geojson", text.encode(), max_bytes=MB)


def test_empty_feature_collection_has_no_polygon():
    with pytest.raises(inputs.NoPolygon) as refused:
        inputs.read_drawn({"type": "FeatureCollection", "features": []})

    assert refused.value.found == ()


def test_mac_resource_forks_in_an_archive_are_ignored():
    # Archives made on a Mac add __MACOSX/._zones.shp, which is not a shapefile.
    original = zipfile.ZipFile(DATA / "toulouse-lambert93.zip")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("__MACOSX/zones/._zones.shp", b"resource fork")
        for info in original.infolist():
            writer.writestr(info.filename, original.read(info))

    shape = inputs.read_file("zones.zip", archive.getvalue(), max_bytes=MB)

    assert_is_toulouse_box(shape.geometry, tolerance=1e-7)
    assert shape.notes == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.geojson", "geojson"),
        ("a.json", "geojson"),
        ("a.ZIP", "shapefile"),
        ("a.gpkg", "gpkg"),
        ("a.kml", "kml"),
    ],
)
def test_file_format_by_extension(name, expected):
    assert inputs.file_format(name) == expected
