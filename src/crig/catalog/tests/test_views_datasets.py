"""The catalogue pages: search, record, manual entry."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.catalog.models import CommuneCoverage, Dataset
from crig.catalog.tests.factories import DatasetFactory
from crig.catalog.tests.test_search import make_catalogue

SEARCH_URL = "/catalogue/"


@pytest.fixture
def catalogue(organisation):
    return make_catalogue(producer_organisation=organisation)


def test_url_names():
    assert reverse("catalog:search") == SEARCH_URL
    assert (
        reverse("catalog:dataset_detail", args=[7]) == "/catalogue/jeux-de-donnees/7/"
    )
    assert reverse("catalog:dataset_create") == "/catalogue/jeux-de-donnees/nouveau/"
    assert reverse("catalog:dataset_edit", args=[7]) == (
        "/catalogue/jeux-de-donnees/7/modifier/"
    )


@pytest.mark.django_db
def test_search_page_lists_results_facets_and_map(client, catalogue):
    response = client.get(SEARCH_URL, {"q": "orthophotographie", "sort": "date"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["count"] == 2
    assert [d.title for d in response.context["results"]] == [
        "Orthophotographie départementale de la Haute-Garonne 2022",
        "Orthophotographies historiques de l'Hérault",
    ]
    page = response.content.decode()
    assert 'name="producer" value="IGN"' in page
    assert 'value="referentiel:orthophotographie"' in page
    assert (
        'data-geojson-url="/api/v1/datasets?q=orthophotographie&amp;sort=date'
        '&amp;format=geojson&amp;limit=500"'
    ) in page


@pytest.mark.django_db
def test_checked_facets_filter_and_stay_checked(client, catalogue):
    response = client.get(SEARCH_URL, {"producer": ["Toulouse Métropole"]})
    assert [d.title for d in response.context["results"]] == [
        "Plan Corps de Rue Simplifié de Toulouse Métropole",
        "Bâtiments remarquables de Toulouse",
    ]
    assert 'value="Toulouse Métropole" id="facet-producer-1" checked' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_search_page_pages(client, catalogue):
    for number in range(25):
        DatasetFactory(title=f"Lidar bloc {number:02d}", year=2000)
    from crig.catalog.search.index import dataset_index

    dataset_index(Dataset.objects.values_list("pk", flat=True))
    first = client.get(SEARCH_URL, {"q": "lidar", "sort": "title"})
    assert first.context["count"] == 25
    assert len(first.context["results"]) == 20
    assert first.context["next_url"] == "?q=lidar&sort=title&page=2"
    second = client.get(SEARCH_URL, {"q": "lidar", "sort": "title", "page": 2})
    assert [d.title for d in second.context["results"]] == [
        f"Lidar bloc {n}" for n in range(20, 25)
    ]


@pytest.mark.django_db
def test_bad_filters_show_a_message_not_an_error(client, catalogue):
    response = client.get(SEARCH_URL, {"bbox": "1,2"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "ouest,sud,est,nord" in response.context["error"]


@pytest.mark.django_db
def test_restricted_records_are_hidden_from_outsiders(client, catalogue, member_user):
    record = catalogue["restricted"]
    url = record.get_absolute_url()
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.get(SEARCH_URL, {"q": "routier"}).context["count"] == 0
    client.force_login(member_user)
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.get(SEARCH_URL, {"q": "routier"}).context["count"] == 1


@pytest.mark.django_db
def test_record_page_shows_metadata_provenance_and_communes(
    client, catalogue, territory
):
    record = catalogue["pcrs"]
    CommuneCoverage.objects.create(dataset=record, commune_id="31555", fraction=0.125)
    response = client.get(record.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Plan Corps de Rue Simplifié de Toulouse Métropole" in page
    assert "Géo-Occitanie" in page
    assert "PICTO-Occitanie" in page
    assert "/territoire/communes/31555/" in page
    assert f"/api/v1/datasets/{record.pk}/communes" in page
    assert f'data-geojson-url="/api/v1/datasets/{record.pk}?format=geojson"' in page
    # Source documents are for the staff.
    assert "/sources/" not in page


@pytest.mark.django_db
def test_withdrawn_and_demo_records_are_marked(client, secretariat_user):
    record = DatasetFactory(status=Dataset.Status.WITHDRAWN, is_demo=True)
    client.force_login(secretariat_user)
    response = client.get(record.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'class="message message-error" role="status"' in page
    assert 'class="badge"' in page


@pytest.mark.django_db
def test_staff_open_the_verbatim_source_document(
    client, catalogue, secretariat_user, member_user
):
    record = catalogue["ortho31"]
    provenance = record.provenances.get()
    provenance.document = "<gmd:MD_Metadata>…</gmd:MD_Metadata>"
    provenance.save()
    url = reverse("catalog:provenance_document", args=[record.pk, provenance.pk])
    client.force_login(member_user)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(secretariat_user)
    assert url in client.get(record.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.decode() == "<gmd:MD_Metadata>…</gmd:MD_Metadata>"


FORM = {
    "title": "Adresses de Colomiers",
    "abstract": "Base adresse locale.",
    "producer_name": "Mairie de Colomiers",
    "referentiel": "adresses",
    "licence": "Licence Ouverte 2.0",
    "visibility": "public",
    "revised_on": "2024-05-02",
    "keywords": "adresse, voirie",
    "west": "1.28",
    "south": "43.58",
    "east": "1.36",
    "north": "43.63",
    "distributions-TOTAL_FORMS": "2",
    "distributions-INITIAL_FORMS": "0",
    "distributions-MIN_NUM_FORMS": "0",
    "distributions-MAX_NUM_FORMS": "50",
    "distributions-0-kind": "download",
    "distributions-0-url": "https://example.org/ban.csv",
    "distributions-0-name": "ban.csv",
    "distributions-1-kind": "wms",
    "distributions-1-url": "",
}


@pytest.mark.django_db
def test_the_secretariat_enters_a_record_through_the_form(client, secretariat_user):
    client.force_login(secretariat_user)
    url = reverse("catalog:dataset_create")
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, FORM)
    dataset = Dataset.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.year == 2024
    assert dataset.max_lat == 43.63
    assert list(dataset.distributions.values_list("kind", "url")) == [
        ("download", "https://example.org/ban.csv")
    ]
    assert sorted(dataset.keywords.values_list("label", flat=True)) == [
        "adresse",
        "voirie",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"footprint_geojson": '{"type": "Point", "coordinates": [1, 43]}'},
            "footprint_geojson",
        ),
        ({"footprint_geojson": "{not json"}, "footprint_geojson"),
        ({"east": "1.0"}, "__all__"),
        ({"north": ""}, "__all__"),
        ({"title": ""}, "title"),
        ({"west": "20", "east": "21", "south": "10", "north": "11"}, "footprint"),
    ],
)
def test_bad_form_input_changes_nothing(client, secretariat_user, changes, field):
    client.force_login(secretariat_user)
    response = client.post(reverse("catalog:dataset_create"), {**FORM, **changes})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.context["form"].errors
    assert list(errors) == [field if field != "footprint" else "__all__"]
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_a_referent_edits_their_organisation_record(
    client, referent_user, organisation
):
    record = DatasetFactory(producer=organisation, title="Ancien titre")
    client.force_login(referent_user)
    url = reverse("catalog:dataset_edit", args=[record.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].initial["west"] == 1.35
    response = client.post(
        url, {**FORM, "title": "Nouveau titre", "producer": organisation.pk}
    )
    assert response.status_code == HTTPStatus.FOUND
    record.refresh_from_db()
    assert record.title == "Nouveau titre"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "create_status", "edit_status"),
    [
        ("plain_user", HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.OK, HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.OK, HTTPStatus.OK),
    ],
)
def test_who_may_enter_and_edit(
    client, request, other_organisation, role, create_status, edit_status
):
    record = DatasetFactory(producer=other_organisation)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("catalog:dataset_create")).status_code == create_status
    edit_url = reverse("catalog:dataset_edit", args=[record.pk])
    assert client.get(edit_url).status_code == edit_status


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("catalog:dataset_create"))
    assert response.status_code == HTTPStatus.FOUND
    assert "/login" in response["Location"] or "connexion" in response["Location"]
