"""territory_selection: picked units, drawn and uploaded shapes, against the real
territory of Occitanie (loaded once per test session)."""

import json
from pathlib import Path

import pytest
import shapely

from crig.core.errors import InvalidInput
from crig.territory import geometry
from crig.territory.models import Commune, Region
from crig.territory.selection import (
    UploadedTerritory,
    territory_selection,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "territory-inputs"
TOULOUSE_BOX = shapely.box(1.42, 43.59, 1.46, 43.62)  # wholly inside Toulouse


def upload(name, data=None):
    return UploadedTerritory(name, (DATA / name).read_bytes() if data is None else data)


def drawn_feature_collection(*shapes):
    # What the picker's Leaflet.draw layer sends.
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": shapely.geometry.mapping(shape),
                }
                for shape in shapes
            ],
        }
    )


def outline_of(selection):
    return shapely.geometry.shape(selection.outline)


# --- Picked units ---------------------------------------------------------------------


def test_one_commune_by_code(toulouse):
    selection = territory_selection(communes=["31555"])

    assert selection.communes == {"31555": 1.0}
    assert selection.population == toulouse.population
    assert selection.area_km2 == pytest.approx(toulouse.area_km2, rel=1e-6)
    assert selection.bbox == toulouse.bbox
    assert selection.description == "Toulouse"
    assert selection.notes == []


def test_codes_are_trimmed_and_deduplicated(toulouse, montpellier):
    selection = territory_selection(communes=[" 31555", "34172 ", "31555", ""])

    assert selection.communes == {"31555": 1.0, "34172": 1.0}
    assert selection.population == toulouse.population + montpellier.population
    assert selection.description == "2 communes"


def test_an_epci_gives_its_member_communes(toulouse_metropole):
    members = Commune.objects.filter(epci=toulouse_metropole)

    selection = territory_selection(epcis=["243100518"])

    assert selection.communes == {commune.insee: 1.0 for commune in members}
    assert len(selection.communes) == 37
    assert selection.population == sum(commune.population for commune in members)
    assert selection.area_km2 == pytest.approx(toulouse_metropole.area_km2, rel=1e-6)
    assert selection.description == "Toulouse Métropole (EPCI)"


def test_a_departement_gives_its_communes(haute_garonne):
    selection = territory_selection(departements=["31"])

    assert len(selection.communes) == 586
    assert set(selection.communes.values()) == {1.0}
    assert selection.population == sum(
        Commune.objects.filter(departement=haute_garonne).values_list(
            "population", flat=True
        )
    )
    assert selection.area_km2 == pytest.approx(haute_garonne.area_km2, rel=1e-6)
    assert selection.description == "Haute-Garonne (département)"


def test_more_than_three_departements_are_counted():
    selection = territory_selection(departements=["09", "11", "31", "66"])

    assert selection.description == "4 départements"


def test_outline_is_rfc7946_geojson_at_the_stored_precision():
    selection = territory_selection(communes=["31555", "31069"])
    outline = outline_of(selection)

    assert selection.outline["type"] == "Polygon"  # Toulouse and Blagnac touch
    assert outline.is_valid
    # Exterior rings counter-clockwise (RFC 7946).
    assert shapely.is_ccw(outline.exterior)
    coordinates = shapely.get_coordinates(outline)
    assert (coordinates.round(6) == coordinates).all()


def test_unknown_codes_are_refused_all_named():
    with pytest.raises(InvalidInput) as refused:
        territory_selection(
            communes=["31555", "99999"], epcis=["123456789"], departements=["75"]
        )

    assert refused.value.message == (
        "Codes de commune inconnus : 99999. "
        "Numéros SIREN d'EPCI inconnus : 123456789. "
        "Codes de département inconnus : 75."
    )
    assert refused.value.field == "communes"


def test_unknown_epci_names_the_epci_field():
    with pytest.raises(InvalidInput) as refused:
        territory_selection(epcis=["200000000"])

    assert refused.value.message == "Numéros SIREN d'EPCI inconnus : 200000000."
    assert refused.value.field == "epcis"


@pytest.mark.parametrize(
    "nothing",
    [
        {},
        {"communes": ["", " "]},
        {"drawn": ""},
        {"drawn": '{"type": "FeatureCollection", "features": []}'},
    ],
)
def test_nothing_given_is_refused(nothing):
    with pytest.raises(InvalidInput) as refused:
        territory_selection(**nothing)

    assert refused.value.message == (
        "Indiquez un territoire : choisissez des communes, des EPCI ou des "
        "départements, dessinez un polygone sur la carte ou envoyez un fichier."
    )
    assert refused.value.field is None


# --- Drawn shapes ---------------------------------------------------------------------


def test_drawn_box_inside_toulouse_gives_its_share(toulouse):
    selection = territory_selection(drawn=drawn_feature_collection(TOULOUSE_BOX))

    area = geometry.area_km2(TOULOUSE_BOX)
    assert selection.communes == {"31555": round(area / toulouse.area_km2, 6)}
    assert selection.communes["31555"] == pytest.approx(0.091153, abs=1e-6)
    assert selection.area_km2 == pytest.approx(area, rel=1e-6)
    assert selection.population == round(
        toulouse.population * selection.communes["31555"]
    )
    assert selection.bbox == (1.42, 43.59, 1.46, 43.62)
    assert selection.description == "Polygone dessiné"
    assert selection.notes == []


def test_polygon_traced_along_toulouse_keeps_toulouse_drops_the_slivers(toulouse):
    # Toulouse's outline as a person would trace it: about 150 m off the border,
    # nibbling 0.1 to 2.3 % of each of 12 neighbours.
    traced = shapely.simplify(shapely.from_geojson(toulouse.outline), 0.002)

    selection = territory_selection(drawn=shapely.geometry.mapping(traced))

    assert selection.communes == {"31555": pytest.approx(0.98937, abs=1e-5)}


def test_roughly_drawn_polygon_keeps_the_neighbours_it_really_covers(toulouse):
    # Drawn about 400 m off the border: neighbours covered by 5 % of their area or
    # more stay, with their share.
    rough = shapely.simplify(shapely.from_geojson(toulouse.outline), 0.005)

    selection = territory_selection(drawn=shapely.geometry.mapping(rough))

    assert selection.communes == {
        "31555": pytest.approx(0.975369, abs=1e-5),
        "31575": pytest.approx(0.076285, abs=1e-5),  # Vieille-Toulouse
        "31282": pytest.approx(0.060901, abs=1e-5),  # Launaguet
        "31411": pytest.approx(0.057963, abs=1e-5),  # Pechbusque
    }


def test_small_zone_straddling_two_communes_keeps_both():
    # 0.3 km² across the Toulouse–Blagnac border: a sliver of each commune's area,
    # but each holds a large share of the zone.
    toulouse = shapely.from_geojson(Commune.objects.get(insee="31555").outline)
    blagnac = shapely.from_geojson(Commune.objects.get(insee="31069").outline)
    border = shapely.intersection(toulouse.boundary, blagnac.boundary)
    centre = shapely.line_interpolate_point(
        shapely.line_merge(border), 0.5, normalized=True
    )
    zone = shapely.buffer(centre, 0.003, quad_segs=8)

    selection = territory_selection(drawn=shapely.geometry.mapping(zone))

    assert set(selection.communes) == {"31555", "31069"}
    assert max(selection.communes.values()) < 0.05


def test_drawn_bow_tie_is_repaired_and_the_person_told():
    bow_tie = json.loads((DATA / "bowtie.geojson").read_text())

    selection = territory_selection(drawn=bow_tie)

    assert outline_of(selection).is_valid
    assert selection.area_km2 == pytest.approx(
        geometry.area_km2(TOULOUSE_BOX) / 2, rel=1e-3
    )
    assert selection.notes == [
        "Le polygone dessiné se recoupait ; il a été corrigé (ses boucles sont "
        "devenues des polygones distincts) : vérifiez-le sur la carte."
    ]


def test_drawn_polygon_partly_in_the_sea_is_clipped_with_a_note():
    coast = json.loads((DATA / "partly-outside.geojson").read_text())

    selection = territory_selection(drawn=coast)

    region = shapely.from_geojson(Region.objects.get().outline)
    outline = outline_of(selection)
    assert shapely.area(shapely.difference(outline, region)) < 1e-9
    assert selection.notes == [
        "La partie du polygone dessiné hors de la région Occitanie (42 % de sa "
        "surface) a été laissée de côté."
    ]
    assert "34172" in selection.communes  # Montpellier


def test_drawn_polygon_wholly_outside_the_region_is_refused():
    brittany = json.loads((DATA / "brittany.geojson").read_text())

    with pytest.raises(InvalidInput) as refused:
        territory_selection(drawn=brittany)

    assert refused.value.message == (
        "Le polygone dessiné est entièrement hors de la région Occitanie."
    )
    assert refused.value.field == "drawn"


@pytest.mark.parametrize(
    ("drawn", "message"),
    [
        (
            "{not json",
            "Le polygone dessiné n'a pas pu être lu ; dessinez-le à nouveau.",
        ),
        (
            '{"type": "Point", "coordinates": [1.44, 43.6]}',
            "Dessinez un polygone ou un rectangle : un territoire a besoin d'une "
            "surface.",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[574000, 6279000], [575000, '
            "6279000], [575000, 6280000], [574000, 6279000]]]}",
            "Le polygone dessiné n'a pas pu être lu ; dessinez-le à nouveau.",
        ),
    ],
)
def test_unusable_drawings_are_refused(drawn, message):
    with pytest.raises(InvalidInput) as refused:
        territory_selection(drawn=drawn)

    assert refused.value.message == message
    assert refused.value.field == "drawn"


# --- Uploaded files -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "toulouse.geojson",
        "toulouse-lambert93.zip",
        "toulouse-lambert93.gpkg",
        "toulouse.kml",
        "lambert93-crs.geojson",
    ],
)
def test_uploaded_file_in_each_format(name, toulouse):
    selection = territory_selection(upload=upload(name))

    assert selection.communes == {"31555": pytest.approx(0.091153, abs=1e-6)}
    assert selection.area_km2 == pytest.approx(
        geometry.area_km2(TOULOUSE_BOX), rel=1e-5
    )
    assert selection.description == f"Fichier {name}"


def test_upload_notes_are_in_french():
    assert territory_selection(upload=upload("toulouse-lambert93.gpkg")).notes == [
        "Seule la première couche de polygones de toulouse-lambert93.gpkg a été "
        "lue ; laissée de côté : reperes."
    ]
    assert territory_selection(upload=upload("toulouse.kml")).notes == [
        "1 point ou ligne du fichier toulouse.kml a été laissé de côté : seuls "
        "les polygones forment un territoire."
    ]
    assert territory_selection(upload=upload("bowtie.geojson")).notes == [
        "1 polygone du fichier bowtie.geojson se recoupait ; il a été corrigé : "
        "vérifiez-le sur la carte."
    ]


def test_uploaded_file_partly_outside_is_clipped_with_a_note():
    selection = territory_selection(upload=upload("partly-outside.geojson"))

    assert selection.notes == [
        "La partie du fichier partly-outside.geojson hors de la région Occitanie "
        "(42 % de sa surface) a été laissée de côté."
    ]
    assert selection.area_km2 == pytest.approx(
        geometry.area_km2(shapely.box(3.80, 43.42, 3.95, 43.60)) * 0.58, rel=0.01
    )


def test_uploaded_file_wholly_outside_is_refused():
    with pytest.raises(InvalidInput) as refused:
        territory_selection(upload=upload("brittany.geojson"))

    assert refused.value.message == (
        "Le territoire du fichier brittany.geojson est entièrement hors de la "
        "région Occitanie."
    )
    assert refused.value.field == "upload"


def test_oversized_file_is_refused(settings):
    settings.TERRITORY_UPLOAD_MAX_BYTES = 100

    with pytest.raises(InvalidInput) as refused:
        territory_selection(upload=upload("toulouse.geojson"))

    assert refused.value.message == (
        "Le fichier toulouse.geojson pèse 425\xa0octets ; "
        "la limite est de 100\xa0octets."
    )
    assert refused.value.field == "upload"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.geojson", "Le fichier empty.geojson est vide."),
        (
            "toulouse-no-prj.zip",
            "Le shapefile de toulouse-no-prj.zip n'a pas de fichier .prj : son "
            "système de coordonnées est donc inconnu. Ajoutez le fichier .prj à "
            "l'archive.",
        ),
        (
            "toulouse-no-crs.gpkg",
            "Le fichier toulouse-no-crs.gpkg ne déclare pas son système de "
            "coordonnées : exportez-le à nouveau avec l'un d'eux (Lambert-93, "
            "EPSG:2154, ou WGS84, EPSG:4326).",
        ),
        (
            "unknown-crs.geojson",
            "Le système de coordonnées du fichier unknown-crs.geojson est inconnu : "
            "exportez-le à nouveau en Lambert-93 (EPSG:2154) ou en WGS84 "
            "(EPSG:4326).",
        ),
        (
            "lambert93-no-crs.geojson",
            "Les coordonnées du fichier lambert93-no-crs.geojson ne sont pas des "
            "longitudes et des latitudes : un fichier GeoJSON ou KML est en WGS84 "
            "(EPSG:4326), et le .prj d'un shapefile doit correspondre à ses "
            "coordonnées.",
        ),
        (
            "broken.zip",
            "Le fichier broken.zip n'a pas pu être lu : il est peut-être abîmé, ou "
            "n'est pas du format qu'annonce son extension.",
        ),
        (
            "no-shapefile.zip",
            "L'archive no-shapefile.zip ne contient pas de shapefile (fichier .shp).",
        ),
        (
            "declared-huge.zip",
            "L'archive declared-huge.zip se décompresserait en 3,7\xa0Gio, au-delà de "
            "la limite de 50,0\xa0Mio ; elle n'a pas été ouverte.",
        ),
        (
            "points.geojson",
            "Le fichier points.geojson ne contient aucun polygone, seulement des "
            "points : un territoire a besoin d'une surface.",
        ),
        (
            "lines.kml",
            "Le fichier lines.kml ne contient aucun polygone, seulement des lignes : "
            "un territoire a besoin d'une surface.",
        ),
        (
            "external-entity.kml",
            "Le fichier KML external-entity.kml a été refusé : il déclare une DTD ou "
            "des entités XML, dont un fichier KML n'a jamais besoin.",
        ),
    ],
)
def test_bad_files_are_refused_in_french(name, message):
    with pytest.raises(InvalidInput) as refused:
        territory_selection(upload=upload(name))

    assert refused.value.message == message
    assert refused.value.field == "upload"


def test_unknown_format_is_refused():
    with pytest.raises(InvalidInput) as refused:
        territory_selection(upload=upload("zones.dxf", b"0\nSECTION\n"))

    assert refused.value.message == (
        "Le format du fichier zones.dxf n'est pas pris en charge : envoyez un "
        "GeoJSON (.geojson, .json), un shapefile zippé (.zip), un GeoPackage "
        "(.gpkg) ou un fichier KML (.kml)."
    )


def test_shapefile_missing_its_dbf_names_it():
    import io
    import zipfile

    original = zipfile.ZipFile(DATA / "toulouse-lambert93.zip")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for info in original.infolist():
            if not info.filename.endswith(".dbf"):
                writer.writestr(info.filename, original.read(info))

    with pytest.raises(InvalidInput) as refused:
        territory_selection(upload=upload("zones.zip", archive.getvalue()))

    assert refused.value.message == (
        "Le shapefile de zones.zip est incomplet : il manque son fichier .dbf."
    )


def test_path_in_the_file_name_is_not_repeated():
    selection = territory_selection(
        upload=upload(
            "C:\\Users\\léa\\toulouse.geojson", (DATA / "toulouse.geojson").read_bytes()
        )
    )

    assert selection.description == "Fichier toulouse.geojson"


# --- Everything together ---------------------------------------------------------


def test_union_of_every_kind_of_input(toulouse_metropole, montpellier):
    # Given Toulouse Métropole, Montpellier, a box drawn across Montpellier's
    # eastern border and the file of a box inside Toulouse.
    drawn = shapely.box(3.90, 43.58, 3.96, 43.62)
    members = set(
        Commune.objects.filter(epci=toulouse_metropole).values_list("insee", flat=True)
    )

    selection = territory_selection(
        epcis=["243100518"],
        communes=["34172"],
        drawn=drawn_feature_collection(drawn),
        upload=upload("toulouse-lambert93.gpkg"),
    )

    assert selection.description == (
        "Toulouse Métropole (EPCI), Montpellier, polygone dessiné, fichier "
        "toulouse-lambert93.gpkg"
    )
    # Picked whole wins over a partial share (Toulouse, Montpellier).
    assert {code: selection.communes[code] for code in members} == dict.fromkeys(
        members, 1.0
    )
    assert selection.communes["34172"] == 1.0
    drawn_only = set(selection.communes) - members - {"34172"}
    assert drawn_only
    assert all(0 < selection.communes[code] < 1 for code in drawn_only)
    expected_outline = shapely.union_all(
        [
            shapely.from_geojson(toulouse_metropole.outline),
            shapely.from_geojson(Commune.objects.get(insee="34172").outline),
            drawn,
        ]
    )
    assert selection.area_km2 == pytest.approx(
        geometry.area_km2(expected_outline), rel=1e-5
    )
    assert selection.notes == [
        "Seule la première couche de polygones de toulouse-lambert93.gpkg a été "
        "lue ; laissée de côté : reperes."
    ]
    west, south, east, north = selection.bbox
    assert (west, south) == toulouse_metropole.bbox[:2]
    assert (east, north) == (3.96, toulouse_metropole.bbox[3])


def test_population_is_weighted_by_each_share(toulouse):
    selection = territory_selection(
        communes=["34172"], drawn=drawn_feature_collection(TOULOUSE_BOX)
    )

    montpellier = Commune.objects.get(insee="34172")
    assert selection.population == round(
        montpellier.population + toulouse.population * selection.communes["31555"]
    )
