"""The permission matrix: every route × every role gets the answer ``matrix.py``
writes for it, and every route has an entry (see
``docs/architecture/permission-matrix.md``).

A refused request (sign-in redirect, 401, 403, 404, 405) must also leave the
database as it was: every INSERT, UPDATE and DELETE it sends is recorded, and only
the session and the login-lockout records may be written.
"""

import pytest
from django.db import transaction

from tests.security import matrix, requesting, routes
from tests.security.roles import ROLES

HINT = """
Add an entry to tests/security/matrix.py for each missing key, e.g.

    "needs:detail": E(DRAFT_NEED, pk=Obj("draft_need.pk")),
    "GET /api/v1/needs/{need_id}": E(DRAFT_NEED, need_id=Obj("draft_need.pk")),
    "admin:needs.need": AdminEntry(READ_ONLY, READ_ONLY),

with the policy each role must get (PUBLIC, SIGNED_IN, SECRETARIAT_ONLY… or
policy(default, role=answer)) and, for URL keywords, the world's object that
fills them (tests/security/conftest.py builds the world; add one if needed).
Remove the entries listed as stale. See docs/architecture/permission-matrix.md."""


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory():
    """The world's files live in its own temporary directory for the module
    (``matrix_world``); the per-test one of the root conftest would hide them."""


def test_every_route_has_an_entry_and_every_entry_a_route():
    keys = routes.all_keys()
    written = set(matrix.MATRIX) | set(matrix.ADMIN)
    missing = sorted(keys - written)
    stale = sorted(written - keys)
    assert (missing, stale) == ([], []), (
        f"Routes without an entry: {missing}\nEntries without a route: {stale}\n" + HINT
    )


def test_every_admin_url_family_has_an_answer():
    unanswered = []
    for key, model_routes in routes.admin_model_routes().items():
        model = routes.admin_models()[key]
        entry = matrix.ADMIN.get(key)
        if entry is None:
            continue  # reported by the test above
        for route in model_routes:
            family = requesting.admin_family(route, model)
            for answers in (entry.secretariat, entry.admin):
                if family not in answers:
                    unanswered.append(f"{key} {family}")
    assert not unanswered, f"Admin URL families without an answer: {unanswered}"


def test_every_entry_answers_for_every_role():
    incomplete = [
        key for key, entry in matrix.MATRIX.items() if set(entry.expect) != set(ROLES)
    ]
    assert not incomplete


def _check(client, method, url, expected, *, api, writers, role):
    with transaction.atomic():
        with requesting.writes_recorded() as writes:
            response = requesting.send(client, method, url, api=api)
        transaction.set_rollback(True)
    got = requesting.answer(response)
    assert got == expected, (
        f"{role} {method} {url}: expected {expected}, got {got}"
        f" ({response.status_code} {response.headers.get('Location', '')})"
    )
    if writers is not None:
        may_write = role in writers
    else:
        may_write = expected not in matrix.REFUSALS
    if not may_write:
        assert not writes, f"{role} {method} {url} refused but wrote {set(writes)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(matrix.MATRIX))
def test_route_answers_each_role_as_written(key, role, matrix_world, matrix_client):
    entry = matrix.MATRIX[key]
    method, url = requesting.entry_url(key, entry, matrix_world)
    _check(
        matrix_client(role),
        method,
        url,
        entry.expect[role],
        api=key in matrix.API,
        writers=entry.writers,
        role=role,
    )


def _admin_cases():
    cases = []
    for key, model_routes in sorted(routes.admin_model_routes().items()):
        for route in model_routes:
            cases.append(pytest.param(key, route, id=route.key.removeprefix("admin:")))
    return cases


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("key", "route"), _admin_cases())
def test_admin_url_answers_each_role_as_written(
    key, route, role, matrix_world, matrix_client
):
    model = routes.admin_models()[key]
    entry = matrix.ADMIN[key]
    if entry.obj is not None:
        object_pk = requesting.fill(entry.obj, matrix_world)
    else:
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"the world has no {model._meta.label} to open"
        object_pk = first.pk
    family = requesting.admin_family(route, model)
    _check(
        matrix_client(role),
        "GET",
        requesting.admin_url(route, object_pk),
        matrix.admin_expectation(key, family)[role],
        api=False,
        writers=None,
        role=role,
    )
