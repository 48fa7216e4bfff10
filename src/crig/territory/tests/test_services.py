"""Loading the territory: counts, dissolved outlines, idempotence, bad files."""

import json
from functools import lru_cache

import numpy as np
import pyogrio
import pytest
import shapely

from crig.territory import geometry
from crig.territory.models import EPCI, Commune, Departement, Region
from crig.territory.services import (
    SourceIncomplete,
    SourceInvalid,
    SourceUnreadable,
    territory_load,
)
from crig.territory.sources import bundled_outline_paths

pytestmark = pytest.mark.django_db


@lru_cache(maxsize=1)
def bundled_features() -> tuple[list[str], np.ndarray]:
    """INSEE codes and WGS84 shapely outlines of all bundled 2018 features."""
    codes, outlines = [], []
    for path in bundled_outline_paths():
        meta, _fids, wkb, fields = pyogrio.raw.read(path)
        codes.extend(fields[list(meta["fields"]).index("code")])
        outlines.extend(shapely.from_wkb(wkb))
    return codes, np.array(outlines, dtype=object)


def write_layer(path, codes, outlines, *, crs="EPSG:4326", field="INSEE_COM"):
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile"}.get(path.suffix, "GeoJSON")
    multi = [
        outline
        if outline.geom_type == "MultiPolygon"
        else shapely.MultiPolygon([outline])
        for outline in outlines
    ]
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.array(multi, dtype=object)),
        field_data=[np.array(codes, dtype=object)],
        fields=[field],
        driver=driver,
        geometry_type="MultiPolygon",
        crs=crs,
        layer="commune" if driver == "GPKG" else None,
    )
    return path


def territory_state() -> dict:
    return {
        "regions": Region.objects.count(),
        "departements": Departement.objects.count(),
        "epci": EPCI.objects.count(),
        "communes": Commune.objects.count(),
        "toulouse": Commune.objects.values_list("name", "outline").get(insee="31555"),
        "last_update": max(Commune.objects.values_list("updated_at", flat=True)),
    }


def test_bundled_load_counts(territory):
    assert Region.objects.get().name == "Occitanie"
    assert Departement.objects.count() == 13
    assert EPCI.objects.count() == 164
    assert Commune.objects.count() == 4453
    assert EPCI.objects.exclude(outside_member_codes="").count() == 6
    for model in (Region, Departement, EPCI, Commune):
        assert not model.objects.filter(outline="").exists()
        assert not model.objects.filter(min_lon=None).exists()
        assert not model.objects.filter(area_km2=None).exists()


def test_every_commune_has_a_departement_and_an_epci(territory):
    assert not Commune.objects.filter(epci=None).exists()
    assert sum(Commune.objects.values_list("population", flat=True)) == 6_022_176
    assert Region.objects.get().population == 6_022_176


def test_toulouse(toulouse):
    assert toulouse.name == "Toulouse"
    assert toulouse.departement_id == "31"
    assert toulouse.epci_id == "243100518"
    assert toulouse.postcode_list == [
        "31000",
        "31100",
        "31200",
        "31300",
        "31400",
        "31500",
    ]
    # Official area 118.3 km²; the simplified outline is within 1 %.
    assert toulouse.area_km2 == pytest.approx(118.3, rel=0.01)
    label = shapely.Point(toulouse.label_lon, toulouse.label_lat)
    assert shapely.from_geojson(toulouse.outline).contains(label)


def test_outlines_are_rfc7946_wgs84_rounded(toulouse):
    outline = json.loads(toulouse.outline)

    ring = outline["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw
    assert all(round(value, 6) == value for position in ring for value in position)
    assert toulouse.bbox == tuple(
        np.round(shapely.from_geojson(toulouse.outline).bounds, 6)
    )


@pytest.mark.parametrize(
    ("insee", "former_codes_2018"),
    [
        ("30052", ["30052", "30157"]),  # Bréau-Mars: 30157 only in anciensCodes.
        ("30339", ["30339", "30190"]),  # Val-d'Aigoual: 30190 likewise.
    ],
)
def test_merged_commune_is_the_union_of_its_2018_parts(
    territory, insee, former_codes_2018
):
    codes, outlines = bundled_features()
    parts = [outlines[codes.index(code)] for code in former_codes_2018]
    own_area = float(geometry.area_km2(parts[0]))

    commune = Commune.objects.get(insee=insee)

    expected = geometry.area_km2(shapely.union_all(parts))
    assert commune.area_km2 == pytest.approx(expected, rel=1e-4)
    assert commune.area_km2 > own_area * 1.05
    assert former_codes_2018[1] in commune.former_code_list


def test_delegated_communes_are_dissolved_into_their_successor(territory):
    codes, _outlines = bundled_features()
    current = set(Commune.objects.values_list("insee", flat=True))

    merged = sorted(set(codes) - current)

    assert len(merged) == 32
    # The region's area is the sum of its communes: nothing lost, nothing doubled.
    total = sum(Commune.objects.values_list("area_km2", flat=True))
    assert total == pytest.approx(Region.objects.get().area_km2, rel=1e-4)


def test_departement_is_the_union_of_its_communes(haute_garonne):
    total = sum(haute_garonne.communes.values_list("area_km2", flat=True))

    assert haute_garonne.area_km2 == pytest.approx(total, rel=1e-4)
    # Official area of Haute-Garonne: 6 309 km².
    assert haute_garonne.area_km2 == pytest.approx(6309, rel=0.01)


def test_straddling_epci_keeps_its_occitanie_members_only(territory):
    epci = EPCI.objects.get(siren="200035129")

    assert epci.outside_member_list == ["07294"]
    members = Commune.objects.filter(epci=epci)
    assert members.count() >= 1
    assert epci.area_km2 == pytest.approx(
        sum(members.values_list("area_km2", flat=True)), rel=1e-4
    )


def test_second_load_changes_nothing(territory):
    before = territory_state()

    report = territory_load()

    assert not report.changed
    assert [
        (len(kind.created), len(kind.updated), len(kind.removed), kind.unchanged)
        for _label, kind in report.kinds()
    ] == [(0, 0, 0, 1), (0, 0, 0, 13), (0, 0, 0, 164), (0, 0, 0, 4453)]
    assert territory_state() == before


def test_load_repairs_edits_and_removes_extra_units(territory):
    Commune.objects.filter(insee="31555").update(name="Tolosa", population=1)
    Commune.objects.create(
        insee="31999", name="Nowhere", search_name="nowhere", departement_id="31"
    )

    report = territory_load()

    assert report.communes.updated == ["31555"]
    assert report.communes.removed == ["31999"]
    assert report.communes.created == []
    assert Commune.objects.get(insee="31555").name == "Toulouse"
    assert not Commune.objects.filter(insee="31999").exists()


def test_load_into_an_empty_database(territory):
    Commune.objects.all().delete()
    EPCI.objects.all().delete()
    Departement.objects.all().delete()
    Region.objects.all().delete()

    report = territory_load()

    assert len(report.communes.created) == 4453
    assert len(report.epci.created) == 164
    assert len(report.departements.created) == 13
    assert report.region.created == ["76"]


def test_geopackage_with_the_same_outlines_changes_nothing(territory, tmp_path):
    codes, outlines = bundled_features()
    path = write_layer(tmp_path / "admin-express.gpkg", codes, outlines)

    report = territory_load([path])

    assert not report.changed
    assert report.sources == [str(path)]


def test_shapefile_in_lambert93_is_reprojected(territory, tmp_path):
    codes, outlines = bundled_features()
    lambert93 = geometry.to_lambert93(outlines)
    path = write_layer(tmp_path / "COMMUNE.shp", codes, lambert93, crs="EPSG:2154")
    toulouse_before = Commune.objects.get(insee="31555").area_km2

    territory_load([path])

    assert Commune.objects.count() == 4453
    assert Commune.objects.get(insee="31555").area_km2 == pytest.approx(
        toulouse_before, rel=1e-6
    )


def test_numeric_code_field_keeps_leading_zeros(territory, tmp_path):
    codes, outlines = bundled_features()
    path = tmp_path / "numeric.gpkg"
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(outlines),
        field_data=[np.array([int(code) for code in codes], dtype=np.int64)],
        fields=["insee_com"],
        driver="GPKG",
        geometry_type="Unknown",
        crs="EPSG:4326",
    )

    report = territory_load([path])

    assert not report.changed


def assert_load_fails(paths, error, match):
    before = territory_state()
    with pytest.raises(error, match=match):
        territory_load(paths)
    assert territory_state() == before


def test_truncated_geojson(territory, tmp_path):
    Commune.objects.filter(insee="31555").update(name="Tolosa")
    source = bundled_outline_paths()[0].read_bytes()
    path = tmp_path / "truncated.geojson"
    path.write_bytes(source[: len(source) // 2])

    assert_load_fails([path], SourceUnreadable, "truncated.geojson")
    assert Commune.objects.get(insee="31555").name == "Tolosa"


def test_not_a_geodata_file(territory, tmp_path):
    path = tmp_path / "communes.gpkg"
    path.write_bytes(b"this is not a GeoPackage")

    assert_load_fails([path], SourceUnreadable, "communes.gpkg")


def test_missing_file(territory, tmp_path):
    assert_load_fails([tmp_path / "absent.shp"], SourceUnreadable, "absent.shp")


def test_layer_without_code_field(territory, tmp_path):
    codes, outlines = bundled_features()
    path = write_layer(tmp_path / "noms.geojson", codes, outlines, field="nom")

    assert_load_fails([path], SourceInvalid, "INSEE_COM")


def test_layer_without_commune_of_the_region(territory, tmp_path):
    path = write_layer(
        tmp_path / "paris.geojson", ["75056"], [shapely.box(2.25, 48.81, 2.42, 48.9)]
    )

    assert_load_fails([path], SourceInvalid, "Occitanie")


def test_layer_missing_one_commune(territory, tmp_path):
    Commune.objects.filter(insee="31555").update(name="Tolosa")
    codes, outlines = bundled_features()
    keep = [index for index, code in enumerate(codes) if code != "31555"]
    path = write_layer(
        tmp_path / "incomplete.gpkg", [codes[i] for i in keep], outlines[keep]
    )

    assert_load_fails([path], SourceIncomplete, "31555")
    assert Commune.objects.get(insee="31555").name == "Tolosa"


def test_layer_with_only_a_few_communes(territory, tmp_path):
    codes, outlines = bundled_features()
    path = write_layer(tmp_path / "few.gpkg", codes[:5], outlines[:5])

    assert_load_fails([path], SourceIncomplete, "4448")


def test_lambert93_coordinates_declared_as_wgs84(territory, tmp_path):
    codes, outlines = bundled_features()
    path = write_layer(
        tmp_path / "wrong-crs.shp", codes, geometry.to_lambert93(outlines)
    )

    assert_load_fails([path], SourceInvalid, "EPSG:4326")


def test_same_commune_in_two_files(territory, tmp_path):
    codes, outlines = bundled_features()
    first = write_layer(tmp_path / "a.gpkg", codes, outlines)
    second = write_layer(tmp_path / "b.gpkg", codes[:1], outlines[:1])

    assert_load_fails([first, second], SourceInvalid, codes[0])


def test_progress_is_reported(territory):
    stages = []

    territory_load(progress=lambda stage, done, total: stages.append((done, total)))

    total = len(bundled_outline_paths()) + 4
    assert stages == [(done, total) for done in range(1, total + 1)]
