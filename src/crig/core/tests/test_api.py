"""Conventions every module's REST API keeps (crig.core.api)."""

import re
from http import HTTPStatus

import pytest

from crig.core.api import OFFSET_MAX


def _paged_operations():
    from crig.api import api

    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "offset" in names:
                yield method, re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize(("method", "path"), list(_paged_operations()))
def test_an_offset_past_the_databases_integers_is_refused(client, method, path):
    response = getattr(client, method)(path, {"offset": 2**63})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["field"] == "offset"


def test_the_largest_offset_answers_an_empty_page(client, organisation):
    response = client.get("/api/v1/organisations", {"offset": OFFSET_MAX})

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"count": 1, "items": []}


def test_the_document_declares_the_errors_every_operation_can_answer():
    from crig.api import api

    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = {int(status) for status in operation["responses"]}
            expected = {HTTPStatus.UNAUTHORIZED}
            if operation.get("parameters") or operation.get("requestBody"):
                expected |= {HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY}
            if "{" in path:
                expected.add(HTTPStatus.NOT_FOUND)
            assert expected <= declared, (method, path)


def test_a_format_parameter_declares_the_media_types_it_answers():
    from crig.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/needs"]["get"]

    assert set(operation["responses"][HTTPStatus.OK]["content"]) == {
        "application/json",
        "application/geo+json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


@pytest.mark.parametrize("method", ["get", "post", "patch"])
@pytest.mark.parametrize("path", ["/api/v1/needs/-1", "/api/v1/nothing/here"])
def test_a_path_no_operation_matches_is_a_json_404(client, db, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")
    assert "message" in response.json()


def test_a_nul_character_the_database_refuses_is_a_400_not_a_500(client, db):
    """PostgreSQL refuses NUL in text (a 500 before); SQLite takes it, and the code
    is then refused as an unknown département."""
    response = client.get("/api/v1/datasets", {"departement": "3\x001"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"]
