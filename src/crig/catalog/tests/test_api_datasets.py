"""The catalogue REST API, end to end through the client."""

import json
from http import HTTPStatus

import pytest

from crig.catalog.models import CommuneCoverage
from crig.catalog.tests.factories import DistributionFactory
from crig.catalog.tests.test_search import make_catalogue

URL = "/api/v1/datasets"


@pytest.fixture
def catalogue(organisation):
    return make_catalogue(producer_organisation=organisation)


def _titles(answer):
    return [item["title"] for item in answer["items"]]


@pytest.mark.django_db
def test_search_answers_count_items_and_facets(client, catalogue):
    response = client.get(URL, {"q": "orthophotographies", "limit": 1})
    assert response.status_code == HTTPStatus.OK
    answer = response.json()
    assert answer["count"] == 2
    assert _titles(answer) == [
        "Orthophotographie départementale de la Haute-Garonne 2022"
    ]
    item = answer["items"][0]
    assert item["id"] == catalogue["ortho31"].pk
    assert item["bbox"] == [0.44, 42.69, 1.95, 43.92]
    assert item["url"] == f"/catalogue/jeux-de-donnees/{catalogue['ortho31'].pk}/"
    assert answer["facets"]["year"] == [
        {"value": "2022", "label": "2022", "count": 1, "kind": ""},
        {"value": "2015", "label": "2015", "count": 1, "kind": ""},
    ]
    assert set(answer["facets"]) == {"theme", "producer", "source", "licence", "year"}


@pytest.mark.django_db
def test_search_pages_with_limit_and_offset(client, catalogue):
    answer = client.get(URL, {"sort": "date", "limit": 2, "offset": 2}).json()
    assert answer["count"] == 5
    assert _titles(answer) == [
        "Base adresse locale du Gers",
        "Orthophotographies historiques de l'Hérault",
    ]


@pytest.mark.django_db
def test_repeated_parameters_are_read_as_lists(client, catalogue):
    answer = client.get(
        f"{URL}?producer=IGN&producer=ODbL&licence=Licence+Ouverte+2.0"
        "&licence=ODbL&theme=referentiel:orthophotographie"
    ).json()
    assert _titles(answer) == [
        "Orthophotographie départementale de la Haute-Garonne 2022"
    ]


@pytest.mark.django_db
def test_search_as_geojson_gives_the_footprints(client, catalogue):
    response = client.get(URL, {"q": "toulouse", "format": "geojson"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["numberMatched"] == 2
    assert collection["numberReturned"] == 2
    first = collection["features"][0]
    assert first["id"] == catalogue["pcrs"].pk
    assert first["geometry"]["type"] == "Polygon"
    assert first["geometry"]["coordinates"][0][1] == [1.4, 43.7]
    assert first["properties"]["name"] == (
        "Plan Corps de Rue Simplifié de Toulouse Métropole"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"bbox": "1,2,3"}, HTTPStatus.BAD_REQUEST, "bbox"),
        ({"bbox": "3,43,1,44"}, HTTPStatus.BAD_REQUEST, "bbox"),
        ({"year_from": 2022, "year_to": 2020}, HTTPStatus.BAD_REQUEST, "year_from"),
        ({"year_from": "soon"}, HTTPStatus.UNPROCESSABLE_ENTITY, "year_from"),
        ({"commune": "99999"}, HTTPStatus.BAD_REQUEST, "99999"),
        ({"departement": "75"}, HTTPStatus.BAD_REQUEST, "75"),
        ({"sort": "random"}, HTTPStatus.UNPROCESSABLE_ENTITY, "sort"),
        ({"limit": 1001}, HTTPStatus.UNPROCESSABLE_ENTITY, "limit"),
        ({"theme": "colour:blue"}, HTTPStatus.BAD_REQUEST, "colour"),
    ],
)
def test_bad_parameters_answer_a_readable_message(
    client, territory, query, status, message
):
    response = client.get(URL, query)
    assert response.status_code == status
    assert message in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", HTTPStatus.NOT_FOUND),
        ("plain_user", HTTPStatus.NOT_FOUND),
        ("member_user", HTTPStatus.OK),
        ("secretariat_user", HTTPStatus.OK),
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_restricted_records_are_404_to_those_who_may_not_see_them(
    client, request, catalogue, role, status
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    pk = catalogue["restricted"].pk
    assert client.get(f"{URL}/{pk}").status_code == status
    assert client.get(f"{URL}/{pk}/communes").status_code == status
    listed = client.get(URL, {"q": "routier"}).json()["count"]
    assert listed == (1 if status == HTTPStatus.OK else 0)


@pytest.mark.django_db
def test_detail_gives_the_full_record(client, catalogue):
    record = catalogue["pcrs"]
    DistributionFactory(dataset=record, kind="wfs", url="https://example.org/wfs")
    answer = client.get(f"{URL}/{record.pk}").json()
    assert answer["title"] == "Plan Corps de Rue Simplifié de Toulouse Métropole"
    assert answer["footprint"]["type"] == "Polygon"
    assert answer["footprint_is_bbox"] is False
    assert answer["distributions"] == [
        {
            "kind": "wfs",
            "url": "https://example.org/wfs",
            "name": "ORTHOIMAGERY.ORTHOPHOTOS",
            "title": "",
            "media_type": "",
            "protocol": "",
        }
    ]
    assert [p["origin"] for p in answer["provenances"]] == [
        "geo-occitanie",
        "picto-occitanie",
    ]
    assert [p["source_title"] for p in answer["provenances"]] == [
        "Géo-Occitanie",
        "PICTO-Occitanie",
    ]
    assert {p["document"] for p in answer["provenances"]} == {None}
    assert answer["communes_url"] == f"/api/v1/datasets/{record.pk}/communes"


@pytest.mark.django_db
def test_staff_see_the_verbatim_documents(client, catalogue, secretariat_user):
    record = catalogue["ortho31"]
    record.provenances.update(document="<gmd:MD_Metadata/>")
    client.force_login(secretariat_user)
    answer = client.get(f"{URL}/{record.pk}").json()
    assert [p["document"] for p in answer["provenances"]] == ["<gmd:MD_Metadata/>"]


@pytest.mark.django_db
def test_detail_as_geojson(client, catalogue):
    record = catalogue["ortho34"]
    response = client.get(f"{URL}/{record.pk}", {"format": "geojson"})
    assert response["Content-Type"] == "application/geo+json"
    feature = json.loads(response.content)
    assert feature["bbox"] == [2.54, 43.21, 4.19, 43.97]
    assert feature["properties"]["name"] == (
        "Orthophotographies historiques de l'Hérault"
    )


@pytest.mark.django_db
def test_communes_of_a_record_are_paged_most_covered_first(
    client, catalogue, territory
):
    record = catalogue["batiments"]
    for insee, fraction in [("31555", 0.25), ("31069", 1.0), ("31557", 0.5)]:
        CommuneCoverage.objects.create(
            dataset=record, commune_id=insee, fraction=fraction
        )
    answer = client.get(f"{URL}/{record.pk}/communes", {"limit": 2}).json()
    assert answer["count"] == 3
    assert [(c["insee"], c["fraction"]) for c in answer["items"]] == [
        ("31069", 1.0),
        ("31557", 0.5),
    ]
    assert answer["items"][0]["url"] == "/territoire/communes/31069/"
    rest = client.get(f"{URL}/{record.pk}/communes", {"offset": 2}).json()
    assert [c["insee"] for c in rest["items"]] == ["31555"]


@pytest.mark.django_db
def test_unknown_record_is_404(client, db):
    response = client.get(f"{URL}/987654")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["message"]
