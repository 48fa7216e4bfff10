"""The published OpenAPI document is a contract: changes to it are deliberate.

Regenerate the snapshot with ``CRIG_UPDATE_SNAPSHOTS=1 make test`` and review the diff.
"""

import json
import os
from collections import defaultdict
from http import HTTPStatus
from pathlib import Path

import pydantic

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


def _api_models(cls=pydantic.BaseModel):
    for subclass in cls.__subclasses__():
        if subclass.__module__.startswith("crig."):
            yield subclass
        yield from _api_models(subclass)


def test_each_schema_name_stands_for_one_shape():
    """The document names its schemas after their classes: two classes of one name
    but different fields would silently share one entry, and the API would answer
    otherwise than it says."""
    import crig.api  # noqa: F401 - registers every module's schemas

    shapes = defaultdict(set)
    for model in set(_api_models()):
        shape = json.dumps(model.model_json_schema(), sort_keys=True)
        shapes[model.__name__].add(shape)

    assert {name: len(s) for name, s in shapes.items() if len(s) > 1} == {}
