"""OGC API – Records at /ogcapi/, through the test client: JSON and HTML, filters,
paging, errors, visibility."""

import json
from http import HTTPStatus

import pytest

from crig.catalog.tests import test_standards_support as support
from crig.catalog.tests.test_standards_support import PUBLIC_IDENTIFIERS, assert_golden

catalogue = support.catalogue
stable_pages = support.stable_pages
pytestmark = pytest.mark.django_db
ITEMS = "/ogcapi/collections/catalog/items"


def ids(response) -> list[str]:
    return [f["id"] for f in response.json()["features"]]


def test_items_golden(client, catalogue, stable_pages):
    response = client.get(ITEMS, {"limit": 2})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    assert_golden("ogcapi_items.json", response.content.decode())


def test_landing_conformance_and_collections(client):
    landing = client.get("/ogcapi/")
    conformance = client.get("/ogcapi/conformance")
    collections = client.get("/ogcapi/collections")
    collection = client.get("/ogcapi/collections/catalog")

    assert {link["rel"] for link in landing.json()["links"]} == {
        "self",
        "alternate",
        "conformance",
        "data",
        "service-doc",
    }
    assert (
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"
        in (conformance.json()["conformsTo"])
    )
    assert [c["id"] for c in collections.json()["collections"]] == ["catalog"]
    assert collection.json()["itemType"] == "record"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "orthophotographies"}, ["crig-ortho-31-2022"]),
        ({"bbox": "1.25,43.52,1.3,43.55"}, ["crig-ortho-31-2022", "crig-pcrs-tm-2021"]),
        ({"datetime": "2022-01-01/2022-12-31"}, ["crig-ortho-31-2022"]),
        ({"datetime": "2021-11-02T10:00:00Z"}, ["crig-pcrs-tm-2021"]),
        ({"datetime": "2024-01-01/"}, ["crig-lidar-34-2023"]),
    ],
)
def test_items_filters(client, catalogue, params, expected):
    assert ids(client.get(ITEMS, params)) == expected


def test_items_paging_links(client, catalogue):
    response = client.get(ITEMS, {"limit": 1, "offset": 1, "q": "IGN"})

    document = response.json()
    links = {link["rel"]: link["href"] for link in document["links"]}
    assert (document["numberMatched"], document["numberReturned"]) == (2, 1)
    assert ids(response) == ["crig-ortho-31-2022"]
    assert links["prev"] == f"http://testserver{ITEMS}?q=IGN&limit=1&offset=0&f=json"
    assert "next" not in links


def test_limit_is_capped(client, catalogue, monkeypatch):
    from crig.catalog.standards import ogcapi

    monkeypatch.setattr(ogcapi, "MAX_LIMIT", 2)

    assert ids(client.get(ITEMS, {"limit": 100000})) == PUBLIC_IDENTIFIERS[:2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bbox": "1,2,3"}, "bbox takes four numbers: west,south,east,north (WGS84)."),
        ({"bbox": "a,b,c,d"}, "bbox has a value that is not a number: 'a,b,c,d'."),
        (
            {"bbox": "1,50,2,40"},
            "The bounding box's south latitude exceeds its north one.",
        ),
        ({"bbox": "1,2,3,95"}, "Bounding box latitudes must lie between -90 and 90."),
        (
            {"datetime": "last week"},
            "Invalid datetime 'last week': use a date (2021-06-01), a date-time "
            "(2021-06-01T12:00:00Z) or an interval (2020-01-01/.., ../2021-12-31).",
        ),
        (
            {"datetime": "2022-01-01/2021-01-01"},
            "Invalid datetime '2022-01-01/2021-01-01': the start is after the end.",
        ),
        ({"datetime": "../.."}, "An interval needs at least one bound."),
        ({"limit": "0"}, "limit must be at least 1."),
        ({"offset": "-1"}, "offset must be at least 0."),
        ({"f": "xml"}, "Invalid value for f: 'xml' (use json or html)."),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, catalogue, params, message):
    response = client.get(ITEMS, params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"code": "InvalidParameterValue", "description": message}


def test_unknown_collection_and_record_are_404(client, catalogue):
    assert client.get("/ogcapi/collections/other").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"{ITEMS}/nope").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"{ITEMS}/crig-ortho-31-2016").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (None, False),
        ("plain_user", False),
        ("member_user", True),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_restricted_record_per_role(client, catalogue, request, role, visible):
    if role:
        client.force_login(request.getfixturevalue(role))

    item = client.get(f"{ITEMS}/crig-erp-31-restricted")
    listed = ids(client.get(ITEMS, {"limit": 10}))

    assert item.status_code == (HTTPStatus.OK if visible else HTTPStatus.NOT_FOUND)
    assert ("crig-erp-31-restricted" in listed) is visible


def test_html_pages_by_f_and_accept(client, catalogue):
    by_param = client.get(ITEMS, {"f": "html", "q": "lidar"})
    by_accept = client.get(
        f"{ITEMS}/crig-ortho-31-2022",
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
    )
    landing = client.get("/ogcapi/", HTTP_ACCEPT="text/html")

    assert by_param["Content-Type"] == "text/html; charset=utf-8"
    assert "LIDAR HD de l&#x27;Hérault" in by_param.content.decode()
    assert "Orthophotographie de la Haute-Garonne 2022" in by_accept.content.decode()
    assert "https://data.geopf.fr/wms-r/wms" in by_accept.content.decode()
    assert landing.status_code == HTTPStatus.OK
    for path in (
        "/ogcapi/conformance",
        "/ogcapi/collections",
        "/ogcapi/collections/catalog",
    ):
        assert client.get(path, {"f": "html"}).status_code == HTTPStatus.OK


def test_record_links_to_its_landing_page(client, catalogue):
    from crig.catalog.standards.repository import dataset_page_path

    record = client.get(f"{ITEMS}/crig-ortho-31-2022").json()

    described = [
        link["href"] for link in record["links"] if link["rel"] == "describedby"
    ]
    assert described == [f"http://testserver{dataset_page_path(catalogue['ortho'])}"]
    assert json.loads(catalogue["ortho"].footprint) == record["geometry"]
