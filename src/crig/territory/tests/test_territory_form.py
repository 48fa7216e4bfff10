"""TerritoryInputForm: the territory picker's form."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from crig.territory.forms import TerritoryInputForm
from crig.territory.selection import TerritorySelection

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "territory-inputs"
NOTHING = (
    "Indiquez un territoire : choisissez des communes, des EPCI ou des "
    "départements, dessinez un polygone sur la carte ou envoyez un fichier."
)


def geojson_file(name="toulouse.geojson"):
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def test_codes_separated_by_commas_give_a_selection(territory):
    form = TerritoryInputForm(
        {"t-communes": "31555, 34172", "t-departements": "09"}, prefix="t"
    )

    assert form.is_valid(), form.errors
    selection = form.cleaned_data["selection"]
    assert isinstance(selection, TerritorySelection)
    assert selection.description == "Ariège (département), 2 communes"
    assert selection.communes["31555"] == selection.communes["34172"] == 1.0


def test_uploaded_file_gives_a_selection_with_its_notes(territory):
    form = TerritoryInputForm(
        {}, {"upload": geojson_file("toulouse-lambert93.gpkg")}, required=True
    )

    assert form.is_valid(), form.errors
    selection = form.cleaned_data["selection"]
    assert selection.description == "Fichier toulouse-lambert93.gpkg"
    assert selection.notes == [
        "Seule la première couche de polygones de toulouse-lambert93.gpkg a été "
        "lue ; laissée de côté : reperes."
    ]


def test_nothing_given_when_required_is_a_form_error(territory):
    form = TerritoryInputForm({})

    assert not form.is_valid()
    assert form.non_field_errors() == [NOTHING]


def test_nothing_given_when_optional_is_no_selection(territory):
    form = TerritoryInputForm({"drawn": "   "}, required=False)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["selection"] is None


def test_optional_form_still_checks_what_is_given(territory):
    form = TerritoryInputForm({"communes": "99999"}, required=False)

    assert not form.is_valid()
    assert form.errors == {"communes": ["Codes de commune inconnus : 99999."]}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"epcis": "200000000"}, "epcis", "Numéros SIREN d'EPCI inconnus : 200000000."),
        ({"departements": "75"}, "departements", "Codes de département inconnus : 75."),
        (
            {"drawn": '{"type": "Point", "coordinates": [1.44, 43.6]}'},
            "drawn",
            "Dessinez un polygone ou un rectangle : un territoire a besoin d'une "
            "surface.",
        ),
    ],
)
def test_errors_go_to_their_field(territory, data, field, message):
    form = TerritoryInputForm(data)

    assert not form.is_valid()
    assert form.errors == {field: [message]}


def test_upload_error_goes_to_the_upload_field(territory):
    form = TerritoryInputForm({}, {"upload": geojson_file("toulouse-no-prj.zip")})

    assert not form.is_valid()
    assert form.errors == {
        "upload": [
            "Le shapefile de toulouse-no-prj.zip n'a pas de fichier .prj : son "
            "système de coordonnées est donc inconnu. Ajoutez le fichier .prj à "
            "l'archive."
        ]
    }


class UnreadableUpload(SimpleUploadedFile):
    def read(self, *args, **kwargs):
        raise AssertionError("An oversized upload must not be read.")


def test_oversized_upload_is_refused_before_reading(territory, settings):
    settings.TERRITORY_UPLOAD_MAX_BYTES = 100
    upload = UnreadableUpload("zones.geojson", b"x" * 101)

    form = TerritoryInputForm({"communes": "31555"}, {"upload": upload})

    assert not form.is_valid()
    assert form.errors == {
        "upload": [
            "Le fichier zones.geojson pèse 101\xa0octets ; "
            "la limite est de 100\xa0octets."
        ]
    }


def test_upload_help_gives_the_formats_and_the_limit(settings):
    settings.TERRITORY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024

    form = TerritoryInputForm()

    assert form.fields["upload"].help_text == (
        "GeoJSON, shapefile zippé (.shp, .shx, .dbf et .prj), GeoPackage ou KML ; "
        "jusqu'à 5,0\xa0Mio."
    )
    assert form["upload"].field.widget.attrs["accept"] == (
        ".geojson,.json,.zip,.gpkg,.kml"
    )


def test_bound_form_keeps_the_picks_with_their_names(territory):
    form = TerritoryInputForm(
        {
            "t-communes": "31555,99999",
            "t-epcis": "243100518",
            "t-departements": "2a, 31",
        },
        prefix="t",
    )

    assert form.picked() == [
        {"kind": "communes", "code": "31555", "name": "Toulouse"},
        {"kind": "communes", "code": "99999", "name": "99999"},
        {"kind": "epcis", "code": "243100518", "name": "Toulouse Métropole"},
        {"kind": "departements", "code": "2a", "name": "2a"},
        {"kind": "departements", "code": "31", "name": "Haute-Garonne"},
    ]


def test_picker_renders_the_error_and_what_was_given(territory):
    drawn = '{"type": "Polygon", "coordinates": [[[1.42, 43.59], [1.46, 43.59], [1.46, 43.62], [1.42, 43.59]]]}'  # noqa: E501
    form = TerritoryInputForm(
        {"t-communes": "31555,99999", "t-drawn": drawn}, prefix="t"
    )
    assert not form.is_valid()

    html = render_to_string("territory/_territory_picker.html", {"form": form})

    assert "Codes de commune inconnus : 99999." in html
    assert 'name="t-communes" value="31555,99999"' in html
    assert "[1.42, 43.59]" in html  # the drawn polygon, to draw again
    config = html.split('<script id="t-picker-config" type="application/json">')[1]
    config = json.loads(config.split("</script>")[0])
    assert config["picked"][0] == {
        "kind": "communes",
        "code": "31555",
        "name": "Toulouse",
    }
    assert config["urls"]["communes"] == "/api/v1/communes"
    assert config["urls"]["epci"] == "/api/v1/epci/CODE"
    assert config["labels"]["remove"] == "Retirer %(name)s"


def test_unbound_form_with_initial_codes_shows_them(territory):
    form = TerritoryInputForm(initial={"communes": "31555"})

    assert form.picked() == [{"kind": "communes", "code": "31555", "name": "Toulouse"}]
