from http import HTTPStatus

import pytest

from crig.members import services
from crig.members.models import Organisation
from crig.members.tests import factories


@pytest.fixture
def directory(db):
    """Five organisations in three categories, two of them OPenIG members."""
    return [
        services.organisation_create(
            name="Toulouse Métropole",
            siren="243100518",
            category=Organisation.Category.COLLECTIVITE,
            is_openig_member=True,
            openig_member_since=2017,
        ),
        services.organisation_create(
            name="Montpellier Méditerranée Métropole",
            acronym="3M",
            siren="243400017",
            category=Organisation.Category.COLLECTIVITE,
        ),
        services.organisation_create(
            name="Région Occitanie",
            category=Organisation.Category.COLLECTIVITE,
            is_openig_member=True,
        ),
        services.organisation_create(
            name="Université de Perpignan Via Domitia",
            acronym="UPVD",
            category=Organisation.Category.ACADEMIQUE,
        ),
        services.organisation_create(
            name="Préfecture de la région Occitanie",
            category=Organisation.Category.ETAT,
        ),
    ]


def _names(response):
    return [item["name"] for item in response.json()["items"]]


def test_list_counts_and_items(client, directory):
    response = client.get("/api/v1/organisations")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 5
    first = body["items"][0]
    assert first == {
        "id": directory[1].pk,
        "name": "Montpellier Méditerranée Métropole",
        "acronym": "3M",
        "siren": "243400017",
        "category": {"code": "collectivite", "label": "Collectivités"},
        "is_openig_member": False,
        "openig_member_since": None,
        "is_signatory": False,
        "website": "",
        "url": "/membres/montpellier-mediterranee-metropole/",
        "commune_count": 0,
        "bbox": None,
    }


def test_list_pages_with_limit_and_offset(client, directory):
    page = client.get("/api/v1/organisations?limit=2&offset=2").json()

    assert page["count"] == 5
    assert [item["name"] for item in page["items"]] == [
        "Région Occitanie",
        "Toulouse Métropole",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=metropole", ["Montpellier Méditerranée Métropole", "Toulouse Métropole"]),
        ("q=MÉTROPOLE toulouse", ["Toulouse Métropole"]),
        ("q=upvd", ["Université de Perpignan Via Domitia"]),
        ("q=3m", ["Montpellier Méditerranée Métropole"]),
        ("category=etat", ["Préfecture de la région Occitanie"]),
        ("member=true", ["Région Occitanie", "Toulouse Métropole"]),
        ("member=false&category=collectivite", ["Montpellier Méditerranée Métropole"]),
        ("q=nowhere", []),
    ],
)
def test_list_filters(client, directory, query, expected):
    response = client.get(f"/api/v1/organisations?{query}")

    assert _names(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    "query", ["category=club", "member=perhaps", "limit=0", "offset=-1", "format=kml"]
)
def test_list_refuses_bad_parameters_with_a_message(client, directory, query):
    response = client.get(f"/api/v1/organisations?{query}")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"]


def test_list_as_geojson_gives_the_perimeters(client, directory, territory):
    services.organisation_set_perimeter(organisation=directory[0], epcis=["243100518"])

    response = client.get("/api/v1/organisations?format=geojson&member=true")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 1  # Région Occitanie has no perimeter yet
    feature = collection["features"][0]
    assert feature["properties"]["name"] == "Toulouse Métropole"
    assert feature["properties"]["url"] == "/membres/toulouse-metropole/"
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_detail_gives_the_perimeter_bbox(client, directory, territory):
    services.organisation_set_perimeter(organisation=directory[0], communes=["31555"])

    body = client.get(f"/api/v1/organisations/{directory[0].pk}").json()

    assert body["commune_count"] == 1
    west, south, east, north = body["bbox"]
    assert 1.3 < west < east < 1.6
    assert 43.5 < south < north < 43.7
    perimeter = client.get(f"/api/v1/organisations/{directory[0].pk}/perimeter")
    assert len(perimeter.json()["features"]) == 1


def test_detail_of_an_unknown_organisation_is_404_json(client, db):
    response = client.get("/api/v1/organisations/999999")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"message": "Introuvable."}


@pytest.mark.parametrize(
    ("role", "sees_people"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", True),
        ("referent_user", True),
        ("reviewer_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_people_are_shown_only_to_those_allowed(
    request, client, organisation, member_user, role, sees_people
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    body = client.get(f"/api/v1/organisations/{organisation.pk}").json()

    if sees_people:
        assert {person["email"] for person in body["people"]} >= {"member@example.org"}
    else:
        assert body["people"] is None
        assert "member@example.org" not in str(body)


def test_signatories(client, signatory):
    body = client.get("/api/v1/signatories").json()

    assert [s["organisation"]["name"] for s in body] == ["Région Occitanie"]
    assert body[0]["organisation"]["is_signatory"] is True
    assert body[0]["convention"]["signed_on"] == "2019-06-01"


def test_me_needs_authentication(client, db):
    response = client.get("/api/v1/me")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"message": "Authentification requise."}


def test_me_with_a_token(client, referent_user):
    _token, raw_token = services.api_token_create(user=referent_user, name="QGIS")

    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json() == services.user_export_data(user=referent_user) | {
        "api_tokens": response.json()["api_tokens"]  # last_used_at was just set
    }
    assert response.json()["profile"]["email"] == "referent@example.org"


@pytest.mark.parametrize("header", ["Bearer crig_wrong", "Bearer ", "bearer nope"])
def test_a_bad_token_is_refused_with_401(client, member_user, header):
    response = client.get("/api/v1/organisations", headers={"Authorization": header})

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"message": "Jeton d'API invalide ou révoqué."}


def test_a_revoked_token_is_refused(client, member_user):
    token, raw_token = services.api_token_create(user=member_user, name="QGIS")
    services.api_token_revoke(user=member_user, token_id=token.pk)

    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"}
    )

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_list_avoids_n_plus_one(client, django_assert_max_num_queries, db):
    for index in range(30):
        factories.OrganisationFactory(name=f"Commune nouvelle {index}")

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/organisations?limit=30")

    assert response.json()["count"] == 30
