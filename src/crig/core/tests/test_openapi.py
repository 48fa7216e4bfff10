"""The published OpenAPI document is a contract: changes to it are deliberate.

Regenerate the snapshot with ``CRIG_UPDATE_SNAPSHOTS=1 make test`` and review the diff.
"""

import json
import os
from http import HTTPStatus
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_document_matches_the_snapshot(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == HTTPStatus.OK
    document = response.json()
    if os.environ.get("CRIG_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(
            json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    assert document == json.loads(SNAPSHOT.read_text())


def test_every_list_endpoint_is_paged_with_count_and_items(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if not operation or "{" in path:
            continue
        parameters = {
            parameter["name"] for parameter in operation.get("parameters", [])
        }
        if not {"limit", "offset"} <= parameters:
            continue
        reference = operation["responses"]["200"]["content"]["application/json"][
            "schema"
        ]["$ref"]
        schema = schemas[reference.rsplit("/", 1)[1]]
        assert set(schema["required"]) >= {"count", "items"}, path
