"""Coverage selectors, REST API and pages, with permissions per role and exports."""

import csv
import datetime
import io
import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.catalog.models import Dataset, Referentiel, Visibility
from crig.catalog.selectors import coverage as selectors
from crig.catalog.selectors.visibility import datasets_published_to
from crig.catalog.services.coverage import coverage_compute
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import InvalidInput
from crig.members.models import Membership
from crig.members.tests import factories as member_factories

# A box around Toulouse (1.3503–1.5152 E, 43.5327–43.6685 N) and a small box
# inside Toulouse, covering a few percent of it.
AROUND_TOULOUSE = {"min_lon": 1.33, "min_lat": 43.52, "max_lon": 1.53, "max_lat": 43.68}
INSIDE_TOULOUSE = {"min_lon": 1.43, "min_lat": 43.59, "max_lon": 1.45, "max_lat": 43.61}


@pytest.fixture
def catalogue(toulouse, organisation):
    """Orthophotos over Toulouse: a public one of 2018, a restricted one of 2023
    produced by ``organisation``, a public small one of 2024 (too small to count),
    and a public land-cover dataset of 2021."""
    public = DatasetFactory(title="Ortho publique 2018", year=2018, **AROUND_TOULOUSE)
    restricted = DatasetFactory(
        title="Ortho restreinte 2023",
        year=2023,
        visibility=Visibility.RESTRICTED,
        producer=organisation,
        **AROUND_TOULOUSE,
    )
    small = DatasetFactory(title="Ortho partielle 2024", year=2024, **INSIDE_TOULOUSE)
    land_cover = DatasetFactory(
        title="OCS GE 2021",
        year=2021,
        referentiel=Referentiel.LAND_COVER,
        resolution_m=None,
        **AROUND_TOULOUSE,
    )
    withdrawn = DatasetFactory(
        title="Ortho retirée 2025",
        year=2025,
        status=Dataset.Status.WITHDRAWN,
        **AROUND_TOULOUSE,
    )
    coverage_compute()
    return {
        "public": public,
        "restricted": restricted,
        "small": small,
        "land_cover": land_cover,
        "withdrawn": withdrawn,
    }


@pytest.fixture
def other_member(other_organisation):
    return member_factories.MembershipFactory(
        person__email="other@example.org",
        organisation=other_organisation,
        role=Membership.Role.MEMBER,
    ).person


ROLES_SEEING_RESTRICTED = {
    "anonymous": False,
    "other_member": False,
    "member_user": True,
    "secretariat_user": True,
    "admin_user": True,
}


def _client_for(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _coverage_url(insee="31555", **query):
    url = reverse("api:catalog_commune_coverage", args=[insee])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _referentiel_url(referentiel="orthophotographie", **query):
    url = reverse("api:catalog_referentiel_coverage", args=[referentiel])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- Selectors -----------------------------------------------------------------------


def test_datasets_covering_filters_on_computed_coverage(catalogue):
    datasets = Dataset.objects.all()

    touching = selectors.datasets_covering(datasets, communes=["31555"])
    mostly = selectors.datasets_covering(datasets, communes=["31555"], min_fraction=0.5)
    elsewhere = selectors.datasets_covering(datasets, communes=["34172"])

    assert set(touching) == set(catalogue.values())
    assert catalogue["small"] not in set(mostly)
    assert len(mostly) == 4
    assert list(elsewhere) == []


def test_commune_ids_covered_lists_insee_codes(catalogue):
    codes = selectors.commune_ids_covered(catalogue["small"].pk)

    assert codes == ["31555"]


def test_best_is_the_most_recent_then_the_latest_revision(toulouse):
    older = DatasetFactory(
        year=2022, revised_on=datetime.date(2022, 3, 1), **AROUND_TOULOUSE
    )
    newer = DatasetFactory(
        year=2022, revised_on=datetime.date(2023, 1, 1), **AROUND_TOULOUSE
    )
    undated = DatasetFactory(year=None, **AROUND_TOULOUSE)
    coverage_compute(dataset_ids=[older.pk, newer.pk, undated.pk])

    coverage = selectors.referentiel_coverage(
        user=None, referentiel="orthophotographie", departement="31"
    )

    toulouse_row = next(row for row in coverage.rows if row.commune.insee == "31555")
    assert toulouse_row.best.dataset["pk"] == newer.pk
    assert toulouse_row.status == "covered"


def test_outdated_and_gaps(catalogue):
    coverage = selectors.referentiel_coverage(
        user=None,
        referentiel="orthophotographie",
        departement="31",
        older_than=5,
        today=datetime.date(2025, 6, 1),
    )

    statuses = {row.commune.insee: row.status for row in coverage.rows}
    assert statuses["31555"] == "outdated"  # best visible: 2018, 7 years old
    assert statuses["31003"] == "gap"  # Agassac, far from Toulouse
    assert sum(coverage.counts.values()) == coverage.commune_count == 586
    assert coverage.counts["covered"] == 0


def test_gaps_only_keeps_gaps_and_outdated(catalogue):
    coverage = selectors.referentiel_coverage(
        user=None, referentiel="orthophotographie", departement="31", gaps_only=True
    )

    assert "31555" not in {row.commune.insee for row in coverage.rows}
    assert len(coverage.rows) == coverage.counts["gap"]


def test_summary_per_referentiel(catalogue):
    summaries = {
        summary.referentiel: summary
        for summary in selectors.coverage_summary(user=None)
    }

    ortho = summaries[Referentiel.ORTHOPHOTO]
    assert ortho.dataset_count == 2  # public and small; not restricted, withdrawn
    assert ortho.commune_count == 4453
    assert ortho.covered_count == 7  # Toulouse and the neighbours inside the box
    assert ortho.median_year == 2018
    assert summaries[Referentiel.LIDAR].covered_count == 0
    assert summaries[Referentiel.LIDAR].median_year is None


@pytest.mark.parametrize("user", [None, "producer"])
def test_summary_agrees_with_the_referentiel_coverage(
    catalogue, member_user, django_assert_max_num_queries, user
):
    person = member_user if user else None  # a member of the restricted's producer

    # One count of the communes, then two queries per référentiel: no commune is
    # loaded one by one, nor all of them per référentiel.
    with django_assert_max_num_queries(1 + 2 * len(Referentiel)):
        summaries = selectors.coverage_summary(user=person)

    for summary in summaries:
        coverage = selectors.referentiel_coverage(
            user=person, referentiel=summary.referentiel
        )
        assert summary.covered_count == 4453 - coverage.counts["gap"]
        assert summary.median_year == coverage.median_year
        assert summary.dataset_count == (
            datasets_published_to(person)
            .filter(referentiel=summary.referentiel)
            .count()
        )


@pytest.mark.parametrize("min_share", [0, -0.5, 1.5])
def test_min_share_out_of_range_is_refused(db, min_share):
    with pytest.raises(InvalidInput):
        selectors.referentiel_coverage(
            user=None, referentiel="orthophotographie", min_share=min_share
        )


def test_min_share_setting_is_the_default(catalogue, settings):
    settings.CATALOG_COVERAGE_MIN_SHARE = 0.01

    summary = selectors.commune_coverage(user=None, insee="31555")

    ortho = next(t for t in summary.themes if t.referentiel == "orthophotographie")
    assert summary.min_share == 0.01
    assert ortho.best.dataset["pk"] == catalogue["small"].pk


# --- API: one commune -----------------------------------------------------------------


@pytest.mark.parametrize(("role", "sees_restricted"), ROLES_SEEING_RESTRICTED.items())
def test_commune_coverage_per_role(client, request, catalogue, role, sees_restricted):
    client = _client_for(client, request, role)

    response = client.get(_coverage_url())

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["insee"] == "31555"
    assert body["min_share"] == 0.95
    themes = {theme["referentiel"]: theme for theme in body["themes"]}
    assert list(themes) == ["orthophotographie", "occupation_du_sol"]
    ortho = themes["orthophotographie"]
    titles = [dataset["title"] for dataset in ortho["datasets"]]
    expected_best = (
        "Ortho restreinte 2023" if sees_restricted else "Ortho publique 2018"
    )
    assert ortho["best"]["title"] == expected_best
    assert ortho["best"]["fraction"] == 1.0
    assert ("Ortho restreinte 2023" in titles) is sees_restricted
    assert "Ortho retirée 2025" not in titles
    # Most recent first; the small one is listed but is not the best.
    assert titles[0] == "Ortho partielle 2024"
    assert 0 < ortho["datasets"][0]["fraction"] < 0.1


def test_commune_coverage_min_share_parameter(client, catalogue):
    response = client.get(_coverage_url(min_share=0.01))

    ortho = response.json()["themes"][0]
    assert ortho["best"]["title"] == "Ortho partielle 2024"


def test_commune_coverage_of_an_unknown_commune_is_404(client, db):
    response = client.get(_coverage_url("99999"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"message": "Commune inconnue."}


def test_commune_coverage_with_a_bad_share_is_422(client, catalogue):
    response = client.get(_coverage_url(min_share=2))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


# --- API: one référentiel -------------------------------------------------------------


@pytest.mark.parametrize(("role", "sees_restricted"), ROLES_SEEING_RESTRICTED.items())
def test_referentiel_coverage_json_per_role(
    client, request, catalogue, role, sees_restricted
):
    client = _client_for(client, request, role)

    response = client.get(_referentiel_url(epci="243100518", limit=200))

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["referentiel"] == "orthophotographie"
    assert body["count"] == 37  # Toulouse Métropole
    assert len(body["items"]) == 37
    toulouse = next(item for item in body["items"] if item["insee"] == "31555")
    expected = "Ortho restreinte 2023" if sees_restricted else "Ortho publique 2018"
    assert toulouse["best"]["title"] == expected
    assert toulouse["status"] == "covered"
    assert sum(body["counts"].values()) == 37


def test_referentiel_coverage_pages(client, catalogue):
    first = client.get(_referentiel_url(departement="31", limit=10)).json()
    second = client.get(_referentiel_url(departement="31", limit=10, offset=10)).json()

    assert first["count"] == second["count"] == 586
    assert len(first["items"]) == 10
    assert first["items"][0]["insee"] == "31001"
    assert second["items"][0]["insee"] != first["items"][-1]["insee"]


def test_referentiel_coverage_geojson_has_outlines_and_colours(client, catalogue):
    response = client.get(_referentiel_url(epci="243100518", format="geojson"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert collection["numberMatched"] == 37
    toulouse = next(f for f in collection["features"] if f["id"] == "31555")
    assert toulouse["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert toulouse["properties"]["best"]["title"] == "Ortho publique 2018"
    assert toulouse["properties"]["style"]["fillColor"].startswith("#")


@pytest.mark.parametrize("format", ["geojson", "csv", "json"])
def test_referentiel_coverage_of_the_region_costs_a_few_queries(
    client, catalogue, django_assert_max_num_queries, format
):
    with django_assert_max_num_queries(4):  # no query per commune
        response = client.get(_referentiel_url(format=format, limit=5000))

    assert response.status_code == HTTPStatus.OK
    if format == "geojson":
        features = json.loads(response.content)["features"]
        toulouse = next(f for f in features if f["id"] == "31555")
        assert toulouse["properties"]["url"] == "/territoire/communes/31555/"
        assert toulouse["properties"]["departement"] == "31"
        assert toulouse["properties"]["epci"] == "243100518"
        assert toulouse["properties"]["best"]["url"] == reverse(
            "catalog:dataset_detail", args=[toulouse["properties"]["best"]["id"]]
        )
        assert len(features) == 4453


@pytest.mark.parametrize(("role", "sees_restricted"), ROLES_SEEING_RESTRICTED.items())
def test_referentiel_coverage_csv_per_role(
    client, request, catalogue, role, sees_restricted
):
    client = _client_for(client, request, role)

    response = client.get(_referentiel_url(epci="243100518", format="csv"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 37
    toulouse = next(row for row in rows if row["insee"] == "31555")
    assert toulouse["name"] == "Toulouse"
    assert toulouse["status"] == "covered"
    assert toulouse["fraction"] == "1.0"
    assert (toulouse["dataset_title"] == "Ortho restreinte 2023") is sees_restricted
    assert ("Ortho restreinte" in response.content.decode()) is sees_restricted


def test_referentiel_coverage_gaps_older_than(client, catalogue):
    response = client.get(_referentiel_url(epci="243100518", older_than=1, gaps="true"))

    body = response.json()
    statuses = {item["status"] for item in body["items"]}
    assert statuses <= {"gap", "outdated"}
    assert "31555" in {item["insee"] for item in body["items"]}  # 2018 data


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        (
            _referentiel_url("cadastre"),
            HTTPStatus.NOT_FOUND,
            "Référentiel inconnu.",
        ),
        (
            _referentiel_url(departement="99"),
            HTTPStatus.NOT_FOUND,
            "Département inconnu.",
        ),
        (_referentiel_url(epci="123456789"), HTTPStatus.NOT_FOUND, "EPCI inconnu."),
    ],
)
def test_referentiel_coverage_bad_input(client, db, url, status, message):
    response = client.get(url)

    assert response.status_code == status
    assert response.json() == {"message": message}


@pytest.mark.parametrize(
    "query", [{"min_share": 0}, {"older_than": -1}, {"format": "xml"}]
)
def test_referentiel_coverage_invalid_parameters_are_422(client, db, query):
    response = client.get(_referentiel_url(**query))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


# --- Pages ---------------------------------------------------------------------------


def test_index_page_summarises_each_referentiel(client, catalogue):
    response = client.get(reverse("catalog:coverage_index"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for referentiel in Referentiel:
        assert reverse("catalog:coverage_referentiel", args=[referentiel.value]) in html
    assert "2018" in html


@pytest.mark.parametrize(("role", "sees_restricted"), ROLES_SEEING_RESTRICTED.items())
def test_referentiel_page_per_role(client, request, catalogue, role, sees_restricted):
    client = _client_for(client, request, role)

    response = client.get(
        reverse("catalog:coverage_referentiel", args=["orthophotographie"]),
        {"epci": "243100518"},
    )

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Toulouse" in html
    assert ("Ortho restreinte 2023" in html) is sees_restricted
    assert "format=csv" in html
    assert "format=geojson" in html
    assert "data-crig-map" in html


def test_referentiel_page_filters_and_pages(client, catalogue):
    response = client.get(
        reverse("catalog:coverage_referentiel", args=["orthophotographie"]),
        {"departement": "31", "min_share": "50", "older_than": "3", "page": "2"},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["page"].number == 2
    assert response.context["coverage"].min_share == 0.5
    assert "min_share=0.5" in response.context["csv_url"]
    assert "older_than=3" in response.context["csv_url"]


def test_referentiel_page_unknown_referentiel_is_404(client, db):
    response = client.get(reverse("catalog:coverage_referentiel", args=["cadastre"]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_referentiel_page_bad_filter_is_400_with_the_form(client, db):
    response = client.get(
        reverse("catalog:coverage_referentiel", args=["orthophotographie"]),
        {"min_share": "500"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "errorlist" in response.content.decode()


def test_referentiel_coverage_csv_neutralises_formulas(client, toulouse):
    # A harvested title is not to be trusted: no cell may start a formula, even
    # when a French spreadsheet splits the line on semicolons.
    DatasetFactory(
        title='=HYPERLINK("http://evil.example","x");@SUM(1)', **AROUND_TOULOUSE
    )
    coverage_compute()

    response = client.get(_referentiel_url(departement="31", format="csv"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    toulouse_row = next(row for row in rows if row["insee"] == "31555")
    assert toulouse_row["dataset_title"] == (
        '\'=HYPERLINK("http://evil.example","x");\'@SUM(1)'
    )
