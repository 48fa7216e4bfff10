"""REST API of the public register: published opinions only, with the request's
public part; an unpublished opinion is a 404 except to those who see the file."""

# The shared fixtures (people per role, a file with every confidential part, a
# published opinion) are imported from the page tests: pytest sees them here,
# ruff takes them for redefinitions.
# ruff: noqa: F811

import json
from http import HTTPStatus

import pytest

from crig.funding.tests import factories
from crig.funding.tests.test_views_register import (  # noqa: F401 - fixtures
    REASONING,
    publish,
    published,
)
from crig.funding.tests.test_views_requests import (  # noqa: F401 - fixtures
    ATTACHMENT_NAME,
    BUDGET_LABEL,
    COMMENTS,
    DESCRIPTION,
    ROLES,
    file,
    login,
    people,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/opinions"


@pytest.mark.parametrize("role", ROLES)
def test_register_lists_published_opinions_only(client, published, people, role):
    factories.OpinionFactory(request__title="Avis rendu mais pas publié")
    login(client, people[role])

    response = client.get(API)

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == published.pk
    assert item["verdict"] == {"code": "favorable", "label": "Favorable"}
    assert item["reasoning"] == REASONING
    assert item["request"]["public_summary"] == published.request.public_summary
    assert item["request"]["communes"] == ["31555"]
    assert item["request"]["amount_requested"] == 60000.0
    assert item["positions"] == [
        {
            "signatory": "Région Occitanie",
            "position": {"code": "favorable", "label": "Favorable"},
            "scores": {
                "openness": 4,
                "standards": 3,
                "pooling": 3,
                "coverage_gap": 2,
                "needs_and_plan": 3,
            },
            "comments": None,
        }
    ]
    assert item["recusals"] == [
        {"signatory": "Région Occitanie", "reviewer": "Roger Récusé"}
    ]
    content = response.content.decode()
    for secret in (DESCRIPTION, BUDGET_LABEL, ATTACHMENT_NAME, COMMENTS):
        assert secret not in content


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", HTTPStatus.NOT_FOUND),
        ("plain", HTTPStatus.NOT_FOUND),
        ("other_member", HTTPStatus.NOT_FOUND),
        ("recused_reviewer", HTTPStatus.NOT_FOUND),
        ("seated_undeclared", HTTPStatus.NOT_FOUND),
        ("applicant_member", HTTPStatus.OK),
        ("cleared_reviewer", HTTPStatus.OK),
        ("secretariat", HTTPStatus.OK),
        ("admin", HTTPStatus.OK),
    ],
)
def test_unpublished_opinion_per_role(client, funding_request, people, role, status):
    opinion = factories.OpinionFactory(request=funding_request)
    login(client, people[role])

    response = client.get(f"{API}/{opinion.pk}")

    assert response.status_code == status
    if status == HTTPStatus.NOT_FOUND:
        assert response.json() == {"message": "Cet avis n’existe pas."}


def test_opinion_detail_lists_its_versions(client, published, secretariat_user):
    from crig.funding import services

    second = services.opinion_correct(
        actor=secretariat_user,
        opinion=published,
        data=services.OpinionData(
            verdict="reserves",
            reasoning=REASONING,
            adopted_on=published.adopted_on,
            adoption="meeting",
            meeting_label="Comité du 12 mars",
            conditions="Livrer au format PCRS v2.0.",
        ),
        correction_note="Ajout d’une condition.",
    )

    body = client.get(f"{API}/{second.pk}").json()

    assert [(v["version"], v["verdict"]["code"]) for v in body["versions"]] == [
        (2, "reserves"),
        (1, "favorable"),
    ]
    assert body["correction_note"] == "Ajout d’une condition."


def test_opinion_outline_is_public_once_published(client, published):
    response = client.get(f"{API}/{published.pk}", {"format": "geojson"})

    assert response.status_code == HTTPStatus.OK
    collection = json.loads(response.content)
    assert collection["features"][0]["properties"]["name"] == "PCRS de Toulouse"
    assert collection["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_register_map_holds_published_territories_only(client, published):
    factories.OpinionFactory(request__title="Avis rendu mais pas publié")

    response = client.get(API, {"format": "geojson"})

    collection = json.loads(response.content)
    assert [f["properties"]["name"] for f in collection["features"]] == [
        "PCRS de Toulouse"
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"verdict": "unfavorable"}, ["LIDAR de Montpellier"]),
        ({"epci": "243400017"}, ["LIDAR de Montpellier"]),
        ({"commune": "31555"}, ["PCRS de Toulouse"]),
        ({"year": 2024}, ["LIDAR de Montpellier", "PCRS de Toulouse"]),
    ],
)
def test_register_filters(
    client, funding_request, secretariat_user, signatory, query, expected
):
    publish(funding_request, secretariat_user)
    other = factories.FundingRequestFactory(
        title="LIDAR de Montpellier", theme="lidar", communes=["34172"]
    )
    publish(other, secretariat_user, verdict="unfavorable")

    body = client.get(API, query).json()

    assert sorted(i["request"]["title"] for i in body["items"]) == expected


def test_register_refuses_an_unknown_verdict(client):
    response = client.get(API, {"verdict": "maybe"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")
