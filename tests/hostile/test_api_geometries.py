"""Hostile geometries through the API: the public coverage endpoint, which takes
a raw GeoJSON body, and the drawn territory of a need created through the API.

The GeoJSON cases of the territory corpus are reused (their bodies as they
are). Expected: a 4xx JSON answer with a message, never a server error, and no
need saved.
"""

import json
from http import HTTPStatus

import pytest

from tests.hostile.test_territory_uploads import READ, TERRITORY_FILES

pytestmark = pytest.mark.django_db

GEOJSON_CASES = [
    case
    for case in TERRITORY_FILES
    if case.name.endswith(".geojson") and case.id != "over-the-limit"
]


def _ids(cases):
    return [case.id for case in cases]


@pytest.mark.parametrize("case", GEOJSON_CASES, ids=_ids(GEOJSON_CASES))
def test_coverage_endpoint_answers_a_hostile_polygon_with_a_message(
    client, territory, listener, case
):
    response = client.post(
        "/api/v1/communes/coverage",
        case.build(listener.url),
        content_type="application/geo+json",
    )

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert listener.requests == []
    if response.status_code >= HTTPStatus.BAD_REQUEST:
        assert response.json()["message"]
    else:
        # Only what the territory form may read, or what lies outside the
        # region (an empty list, which is a true answer).
        assert case.outcome == READ or response.json()["count"] == 0


def _drawn(data: bytes):
    """The case's body as a JSON value, or None when it is not JSON at all."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


DRAWN_CASES = [
    case
    for case in GEOJSON_CASES
    if case.outcome != READ and isinstance(_drawn(case.build("")), dict)
]


@pytest.mark.parametrize("case", DRAWN_CASES, ids=_ids(DRAWN_CASES))
def test_need_with_a_hostile_drawn_territory_is_refused_and_not_saved(
    client, member_user, organisation, territory, listener, nothing_saved, case
):
    client.force_login(member_user)
    body = {
        "title": "Besoin",
        "description": "Un besoin.",
        "theme": "lidar",
        "organisation": organisation.pk,
        "territory": {"drawn": _drawn(case.build(listener.url))},
    }

    with nothing_saved("needs.Need", "needs.NeedCommune"):
        response = client.post(
            "/api/v1/needs",
            # allow_nan: the hostile NaN and Infinity tokens go out as they are.
            json.dumps(body, allow_nan=True),
            content_type="application/json",
        )

    assert HTTPStatus.BAD_REQUEST <= response.status_code < 500, response.content
    assert response.json()["message"]
    assert listener.requests == []
