from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.core.models import SiteText

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_texts():
    SiteText.objects.create(
        key=SiteText.Key.HOME_INTRO,
        title_fr="Le CRIG Occitanie",
        title_en="CRIG Occitanie",
        body_fr="Un conseil sans hiérarchie.",
        body_en="A council without hierarchy.",
    )


def test_home_speaks_french_whatever_the_browser_asks(client, home_texts):
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Language"] == "fr"
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Le CRIG Occitanie" in content
    assert "Un conseil sans hiérarchie." in content
    assert "Accueil" in content


def test_language_switch_turns_the_site_to_english(client, home_texts):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "A council without hierarchy." in content
    assert "Home" in content


def test_language_switch_ignores_unknown_languages(client):
    client.cookies["django_language"] = "xx"

    response = client.get(reverse("core:home"))

    assert response["Content-Language"] == "fr"


def test_home_shows_no_text_block_that_was_not_written(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == HTTPStatus.OK
    assert 'id="roles-title"' not in response.content.decode()


def test_health_answers_when_the_database_does(client):
    response = client.get(reverse("core:health"))

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


def test_data_sources_page_names_the_licences(client):
    response = client.get(reverse("core:about_data"))

    content = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Licence Ouverte" in content
    assert "AGPL-3.0-or-later" in content


def test_unknown_page_is_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "La page demandée n'existe pas" in response.content.decode()


@pytest.mark.django_db
def test_request_body_over_the_limit_is_the_sites_own_400(client, settings):
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before any view
    # runs: the page says why, in French and English.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(reverse("members:login"), {"username": "x" * 2000})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Requête refusée" in response.content.decode()
    assert "too large" in response.content.decode()


def test_api_request_body_over_the_limit_is_a_json_400(client, settings, member_user):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(member_user)

    response = client.post(
        "/api/v1/needs",
        '{"title": "' + "x" * 2000 + '"}',
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["message"]
