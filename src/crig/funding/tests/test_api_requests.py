"""REST API of funding requests, per role: the same permissions as the pages, an
invisible request is a 404, errors answer a French ``message`` and save
nothing."""

# The shared fixtures (people per role, a file with every confidential part, a
# published opinion) are imported from the page tests: pytest sees them here,
# ruff takes them for redefinitions.
# ruff: noqa: F811

import json
from http import HTTPStatus

import pytest

from crig.funding.models import FundingRequest
from crig.funding.tests import factories
from crig.funding.tests.test_views_requests import (  # noqa: F401 - fixtures
    ATTACHMENT_NAME,
    BUDGET_LABEL,
    COMMENTS,
    DESCRIPTION,
    ROLES,
    SEES_COMMENTS,
    SEES_FILE,
    STAFF,
    file,
    login,
    people,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/funding-requests"


@pytest.mark.parametrize("role", ROLES)
def test_list_holds_only_the_files_the_caller_may_open(client, file, people, role):
    hidden = factories.FundingRequestFactory(title="Levé LIDAR du Gers")
    login(client, people[role])

    response = client.get(API)

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    ids = sorted(item["id"] for item in body["items"])
    expected = sorted(
        ([file.pk] if role in SEES_FILE else [])
        + ([hidden.pk] if role in STAFF else [])
    )
    assert ids == expected
    assert body["count"] == len(expected)
    assert DESCRIPTION not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_detail_per_role(client, file, people, role):
    login(client, people[role])

    response = client.get(f"{API}/{file.pk}")

    if role not in SEES_FILE:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json() == {
            "message": "Cette demande de financement n’existe pas."
        }
        return
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["description"] == DESCRIPTION
    assert body["budget_lines"] == [{"label": BUDGET_LABEL, "amount": 100000.0}]
    assert [a["name"] for a in body["attachments"]] == [ATTACHMENT_NAME]
    assert body["state"] == {"code": "submitted", "label": "Déposée"}
    assert [c["insee"] for c in body["communes"]] == ["31555"]
    assert body["analysis"] is not None
    comments = [p["comments"] for p in body["positions"] or []]
    if role in SEES_COMMENTS:
        assert comments == [COMMENTS]
    else:
        assert body["positions"] is None
    assert (body["reviewers"] is not None) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_outline_per_role(client, file, people, role):
    login(client, people[role])

    response = client.get(f"{API}/{file.pk}", {"format": "geojson"})

    if role in SEES_FILE:
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "application/geo+json"
        collection = json.loads(response.content)
        assert collection["features"][0]["properties"]["name"] == file.title
        assert collection["features"][0]["geometry"]["type"] in (
            "Polygon",
            "MultiPolygon",
        )
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_list_filters(client, secretariat_user, signatory):
    factories.FundingRequestFactory(title="PCRS du Muretain", signatory=signatory)
    factories.FundingRequestFactory(
        title="LIDAR de Montpellier", theme="lidar", communes=["34172"]
    )
    client.force_login(secretariat_user)

    by_theme = client.get(API, {"theme": "lidar"}).json()
    by_signatory = client.get(API, {"signatory": signatory.pk}).json()
    by_departement = client.get(API, {"departement": "34"}).json()
    by_words = client.get(API, {"q": "muretain"}).json()

    assert [i["title"] for i in by_theme["items"]] == ["LIDAR de Montpellier"]
    assert [i["title"] for i in by_signatory["items"]] == ["PCRS du Muretain"]
    assert [i["title"] for i in by_departement["items"]] == ["LIDAR de Montpellier"]
    assert [i["title"] for i in by_words["items"]] == ["PCRS du Muretain"]


def test_list_refuses_an_unknown_state(client, secretariat_user):
    client.force_login(secretariat_user)

    response = client.get(API, {"state": "paid"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")


# Creation ---------------------------------------------------------------------


def _body(signatory, **overrides):
    body = {
        "signatory": signatory.pk,
        "title": "Orthophotographie 5 cm de Toulouse",
        "public_summary": "Prise de vue aérienne à 5 cm.",
        "description": "Marché de prise de vue, lot unique.",
        "theme": "orthophotographie",
        "amount_requested": "60000",
        "self_funding": "15000",
        "data_licence": "etalab-2.0",
        "budget_lines": [
            {"label": "Prise de vue", "amount": "70000"},
            {"label": "Traitements", "amount": 30000},
        ],
        "cofunders": [{"name": "Toulouse Métropole", "amount": "25000"}],
        "territory": {"communes": ["31555"]},
    }
    body.update(overrides)
    return body


def test_create_a_draft(client, member_user, organisation, signatory, territory):
    client.force_login(member_user)

    response = client.post(API, _body(signatory), content_type="application/json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["state"]["code"] == "draft"
    assert body["applicant"]["id"] == organisation.pk
    assert body["total_budget"] == 100000.0
    assert [c["insee"] for c in body["communes"]] == ["31555"]
    assert body["may"]["submit"] is True


def test_create_and_submit(client, member_user, signatory, territory):
    client.force_login(member_user)

    response = client.post(
        API, _body(signatory, submit=True), content_type="application/json"
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["state"]["code"] == "submitted"
    assert response.json()["reference"]


def test_create_refuses_amounts_that_do_not_add_up(
    client, member_user, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        API, _body(signatory, amount_requested="90000"), content_type="application/json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"].startswith("Les montants ne concordent pas")
    assert FundingRequest.objects.count() == 0


def test_create_refuses_an_unknown_commune(client, member_user, signatory, territory):
    client.force_login(member_user)

    response = client.post(
        API,
        _body(signatory, territory={"communes": ["99999"]}),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "99999" in response.json()["message"]
    assert FundingRequest.objects.count() == 0


def test_create_refuses_someone_without_an_organisation(
    client, plain_user, signatory, territory
):
    client.force_login(plain_user)

    response = client.post(API, _body(signatory), content_type="application/json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "message": "Seuls les membres d’une organisation peuvent saisir une demande "
        "de financement."
    }
    assert FundingRequest.objects.count() == 0


def test_create_for_another_organisation_is_refused(
    client, member_user, other_organisation, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        API,
        _body(signatory, applicant=other_organisation.pk),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert FundingRequest.objects.count() == 0


def test_create_needs_authentication(client, signatory, territory):
    response = client.post(API, _body(signatory), content_type="application/json")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"message": "Authentification requise."}


# Submission -------------------------------------------------------------------


def test_submit_then_submit_again(client, member_user, organisation, signatory):
    draft = factories.FundingRequestFactory(
        applicant=organisation,
        signatory=signatory,
        entered_by=member_user,
        state=FundingRequest.State.DRAFT,
        reference=None,
        submitted_at=None,
    )
    client.force_login(member_user)

    first = client.post(f"{API}/{draft.pk}/submit")
    second = client.post(f"{API}/{draft.pk}/submit")

    assert first.status_code == HTTPStatus.OK
    assert first.json()["state"]["code"] == "submitted"
    assert second.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT)
    assert second.json()["message"]
    draft.refresh_from_db()
    assert draft.state == FundingRequest.State.SUBMITTED


@pytest.mark.parametrize("role", ["plain", "other_member", "recused_reviewer"])
def test_submit_someone_elses_request_is_a_404(client, file, people, role):
    login(client, people[role])

    response = client.post(f"{API}/{file.pk}/submit")

    assert response.status_code == HTTPStatus.NOT_FOUND
