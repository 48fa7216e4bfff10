from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_index(client, territory):
    response = client.get(reverse("territory:index"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Haute-Garonne" in content
    assert 'data-geojson-url="/api/v1/departements?format=geojson"' in content
    assert "Rechercher" in content
    assert response.context["summary"].commune_count == 4453


def test_index_search(client, territory):
    response = client.get(reverse("territory:index"), {"q": "saint girons"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["results"][0].insee == "09261"
    assert 'href="/territoire/communes/09261/"' in response.content.decode()


def test_commune_page(client, toulouse):
    response = client.get(reverse("territory:commune_detail", args=["31555"]))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "<h1>Toulouse" in content
    assert "Toulouse Métropole" in content
    assert "Population municipale" in content
    assert 'data-geojson-url="/api/v1/communes/31555?format=geojson"' in content


def test_epci_page(client, toulouse_metropole):
    response = client.get(toulouse_metropole.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert len(response.context["members"]) == 37
    assert "Métropole" in response.content.decode()


def test_straddling_epci_page_says_so(client, territory):
    response = client.get(reverse("territory:epci_detail", args=["200035129"]))

    assert "07294" in response.content.decode()


def test_departement_page(client, haute_garonne):
    response = client.get(haute_garonne.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert response.context["prefecture"].insee == "31555"
    assert "Toulouse Métropole" in content
    assert 'scope="col"' in content


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("territory:commune_detail", "99999"),
        ("territory:epci_detail", "000000000"),
        ("territory:departement_detail", "75"),
    ],
)
def test_unknown_codes(client, territory, name, code):
    response = client.get(reverse(name, args=[code]))

    assert response.status_code == HTTPStatus.NOT_FOUND
