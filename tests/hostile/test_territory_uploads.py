"""Hostile territory files through the forms that take a territory.

``TERRITORY_FILES`` is the corpus: each case builds its file in code
(``files.py``) and says whether it must be refused or may be read. Every case
goes through ``TerritoryInputForm`` (never an exception; a refusal is an error on
the upload field that names the file), then through every page with a territory
(needs, funding requests, news items, news subscriptions): no server error, the
form's error shown in French, and nothing saved. External entities, DTDs,
XIncludes and KML links point at a local server that must receive nothing.

The pure reader is tested in ``crig/territory/tests/test_inputs.py``; this is
the layer above it, where a file meets the pages and the database.
"""

import html
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from crig.territory.forms import TerritoryInputForm
from tests.hostile import files

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
#: The upload limit during these tests (``CRIG_TERRITORY_UPLOAD_MAX_MB``).
LIMIT = 2 * MB
REFUSED, READ = "refused", "read"
#: Where a path-traversal member would land if its name were used.
TRAVERSAL_TARGET = Path(tempfile.gettempdir()) / "crig-hostile-traversal"


@dataclass(frozen=True)
class TerritoryFile:
    id: str
    name: str
    build: Callable[[str], bytes]  # the listener's URL → the file's bytes
    outcome: str = REFUSED


def _case(id, name, build, outcome=REFUSED):
    return TerritoryFile(id, name, build, outcome)


L93_NUMBERS = "[[574000,6279000],[578000,6279000],[578000,6283000],[574000,6279000]]"
GOOD_RING = "[[1.42,43.59],[1.46,43.59],[1.46,43.62],[1.42,43.59]]"

TERRITORY_FILES = [
    # GeoJSON: empty, broken, invalid geometries, wrong coordinates.
    _case("empty", "zone.geojson", lambda url: b""),
    _case("blank", "zone.geojson", lambda url: b" \n\t "),
    _case("not-json", "zone.geojson", lambda url: b"{type: Polygon"),
    _case("json-array", "zone.geojson", lambda url: b"[1, 2, 3]"),
    _case("deep-nesting", "zone.geojson", lambda url: b"[" * 100_000 + b"]" * 100_000),
    _case(
        "deep-collections",
        "zone.geojson",
        lambda url: (
            b'{"type":"GeometryCollection","geometries":[' * 3000 + b"]}" * 3000
        ),
    ),
    _case(
        "nan",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[NaN,43.59],[1.46,43.62],[1.42,43.59]]"
        ),
    ),
    _case(
        "all-nan",
        "zone.geojson",
        lambda url: files.geojson_ring("[[NaN,NaN],[NaN,NaN],[NaN,NaN],[NaN,NaN]]"),
    ),
    _case(
        "infinity",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[Infinity,43.59],[1.46,43.62],[1.42,43.59]]"
        ),
    ),
    _case(
        "overflow",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[1e400,43.59],[1.46,43.62],[1.42,43.59]]"
        ),
    ),
    _case(
        "strings",
        "zone.geojson",
        lambda url: files.geojson_ring(
            '[["a","b"],[1.46,43.59],[1.46,43.62],["a","b"]]'
        ),
    ),
    _case(
        "two-points",
        "zone.geojson",
        lambda url: files.geojson_ring("[[1.42,43.59],[1.46,43.59]]"),
    ),
    _case("empty-polygon", "zone.geojson", lambda url: files.geojson_ring("")),
    _case(
        "zero-area",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[1.42,43.59],[1.42,43.59],[1.42,43.59]]"
        ),
    ),
    _case(
        "flat",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[1.43,43.59],[1.44,43.59],[1.42,43.59]]"
        ),
    ),
    _case(
        "unclosed-ring",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[1.46,43.59],[1.46,43.62],[1.42,43.62]]"
        ),
        READ,
    ),
    _case(
        "bow-tie",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[1.42,43.59],[1.46,43.62],[1.46,43.59],[1.42,43.62],[1.42,43.59]]"
        ),
        READ,
    ),
    _case("huge-polygon", "zone.geojson", lambda url: files.geojson_huge(60_000), READ),
    _case(
        "points-only",
        "zone.geojson",
        lambda url: files.geojson(shapely.Point(1.44, 43.6)),
    ),
    _case(
        "empty-collection",
        "zone.geojson",
        lambda url: b'{"type":"FeatureCollection","features":[]}',
    ),
    _case(
        "lambert93-as-wgs84",
        "zone.geojson",
        lambda url: files.geojson_ring(L93_NUMBERS),
    ),
    _case(
        "lambert93-declared-wgs84",
        "zone.geojson",
        lambda url: files.geojson_crs(files.TOULOUSE_L93, "EPSG:4326"),
    ),
    _case(
        "unknown-crs",
        "zone.geojson",
        lambda url: files.geojson_crs(files.TOULOUSE, "EPSG:999999"),
    ),
    _case(
        "crs-url",
        "zone.geojson",
        lambda url: files.geojson_crs(files.TOULOUSE, f"{url}/crs.json"),
    ),
    _case("outside-france", "zone.geojson", lambda url: files.geojson(files.NEW_YORK)),
    _case(
        "lat-lon-swapped",
        "zone.geojson",
        lambda url: files.geojson_ring(
            "[[43.59,1.42],[43.59,1.46],[43.62,1.46],[43.59,1.42]]"
        ),
    ),
    _case(
        "over-the-limit",
        "zone.geojson",
        lambda url: files.geojson(files.TOULOUSE) + b" " * LIMIT,
    ),
    # KML: XML bombs and external entities, then broken content.
    _case(
        "kml-billion-laughs",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.billion_laughs_doctype(), entity="&lol9;"
        ),
    ),
    _case(
        "kml-quadratic-blowup",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.quadratic_blowup_doctype(), entity="&a;" * 10_000
        ),
    ),
    _case(
        "kml-xxe-file",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.external_entity_doctype(f"file://{files.SECRET_FILE}"), entity="&xxe;"
        ),
    ),
    _case(
        "kml-xxe-http",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.external_entity_doctype(f"{url}/entity"), entity="&xxe;"
        ),
    ),
    _case(
        "kml-external-dtd",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.external_dtd_doctype(f"{url}/kml.dtd")
        ),
    ),
    _case(
        "kml-parameter-entity",
        "zone.kml",
        lambda url: files.kml_with_doctype(
            files.parameter_entity_doctype(f"{url}/parameter.dtd")
        ),
    ),
    _case(
        "kml-utf16-entity",
        "zone.kml",
        lambda url: (
            files.kml_with_doctype(
                files.external_entity_doctype(f"{url}/utf16"), entity="&xxe;"
            )
            .decode()
            .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
            .encode("utf-16")
        ),
    ),
    _case(
        "kml-xinclude",
        "zone.kml",
        lambda url: files.kml_xinclude(f"file://{files.SECRET_FILE}"),
    ),
    _case(
        "kml-network-link",
        "zone.kml",
        lambda url: files.kml_network_link(f"{url}/linked.kml"),
    ),
    _case("kml-not-xml", "zone.kml", lambda url: b"<kml><Placemark>"),
    _case("kml-wrong-root", "zone.kml", lambda url: b"<html><body/></html>"),
    _case(
        "kml-nan", "zone.kml", lambda url: files.kml("nan,nan nan,nan nan,nan nan,nan")
    ),
    _case(
        "kml-inf",
        "zone.kml",
        lambda url: files.kml("1.42,43.59 inf,43.59 1.46,43.62 1.42,43.59"),
    ),
    _case(
        "kml-outside-france",
        "zone.kml",
        lambda url: files.kml("-74,40.7 -73.9,40.7 -73.9,40.8 -74,40.7"),
    ),
    # Zip archives.
    _case(
        "zip-truncated",
        "zones.zip",
        lambda url: files.shapefile_zip()[: len(files.shapefile_zip()) // 2],
    ),
    _case("zip-wrong-crc", "zones.zip", lambda url: files.wrong_crc_zip()),
    _case("zip-bomb", "zones.zip", lambda url: files.zip_bomb(6 * LIMIT)),
    _case("zip-nested", "zones.zip", lambda url: files.nested_zip()),
    _case("zip-many-members", "zones.zip", lambda url: files.many_members_zip(600)),
    _case("zip-empty", "zones.zip", lambda url: files.zipped({})),
    _case(
        "zip-directory-named-shp",
        "zones.zip",
        lambda url: files.directory_named_shp_zip(),
    ),
    _case("zip-symlinks", "zones.zip", lambda url: files.symlink_zip()),
    _case("zip-encrypted", "zones.zip", lambda url: files.encrypted_flag_zip()),
    _case(
        "zip-unknown-compression",
        "zones.zip",
        lambda url: files.unsupported_compression_zip(),
    ),
    _case(
        "zip-path-traversal",
        "zones.zip",
        lambda url: files.traversal_zip(f"../../../..{TRAVERSAL_TARGET}"),
        READ,
    ),
    _case(
        "zip-absolute-path",
        "zones.zip",
        lambda url: files.traversal_zip(str(TRAVERSAL_TARGET)),
        READ,
    ),
    # Shapefiles.
    _case(
        "shp-missing-shx", "zones.zip", lambda url: files.shapefile_zip(drop=(".shx",))
    ),
    _case(
        "shp-missing-dbf", "zones.zip", lambda url: files.shapefile_zip(drop=(".dbf",))
    ),
    _case(
        "shp-missing-prj", "zones.zip", lambda url: files.shapefile_zip(drop=(".prj",))
    ),
    _case("shp-truncated", "zones.zip", lambda url: files.truncated_shp()),
    _case("shp-header-only", "zones.zip", lambda url: files.header_only_shp()),
    # GDAL reads the records whatever the header's length and shape type say,
    # and the .dbf is not read (no attribute is needed): the box is read.
    _case(
        "shp-lying-header", "zones.zip", lambda url: files.shp_with_lying_header(), READ
    ),
    _case(
        "shp-wrong-shape-type",
        "zones.zip",
        lambda url: files.shp_wrong_shape_type(),
        READ,
    ),
    _case(
        "shp-points",
        "zones.zip",
        lambda url: files.shapefile_zip([shapely.Point(1.44, 43.6)]),
    ),
    _case(
        "shp-garbage-prj",
        "zones.zip",
        lambda url: files.shapefile_zip(replace={".prj": b"\x00\xff not a CRS"}),
    ),
    _case(
        "shp-garbage-dbf",
        "zones.zip",
        lambda url: files.shapefile_zip(replace={".dbf": b"\x03" + b"\xff" * 64}),
        READ,
    ),
    _case(
        "shp-wgs84-with-lambert93-prj",
        "zones.zip",
        lambda url: files.shapefile_zip(
            replace={".prj": files.shapefile_parts(crs=files.LAMBERT93)[".prj"]}
        ),
    ),
    _case(
        "shp-lambert93-with-wgs84-prj",
        "zones.zip",
        lambda url: files.shapefile_zip(
            [files.TOULOUSE_L93], replace={".prj": files.shapefile_parts()[".prj"]}
        ),
    ),
    _case(
        "shp-lambert93-with-utm-prj",
        "zones.zip",
        lambda url: files.shapefile_zip(
            [files.TOULOUSE_L93],
            replace={".prj": files.shapefile_parts(crs=files.UTM31)[".prj"]},
        ),
    ),
    _case(
        "shp-outside-france",
        "zones.zip",
        lambda url: files.shapefile_zip([files.NEW_YORK]),
    ),
    # GeoPackages.
    _case("gpkg-plain-sqlite", "zones.gpkg", lambda url: files.plain_sqlite()),
    _case(
        "gpkg-truncated",
        "zones.gpkg",
        lambda url: files.geopackage()[: len(files.geopackage()) // 3],
    ),
    _case(
        "gpkg-points",
        "zones.gpkg",
        lambda url: files.geopackage([shapely.Point(1.44, 43.6)]),
    ),
    _case(
        "gpkg-lambert93-declared-wgs84",
        "zones.gpkg",
        lambda url: files.geopackage([files.TOULOUSE_L93], crs=files.WGS84),
    ),
    _case(
        "gpkg-outside-france",
        "zones.gpkg",
        lambda url: files.geopackage([files.NEW_YORK]),
    ),
    _case(
        "gpkg-hostile-layer-name",
        "zones.gpkg",
        lambda url: files.geopackage_with_layer_name('x"; DROP TABLE t; --'),
        READ,
    ),
    # Names and kinds.
    _case("wrong-extension", "zones.exe", lambda url: b"MZ\x90\x00"),
    _case(
        "geojson-named-gpkg", "zones.gpkg", lambda url: files.geojson(files.TOULOUSE)
    ),
    _case(
        "gdal-vrt-named-gpkg",
        "zones.gpkg",
        lambda url: (
            '<OGRVRTDataSource><OGRVRTLayer name="x">'
            f"<SrcDataSource>{files.SECRET_FILE}"
            "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
        ).encode(),
    ),
    _case(
        "traversal-in-the-name",
        "../../../etc/zone.geojson",
        lambda url: b"{type: Polygon",
    ),
]


def _ids(cases):
    return [case.id for case in cases]


@pytest.fixture(autouse=True)
def _upload_limit(settings):
    settings.TERRITORY_UPLOAD_MAX_BYTES = LIMIT


def test_corpus_ids_are_unique():
    assert len(set(_ids(TERRITORY_FILES))) == len(TERRITORY_FILES)


def _upload(case, listener) -> SimpleUploadedFile:
    return SimpleUploadedFile(case.name, case.build(listener.url))


def _form_error(case, listener, language: str) -> list[str]:
    with translation.override(language):
        form = TerritoryInputForm({}, {"upload": _upload(case, listener)})
        valid = form.is_valid()
        return [] if valid else [str(error) for error in form.errors.get("upload", [])]


@pytest.mark.parametrize("case", TERRITORY_FILES, ids=_ids(TERRITORY_FILES))
def test_territory_form_refuses_with_a_message_naming_the_file(
    case, territory, listener
):
    with translation.override("en"):
        form = TerritoryInputForm({}, {"upload": _upload(case, listener)})
        valid = form.is_valid()
        messages = [str(error) for error in form.errors.get("upload", [])]

    assert listener.requests == []
    assert not TRAVERSAL_TARGET.exists()
    if case.outcome == READ:
        assert valid, form.errors
        assert form.cleaned_data["selection"].communes
        return
    assert not valid
    assert list(form.errors) == ["upload"]
    (message,) = messages
    # The file's name, or Django's own "The submitted file is empty.".
    assert Path(case.name).name in message or "submitted file" in message, message
    assert files.SECRET_FILE not in message or case.id == "gdal-vrt-named-gpkg"
    assert "root:" not in message


# --- Through the pages --------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryPage:
    """A page whose form takes a territory: who posts, what, and what it saves."""

    url: Callable  # request → address
    person: str
    data: Callable  # request → the other fields, valid
    models: tuple[str, ...]


def _need_data(request):
    return {
        "organisation": request.getfixturevalue("organisation").pk,
        "title": "LIDAR HD de la Garonne toulousaine",
        "theme": "lidar",
        "description": "Un relevé LIDAR pour modéliser les crues de la Garonne.",
        "horizon": "2031-06-30",
    }


def _funding_data(request):
    from crig.funding.tests.test_views_requests import _entry

    data = _entry(request.getfixturevalue("signatory"))
    data["applicant"] = request.getfixturevalue("organisation").pk
    del data["territory-communes"]
    return data


def _news_data(request):
    request.getfixturevalue("signatory")
    return {
        "kind": "news",
        "title": "Nouvelle orthophotographie du Gers",
        "summary": "Disponible en téléchargement.",
        "body": "<p>Le Gers est couvert.</p>",
        "audience": "public",
        "themes": ["orthophotographie"],
        "links": "",
    }


def _subscription_data(request):
    return {
        "topics": ["news", "datasets"],
        "themes": ["pcrs"],
        "territory": "chosen",
        "frequency": "weekly",
        "active": "on",
    }


TERRITORY_PAGES = {
    "needs:create": TerritoryPage(
        lambda request: reverse("needs:create"),
        "member_user",
        _need_data,
        ("needs.Need", "needs.NeedCommune", "needs.NeedEvent"),
    ),
    "funding:create": TerritoryPage(
        lambda request: reverse("funding:create"),
        "member_user",
        _funding_data,
        (
            "funding.FundingRequest",
            "funding.RequestCommune",
            "funding.BudgetLine",
            "funding.AuditEntry",
        ),
    ),
    "news:create": TerritoryPage(
        lambda request: reverse("news:create"),
        "secretariat_user",
        _news_data,
        ("news.NewsItem",),
    ),
    "news:subscriptions": TerritoryPage(
        lambda request: reverse("news:subscriptions"),
        "member_user",
        _subscription_data,
        ("news.Subscription",),
    ),
}

#: Every page takes every refused file of these families; needs:create takes them
#: all.
SAMPLED = {
    "empty",
    "nan",
    "lambert93-as-wgs84",
    "outside-france",
    "kml-xxe-http",
    "kml-billion-laughs",
    "zip-bomb",
    "zip-wrong-crc",
    "shp-missing-shx",
    "gpkg-truncated",
    "over-the-limit",
}
PAGE_CASES = [
    pytest.param(page, case, id=f"{page}-{case.id}")
    for page in TERRITORY_PAGES
    for case in TERRITORY_FILES
    if case.outcome == REFUSED and (page == "needs:create" or case.id in SAMPLED)
]


#: The modules whose views build a ``TerritoryInputForm``, and the page of each
#: in the corpus (edit pages share the create page's form construction).
TERRITORY_FORM_MODULES = {
    "needs/views/needs.py": "needs:create",
    "funding/views/requests.py": "funding:create",
    "news/views/items.py": "news:create",
    "news/views/subscriptions.py": "news:subscriptions",
}


def test_every_view_with_a_territory_form_is_in_the_corpus():
    import crig

    package = Path(crig.__file__).parent
    found = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        and path.parts[-2:] != ("territory", "forms.py")
        and "TerritoryInputForm(" in path.read_text()
    }

    assert found == set(TERRITORY_FORM_MODULES)
    assert set(TERRITORY_FORM_MODULES.values()) == set(TERRITORY_PAGES)


@pytest.mark.parametrize(("page", "case"), PAGE_CASES)
def test_hostile_territory_file_is_refused_on_the_page_and_nothing_saved(
    client, request, territory, listener, nothing_saved, page, case
):
    target = TERRITORY_PAGES[page]
    client.force_login(request.getfixturevalue(target.person))
    data = target.data(request)
    (expected,) = _form_error(case, listener, "fr")
    data["territory-upload"] = _upload(case, listener)

    with nothing_saved(*target.models):
        response = client.post(target.url(request), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert html.escape(expected) in response.content.decode()
    assert listener.requests == []


@pytest.mark.parametrize("page", TERRITORY_PAGES)
def test_a_good_file_is_saved_so_the_page_cases_can_fail(
    client, request, territory, page
):
    # The page cases assert that nothing is saved: the same post with a good
    # file saves, so their other fields are valid and the file alone is refused.
    from django.apps import apps

    target = TERRITORY_PAGES[page]
    client.force_login(request.getfixturevalue(target.person))
    data = target.data(request)
    data["territory-upload"] = SimpleUploadedFile(
        "zone.geojson", files.geojson(files.TOULOUSE)
    )
    saved = apps.get_model(target.models[0])._default_manager

    response = client.post(target.url(request), data)

    assert response.status_code == HTTPStatus.FOUND, response.content[-3000:]
    assert saved.count() == 1


def test_zip_archive_members_are_not_named_zipfile_members():
    # Sanity check of the builders: the traversal archive does hold "../" names.
    import io

    names = zipfile.ZipFile(
        io.BytesIO(files.traversal_zip(f"../../../..{TRAVERSAL_TARGET}"))
    ).namelist()
    assert all(name.startswith("../") for name in names)
