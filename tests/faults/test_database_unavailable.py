"""The database going away during a request: a person gets a 503 page in the
site's layout, the API a JSON 503, the error is logged, and the next request
works again once the database is back."""

import logging
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client

from crig.members.services import api_token_create


def _refused(*args, **kwargs):
    raise OperationalError(
        'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'
    )


def _closed_cursor(*args, **kwargs):
    # What the database's own driver raises (sqlite3 or psycopg); Django wraps it
    # in its InterfaceError.
    raise connection.Database.InterfaceError("connection already closed")


FAILURES = [
    pytest.param("ensure_connection", _refused, id="connection-refused"),
    pytest.param("create_cursor", _closed_cursor, id="server-closed-connection"),
]


@pytest.fixture
def urls(settings):
    """The project's own URLconf, which declares ``handler500``."""
    settings.ROOT_URLCONF = "crig.urls"


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(("method", "failure"), FAILURES)
@pytest.mark.django_db
def test_a_page_answers_503_in_the_layout_then_recovers(
    urls, browser, monkeypatch, caplog, method, failure
):
    browser.cookies["django_language"] = "en"
    monkeypatch.setattr(connection, method, failure)

    with caplog.at_level(logging.ERROR):
        response = browser.get("/catalogue/")
    monkeypatch.undo()
    after = browser.get("/catalogue/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert '<header class="site-header"' in page
    assert "<h1>Service temporarily unavailable</h1>" in page
    assert "The service is temporarily unavailable." in page
    assert "Traceback" not in page
    assert "Log in" in page
    assert "My account" not in page
    assert any(
        r.name == "crig.core.errors"
        and "Database unavailable on /catalogue/" in r.msg % r.args
        for r in caplog.records
    )
    assert after.status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_the_page_is_french_by_default(urls, browser, monkeypatch):
    monkeypatch.setattr(connection, "ensure_connection", _refused)

    response = browser.get("/catalogue/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert '<html lang="fr">' in response.content.decode()
    assert response["Content-Language"] == "fr"


@pytest.mark.parametrize(("method", "failure"), FAILURES)
@pytest.mark.django_db
def test_the_api_answers_json_503_then_recovers(
    urls, browser, monkeypatch, method, failure
):
    monkeypatch.setattr(connection, method, failure)

    response = browser.get("/api/v1/organisations")
    monkeypatch.undo()
    after = browser.get("/api/v1/organisations")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"message"}
    assert after.status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_a_failure_in_a_middleware_is_a_503_too(
    urls, browser, monkeypatch, member_user
):
    # The bearer token is checked by ApiTokenMiddleware, before any view.
    _token, secret = api_token_create(user=member_user, name="script")
    monkeypatch.setattr(connection, "ensure_connection", _refused)

    response = browser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    monkeypatch.undo()
    after = browser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert after.status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_other_errors_stay_500(urls, browser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("crig.catalog.views.datasets.datasets_search", broken)

    response = browser.get("/catalogue/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
