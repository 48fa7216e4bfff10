import json
from http import HTTPStatus

import pytest
import shapely

pytestmark = pytest.mark.django_db

GEOJSON = "application/geo+json"


def test_commune_search(client, territory):
    response = client.get("/api/v1/communes", {"q": "beziers", "limit": 1})

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 6  # Béziers and five "…-lès-Béziers".
    assert body["items"] == [
        {
            "insee": "34032",
            "name": "Béziers",
            "departement": "34",
            "epci": "243400769",
            "population": 80341,
            "postcodes": ["34500"],
            "bbox": body["items"][0]["bbox"],
            "url": "/territoire/communes/34032/",
        }
    ]
    west, south, east, north = body["items"][0]["bbox"]
    assert west < 3.2157 < east
    assert south < 43.3442 < north


def test_commune_paging(client, territory):
    first = client.get("/api/v1/communes", {"departement": "31", "limit": 100}).json()
    second = client.get(
        "/api/v1/communes", {"departement": "31", "limit": 100, "offset": 100}
    ).json()

    assert first["count"] == second["count"] == 586
    assert len(first["items"]) == len(second["items"]) == 100
    assert not {c["insee"] for c in first["items"]} & {
        c["insee"] for c in second["items"]
    }


def test_commune_list_geojson_is_paged(client, territory):
    response = client.get(
        "/api/v1/communes", {"epci": "243100518", "format": "geojson", "limit": 10}
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == GEOJSON
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert (collection["numberMatched"], collection["numberReturned"]) == (37, 10)
    names = [feature["properties"]["name"] for feature in collection["features"]]
    assert names == sorted(names)
    first = collection["features"][0]
    assert first["properties"]["url"] == f"/territoire/communes/{first['id']}/"
    for feature in collection["features"]:
        outline = shapely.geometry.shape(feature["geometry"])
        assert outline.is_valid
        assert outline.geom_type in ("Polygon", "MultiPolygon")
        assert list(outline.bounds) == pytest.approx(feature["bbox"])


def test_commune_detail(client, toulouse):
    body = client.get("/api/v1/communes/31555").json()

    assert body["name"] == "Toulouse"
    assert body["departement_name"] == "Haute-Garonne"
    assert body["epci_name"] == "Toulouse Métropole"
    assert body["area_km2"] == toulouse.area_km2
    assert body["label_point"] == [toulouse.label_lon, toulouse.label_lat]


def test_commune_detail_geojson(client, toulouse):
    response = client.get("/api/v1/communes/31555", {"format": "geojson"})

    assert response["Content-Type"] == GEOJSON
    feature = json.loads(response.content)
    assert feature["type"] == "Feature"
    assert feature["geometry"] == json.loads(toulouse.outline)
    assert feature["properties"]["name"] == "Toulouse"


def test_commune_at(client, territory):
    response = client.get("/api/v1/communes/at", {"lon": 3.8767, "lat": 43.6108})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["insee"] == "34172"


def test_commune_at_outside_region(client, territory):
    response = client.get("/api/v1/communes/at", {"lon": 2.35, "lat": 48.85})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["message"]


def test_commune_coverage(client, toulouse):
    outline = toulouse.outline

    response = client.post(
        "/api/v1/communes/coverage", outline, content_type="application/geo+json"
    )

    assert response.status_code == HTTPStatus.OK
    first = response.json()["items"][0]
    assert (first["insee"], first["fraction"]) == ("31555", 1.0)


@pytest.mark.parametrize(
    "body",
    [
        '{"type": "Point", "coordinates": [1.4, 43.6]}',
        '{"type": "Polygon", "coordinates": '
        "[[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}",
        "not json",
        # Nested deeper than the JSON decoder's recursion limit.
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["point", "bow-tie", "not-json", "deep-nesting"],
)
def test_commune_coverage_invalid(client, territory, body):
    response = client.post(
        "/api/v1/communes/coverage", body, content_type="application/json"
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"]


def test_epci_detail_lists_members(client, territory):
    body = client.get("/api/v1/epci/243100518").json()

    assert body["kind"] == "METRO"
    assert body["commune_count"] == len(body["members"]) == 37
    assert body["members"][0]["insee"] == "31555"
    assert body["straddles_region"] is False


def test_straddling_epci(client, territory):
    body = client.get("/api/v1/epci/200035129").json()

    assert body["straddles_region"] is True
    assert body["outside_member_codes"] == ["07294"]


def test_epci_list(client, territory):
    assert client.get("/api/v1/epci").json()["count"] == 164
    filtered = client.get("/api/v1/epci", {"q": "metropole"}).json()
    assert {item["siren"] for item in filtered["items"]} >= {"243100518"}
    geojson = json.loads(
        client.get("/api/v1/epci", {"departement": "31", "format": "geojson"}).content
    )
    assert geojson["numberMatched"] == len(geojson["features"])
    assert "243100518" in {f["id"] for f in geojson["features"]}


def test_departements(client, territory):
    body = client.get("/api/v1/departements").json()

    assert body["count"] == 13
    assert [d["code"] for d in body["items"]][:3] == ["09", "11", "12"]
    detail = client.get("/api/v1/departements/31").json()
    assert detail["chef_lieu"] == "31555"
    assert detail["commune_count"] == 586
    assert "243100518" in {e["siren"] for e in detail["epci"]}


def test_region(client, territory):
    body = client.get("/api/v1/region").json()

    assert (body["code"], body["name"], body["commune_count"]) == (
        "76",
        "Occitanie",
        4453,
    )
    feature = json.loads(client.get("/api/v1/region", {"format": "geojson"}).content)
    assert feature["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/communes/99999",
        "/api/v1/communes/99999?format=geojson",
        "/api/v1/epci/000000000",
        "/api/v1/departements/75",
    ],
)
def test_unknown_codes(client, territory, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 5000},
        {"offset": -1},
        {"format": "kml"},
        {"q": "x" * 101},
    ],
)
def test_invalid_parameters(client, territory, query):
    response = client.get("/api/v1/communes", query)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"]


def test_invalid_point(client, territory):
    response = client.get("/api/v1/communes/at", {"lon": 200, "lat": 43})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
