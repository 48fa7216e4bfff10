"""schemathesis against ``/api/v1/openapi.json``: no 500, answers as documented.

Every operation is fuzzed with valid and invalid input, as anonymous and with the
secretariat's API token, over the demo world (``conftest.py``); afterwards no foreign
key may dangle. The run is reproducible (fixed seed) and bounded for CI;
``CRIG_FUZZ_EXAMPLES`` and ``CRIG_FUZZ_SEED`` make a longer or another campaign
(docs/architecture/api-fuzzing.md).
"""

import os

import pytest
import schemathesis
from django.db import connection, transaction
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from crig.wsgi import application

EXAMPLES = int(os.environ.get("CRIG_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("CRIG_FUZZ_SEED", "20250901"))

# The WSGI transport hands the body over as it comes: ask for it uncompressed.
IDENTITY = {"Accept-Encoding": "identity"}

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def fuzz_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": False},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


@pytest.fixture
def api_schema(fuzz_world, db, settings, wsgi_requests_keep_the_test_connection):
    settings.MEDIA_ROOT = fuzz_world.media_root
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", application, config=fuzz_config()
    )


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def _strategies(operation, path_parameters):
    """Valid and invalid input; with path parameters, valid input on an existing
    object too."""
    yield "positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    yield "negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        existing = {name: path_parameters[name] for name in names}
        yield (
            "positive, existing object",
            operation.as_strategy(
                generation_mode=GenerationMode.POSITIVE, path_parameters=existing
            ),
        )


def fuzz_every_operation(schema, path_parameters, *, headers=None) -> list[str]:
    """Fuzz each operation; the failures, described."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, strategy in _strategies(operation, path_parameters):

            @seed(SEED)
            @FUZZ_SETTINGS
            @given(case=strategy)
            def fuzz(case):
                # A savepoint per request, as a request in autocommit would have:
                # on PostgreSQL a refused statement must not poison the next ones.
                with transaction.atomic():
                    case.call_and_validate(
                        checks=CHECKS, headers={**IDENTITY, **(headers or {})}
                    )

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameter, no body).
                if mode != "negative":
                    raise
            except BaseException as error:  # noqa: BLE001 - every failure is reported
                failures.append(f"{operation.label} ({mode}): {error}")
    return failures


def test_api_as_anonymous(api_schema, fuzz_world):
    failures = fuzz_every_operation(api_schema, fuzz_world.path_parameters)

    assert not failures, "\n\n".join(failures)
    connection.check_constraints()


def test_api_with_the_secretariat_token(api_schema, fuzz_world):
    failures = fuzz_every_operation(
        api_schema,
        fuzz_world.path_parameters,
        headers={"Authorization": f"Bearer {fuzz_world.secretariat_token}"},
    )

    assert not failures, "\n\n".join(failures)
    connection.check_constraints()
