"""What the catalogue holds on a need's territory: live from the commune coverage,
only what the person may see, with phrase-ready figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crig.catalog.models import CommuneCoverage, Dataset, Referentiel, Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.needs.models import Theme
from crig.needs.selectors.matching import need_match, needs_gap_shares
from crig.needs.tests.factories import NeedFactory, SupportFactory
from crig.territory.models import Commune


def _covering(fractions: dict[str, float], **fields) -> Dataset:
    dataset = DatasetFactory(**fields)
    CommuneCoverage.objects.bulk_create(
        [
            CommuneCoverage(dataset=dataset, commune_id=insee, fraction=fraction)
            for insee, fraction in fractions.items()
        ]
    )
    return dataset


def _areas(*codes):
    return dict(
        Commune.objects.filter(insee__in=codes).values_list("insee", "area_km2")
    )


@pytest.fixture
def two_communes(territory):
    """An orthophotography need over Toulouse and Blagnac, wanting 20 cm."""
    return NeedFactory(
        theme=Theme.ORTHOPHOTO, resolution_m=0.2, communes=["31555", "31069"]
    )


def test_a_dataset_covering_one_commune_of_two(two_communes):
    ortho = _covering(
        {"31555": 1.0},
        title="BD ORTHO Haute-Garonne",
        year=2023,
        resolution_m=0.2,
        producer_name="IGN",
    )
    areas = _areas("31555", "31069")
    total = areas["31555"] + areas["31069"]

    match = need_match(user=None, need=two_communes)

    assert match.referentiel == "orthophotographie"
    assert match.area_km2 == pytest.approx(total)
    assert match.covered_share == pytest.approx(areas["31555"] / total)
    assert match.gap_share == pytest.approx(areas["31069"] / total)
    [dataset] = match.datasets
    assert (dataset.dataset_id, dataset.title, dataset.year, dataset.communes) == (
        ortho.pk,
        "BD ORTHO Haute-Garonne",
        2023,
        1,
    )
    assert dataset.fine_enough is True
    percent = round(100 * areas["31555"] / total)
    assert dataset.summary == (
        f"{percent} % de la surface couverte par BD ORTHO Haute-Garonne (2023, 20 cm)"
    )
    assert [
        (c.insee, c.status, c.best and c.best.dataset_id) for c in match.communes
    ] == [
        ("31069", "gap", None),
        ("31555", "covered", ortho.pk),
    ]


def test_the_most_recent_dataset_is_the_best_of_a_commune(two_communes):
    old = _covering({"31555": 1.0, "31069": 1.0}, year=2016, resolution_m=0.5)
    recent = _covering({"31555": 1.0}, year=2023, resolution_m=0.05)

    match = need_match(user=None, need=two_communes, older_than=5)

    best = {c.insee: (c.best.dataset_id, c.status) for c in match.communes}
    assert best == {"31069": (old.pk, "outdated"), "31555": (recent.pk, "covered")}
    assert match.covered_share == pytest.approx(1.0)
    assert match.gap_share == pytest.approx(0.0)
    assert [d.dataset_id for d in match.datasets] == [old.pk, recent.pk]
    assert [d.fine_enough for d in match.datasets] == [False, True]


def test_partial_shares_take_the_smaller_of_the_two(territory):
    need = NeedFactory(theme=Theme.LIDAR, communes=["31555"])
    need.commune_links.update(fraction=0.5)
    _covering({"31555": 0.3}, referentiel=Referentiel.LIDAR, year=2021)
    area = _areas("31555")["31555"]

    match = need_match(user=None, need=need)

    assert match.area_km2 == pytest.approx(0.5 * area)
    assert match.covered_share == pytest.approx(0.3 / 0.5)
    assert match.datasets[0].area_share == pytest.approx(0.6)
    # 30 % of the commune is under the 95 % needed to call the commune covered.
    assert match.communes[0].status == "gap"


def test_other_themes_and_other_referentiels_do_not_count(two_communes):
    _covering({"31555": 1.0}, referentiel=Referentiel.LIDAR)
    need = NeedFactory(theme=Theme.HYDROGRAPHY, communes=["31555"])

    assert need_match(user=None, need=two_communes).datasets == []
    match = need_match(user=None, need=need)
    assert (match.referentiel, match.covered_share, match.gap_share) == (None, 0.0, 1.0)
    assert [c.status for c in match.communes] == ["gap"]


def test_restricted_and_withdrawn_datasets_count_only_for_who_may_see_them(
    two_communes, secretariat_user
):
    _covering({"31555": 1.0}, visibility=Visibility.RESTRICTED)
    _covering({"31069": 1.0}, status=Dataset.Status.WITHDRAWN)

    assert need_match(user=None, need=two_communes).datasets == []
    assert len(need_match(user=secretariat_user, need=two_communes).datasets) == 1


def test_the_consolidated_territory_includes_the_supports(two_communes):
    SupportFactory(need=two_communes, communes=["34172"])
    _covering({"34172": 1.0})

    own = need_match(user=None, need=two_communes)
    consolidated = need_match(user=None, need=two_communes, consolidated=True)

    assert own.datasets == []
    assert [c.insee for c in consolidated.communes] == ["31069", "31555", "34172"]
    assert consolidated.covered_share == pytest.approx(
        _areas("34172")["34172"] / consolidated.area_km2
    )


def test_gap_shares_of_a_list_agree_with_the_match_in_a_few_queries(
    two_communes, territory
):
    _covering({"31555": 1.0})
    _covering({"31069": 0.5}, referentiel=Referentiel.LIDAR)
    lidar = NeedFactory(theme=Theme.LIDAR, communes=["31069"])
    SupportFactory(need=lidar, communes=["31555"])
    other = NeedFactory(theme=Theme.OTHER)
    needs = [two_communes, lidar, other]

    with CaptureQueriesContext(connection) as queries:
        gaps = needs_gap_shares(user=None, needs=needs)

    assert len(queries) == 4
    assert gaps == {
        need.pk: pytest.approx(
            need_match(user=None, need=need, consolidated=True).gap_share
        )
        for need in needs
    }
    assert gaps[other.pk] == 1.0
    assert 0 < gaps[lidar.pk] < 1


def test_figures_read_naturally(territory):
    need = NeedFactory(communes=["31555"])
    _covering({"31555": 0.999}, title="Ortho 2012", year=None, resolution_m=1.5)

    [dataset] = need_match(user=None, need=need).datasets

    assert dataset.summary == "> 99 % de la surface couverte par Ortho 2012 (1,5 m)"


def test_gap_shares_of_needs_over_many_communes_are_the_same(
    two_communes, territory, monkeypatch
):
    """Past ``_COMMUNES_IN_SQL`` communes the coverage is read without the commune
    filter and the communes picked in Python: the same figures."""
    _covering({"31555": 1.0, "31069": 0.4, "34172": 0.7})
    _covering({"31069": 0.9}, referentiel=Referentiel.LIDAR)
    lidar = NeedFactory(theme=Theme.LIDAR, communes=["31069", "31555"])
    needs = [two_communes, lidar]
    expected = needs_gap_shares(user=None, needs=needs)

    monkeypatch.setattr("crig.needs.selectors.matching._COMMUNES_IN_SQL", 0)

    assert needs_gap_shares(user=None, needs=needs) == pytest.approx(expected)
    assert 0 < expected[two_communes.pk] < 1
    assert 0 < expected[lidar.pk] < 1
