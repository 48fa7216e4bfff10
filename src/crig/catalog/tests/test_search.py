"""The catalogue search (``selectors.search``) against the database.

The same tests run on SQLite (FTS5) and on PostgreSQL (``CRIG_DATABASE_URL``) and
assert exact result sets and orders, which is how "the same results in both" is
checked.
"""

import datetime
import json
import re

import pytest
from django.db import connection

from crig.catalog.models import Dataset, Keyword, Visibility
from crig.catalog.search import backends, fulltext_filter
from crig.catalog.search.index import dataset_index
from crig.catalog.selectors import search
from crig.catalog.tests.factories import (
    DatasetFactory,
    HarvestSourceFactory,
    KeywordFactory,
    ProvenanceFactory,
)
from crig.core.errors import InvalidInput

HAUTE_GARONNE_BBOX = (0.44, 42.69, 1.95, 43.92)
HERAULT_BBOX = (2.54, 43.21, 4.19, 43.97)
GERS_BBOX = (-0.28, 43.31, 1.2, 44.08)
# A triangle north-west of Toulouse: its bbox's south-east corner is empty.
TRIANGLE = {
    "type": "Polygon",
    "coordinates": [[[1.3, 43.6], [1.4, 43.7], [1.3, 43.7], [1.3, 43.6]]],
}


def _dataset(key, *, bbox=None, **fields):
    if bbox is not None:
        fields.update(
            zip(("min_lon", "min_lat", "max_lon", "max_lat"), bbox, strict=True)
        )
    return DatasetFactory(identifier=f"search-{key}", **fields)


def make_catalogue(*, producer_organisation=None) -> dict[str, Dataset]:
    """Seven records of the kinds the platforms publish, indexed."""
    geo_occitanie = HarvestSourceFactory(name="geo-occitanie", title="Géo-Occitanie")
    picto = HarvestSourceFactory(name="picto-occitanie", title="PICTO-Occitanie")
    records = {
        "ortho31": _dataset(
            "ortho31",
            title="Orthophotographie départementale de la Haute-Garonne 2022",
            abstract="Prises de vues aériennes à 20 cm de résolution.",
            producer_name="IGN",
            referentiel="orthophotographie",
            year=2022,
            revised_on=datetime.date(2023, 2, 1),
            licence="Licence Ouverte 2.0",
            bbox=HAUTE_GARONNE_BBOX,
        ),
        "ortho34": _dataset(
            "ortho34",
            title="Orthophotographies historiques de l'Hérault",
            abstract="Mosaïque des clichés de 1950 à 1965.",
            producer_name="Département de l'Hérault",
            referentiel="orthophotographie",
            year=2015,
            licence="ODbL",
            bbox=HERAULT_BBOX,
        ),
        "pcrs": _dataset(
            "pcrs",
            title="Plan Corps de Rue Simplifié de Toulouse Métropole",
            abstract="Levé des réseaux et des bâtiments en classe A.",
            producer_name="Toulouse Métropole",
            referentiel="pcrs",
            year=2023,
            licence="Licence Ouverte 2.0",
            bbox=(1.3, 43.6, 1.4, 43.7),
            footprint=json.dumps(TRIANGLE),
            footprint_is_bbox=False,
        ),
        "adresses": _dataset(
            "adresses",
            title="Base adresse locale du Gers",
            abstract="Les adresses certifiées des communes du Gers.",
            producer_name="Département du Gers",
            referentiel="adresses",
            year=2021,
            licence="Licence Ouverte 2.0",
            bbox=GERS_BBOX,
        ),
        "batiments": _dataset(
            "batiments",
            title="Bâtiments remarquables de Toulouse",
            abstract="Inventaire patrimonial.",
            producer_name="Toulouse Métropole",
            referentiel="",
            year=2010,
            licence="",
            bbox=(1.35, 43.55, 1.5, 43.65),
        ),
        "restricted": _dataset(
            "restricted",
            title="Réseau routier départemental (données internes)",
            abstract="Tronçons et ouvrages d'art.",
            producer_name="CD31",
            producer=producer_organisation,
            referentiel="",
            year=2020,
            licence="",
            visibility=Visibility.RESTRICTED,
            bbox=HAUTE_GARONNE_BBOX,
        ),
        "withdrawn": _dataset(
            "withdrawn",
            title="Orthophotographie ancienne de la Haute-Garonne",
            producer_name="IGN",
            referentiel="orthophotographie",
            year=2008,
            status=Dataset.Status.WITHDRAWN,
            bbox=HAUTE_GARONNE_BBOX,
        ),
    }
    KeywordFactory(
        dataset=records["ortho31"],
        kind=Keyword.Kind.INSPIRE,
        code="orthoimagery",
        label="Ortho-imagerie",
    )
    KeywordFactory(
        dataset=records["ortho34"],
        kind=Keyword.Kind.INSPIRE,
        code="orthoimagery",
        label="Ortho-imagerie",
    )
    KeywordFactory(
        dataset=records["ortho34"],
        kind=Keyword.Kind.FREE,
        code="patrimoine",
        label="Patrimoine",
    )
    KeywordFactory(
        dataset=records["batiments"],
        kind=Keyword.Kind.FREE,
        code="patrimoine",
        label="Patrimoine",
    )
    for key in ("ortho31", "pcrs", "restricted", "withdrawn"):
        ProvenanceFactory(dataset=records[key], source=geo_occitanie)
    for key in ("ortho34", "pcrs", "adresses"):
        ProvenanceFactory(dataset=records[key], source=picto)
    dataset_index(record.pk for record in records.values())
    return records


@pytest.fixture
def catalogue(organisation):
    return make_catalogue(producer_organisation=organisation)


def _keys(records, result):
    by_id = {record.pk: key for key, record in records.items()}
    return [by_id[pk] for pk in result.ids()]


def _search(records, user=None, **parameters):
    return _keys(records, search.datasets_search(user=user, **parameters))


# --- Full text ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("orthophotographie", ["ortho31", "ortho34"]),
        ("ORTHOPHOTOGRAPHIES", ["ortho31", "ortho34"]),
        ("orthophotographie haute-garonne", ["ortho31"]),
        ("prises de vues", ["ortho31"]),
        # The words of the référentiel are indexed with each record of it.
        ("photographies aeriennes", ["ortho31", "ortho34"]),
        ("herault", ["ortho34"]),
        ("hérault", ["ortho34"]),
        ("réseaux", ["pcrs"]),
        ("le plan de corps de rue", ["pcrs"]),
        ("PCRS", ["pcrs"]),
        ("adresse", ["adresses"]),
        # A keyword of both, in neither title: the most recent first.
        ("patrimoine", ["ortho34", "batiments"]),
        ("ortho-imagerie", ["ortho31", "ortho34"]),
        ("Toulouse Métropole", ["pcrs", "batiments"]),
        ("lidar", []),
        ("orthophotographie lidar", []),
    ],
)
def test_full_text_is_french_aware(catalogue, query, expected):
    assert _search(catalogue, q=query) == expected


@pytest.mark.django_db
def test_a_query_of_stop_words_only_filters_nothing(catalogue):
    assert _search(catalogue, q="de la", sort="date") == _search(catalogue, sort="date")
    assert _search(catalogue, sort="date") == [
        "pcrs",
        "ortho31",
        "adresses",
        "ortho34",
        "batiments",
    ]


@pytest.mark.django_db
def test_every_indexed_term_finds_exactly_the_records_holding_it(catalogue):
    """The backend (FTS5 or PostgreSQL) agrees with a plain Python reading of the
    analysed text, term by term: what makes both databases return the same."""
    records = Dataset.objects.all()
    vocabulary = {term for record in records for term in record.search_text.split()}
    assert len(vocabulary) == 54
    for term in sorted(vocabulary):
        expected = {r.pk for r in records if term in r.search_text.split()}
        sql, parameters = backends.matching_ids_sql(connection.vendor, [term])
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            found = {pk for (pk,) in cursor.fetchall()}
        assert found == expected, term


@pytest.mark.django_db
def test_search_text_is_analysed_from_title_keywords_referentiel_producer_abstract(
    catalogue,
):
    record = Dataset.objects.get(pk=catalogue["ortho34"].pk)
    assert record.search_title == " orthophotograph histor herault "
    assert record.search_text == (
        "orthophotograph histor herault ortho imager patrimoin orthophoto "
        "photograph aerien depart mosaiqu clich 1950 1965"
    )


@pytest.mark.django_db
def test_reindexing_replaces_the_old_terms(catalogue):
    record = catalogue["adresses"]
    Dataset.objects.filter(pk=record.pk).update(title="Adressage du Lot")
    dataset_index([record.pk])
    assert _search(catalogue, q="locale") == []
    assert _search(catalogue, q="lot") == ["adresses"]


@pytest.mark.django_db
def test_deleted_records_leave_the_index(catalogue):
    record = catalogue["adresses"]
    pk = record.pk
    record.delete()
    dataset_index([pk])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {backends.FTS_TABLE} WHERE rowid = %s",  # noqa: S608
                [pk],
            )
            assert cursor.fetchone() == (0,)
    assert not fulltext_filter(Dataset.objects.all(), "gers").exists()


@pytest.mark.django_db
def test_fulltext_filter_keeps_the_queryset_when_the_text_has_no_terms(catalogue):
    queryset = Dataset.objects.filter(year__gte=2020)
    assert fulltext_filter(queryset, "  ") is queryset
    assert fulltext_filter(queryset, "l'") is queryset


# --- Ranking and sorting -----------------------------------------------------------


@pytest.mark.django_db
def test_relevance_puts_title_matches_first_then_recent(catalogue):
    # "bâtiments" is in the 2010 record's title and the 2023 record's abstract.
    assert _search(catalogue, q="bâtiment") == ["batiments", "pcrs"]
    assert _search(catalogue, q="bâtiment", sort="date") == ["pcrs", "batiments"]
    # Both titles hold "Toulouse"; only one holds "bâtiments" too.
    assert _search(catalogue, q="toulouse bâtiments", sort="relevance") == [
        "batiments",
        "pcrs",
    ]


@pytest.mark.django_db
def test_relevance_counts_the_title_terms(catalogue):
    # Both titles hold "orthophotographie"; only one holds "Hérault" too.
    assert _search(catalogue, q="orthophotographie patrimoine") == ["ortho34"]
    assert _search(catalogue, q="toulouse") == ["pcrs", "batiments"]
    assert _search(catalogue, q="toulouse plan") == ["pcrs"]


@pytest.mark.django_db
def test_sort_by_title(catalogue):
    assert _search(catalogue, sort="title") == [
        "adresses",
        "batiments",
        "ortho31",
        "ortho34",
        "pcrs",
    ]


# --- Filters -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"theme": "referentiel:orthophotographie"}, ["ortho31", "ortho34"]),
        ({"theme": "orthophotographie"}, ["ortho31", "ortho34"]),
        ({"theme": "inspire:orthoimagery"}, ["ortho31", "ortho34"]),
        ({"theme": "keyword:patrimoine"}, ["ortho34", "batiments"]),
        ({"theme": "patrimoine"}, ["ortho34", "batiments"]),
        (
            {"theme": ["inspire:orthoimagery", "keyword:patrimoine"]},
            ["ortho34"],
        ),
        ({"producer": "Toulouse Métropole"}, ["pcrs", "batiments"]),
        ({"producer": ["IGN", "Département du Gers"]}, ["ortho31", "adresses"]),
        ({"licence": "ODbL"}, ["ortho34"]),
        ({"source": "geo-occitanie"}, ["pcrs", "ortho31"]),
        (
            {"source": ["geo-occitanie", "picto-occitanie"]},
            ["pcrs", "ortho31", "adresses", "ortho34"],
        ),
        ({"year_from": 2021}, ["pcrs", "ortho31", "adresses"]),
        ({"year_to": "2015"}, ["ortho34", "batiments"]),
        ({"year_from": 2015, "year_to": 2021}, ["adresses", "ortho34"]),
        (
            {"q": "toulouse", "producer": "Toulouse Métropole", "year_to": 2020},
            ["batiments"],
        ),
    ],
)
def test_filters(catalogue, parameters, expected):
    assert _search(catalogue, **parameters) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        # The Hérault only.
        ("3.0,43.5,3.5,43.8", ["ortho34"]),
        # Inside the triangle's bbox but off the triangle: not the PCRS.
        ("1.38,43.6,1.4,43.62", ["ortho31", "batiments"]),
        # Touching the triangle.
        ("1.3,43.65,1.32,43.7", ["pcrs", "ortho31"]),
        # Covering the whole triangle.
        ((1.0, 43.0, 2.0, 44.0), ["pcrs", "ortho31", "adresses", "batiments"]),
        ("-5,40,-4,41", []),
    ],
)
def test_bbox_is_an_exact_intersection_with_the_footprint(catalogue, bbox, expected):
    assert _search(catalogue, bbox=bbox) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "3,43,1,44"}, "bbox"),
        ({"bbox": "1,43,2,95"}, "bbox"),
        ({"bbox": "nan,43,2,44"}, "bbox"),
        ({"year_from": "deux mille"}, "year_from"),
        ({"year_to": 20000}, "year_to"),
        ({"year_from": 2022, "year_to": 2020}, "year_from"),
        ({"sort": "popularity"}, "sort"),
        ({"theme": "category:ortho"}, "theme"),
        ({"commune": "99999"}, "commune"),
        ({"epci": "123456789"}, "epci"),
        ({"departement": "75"}, "departement"),
    ],
)
def test_bad_parameters_raise_invalid_input_naming_the_field(
    territory, parameters, field
):
    with pytest.raises(InvalidInput) as error:
        search.datasets_search(user=None, **parameters)
    assert error.value.field == field
    assert re.search(r"\w", str(error.value.message))


# --- Visibility ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_restricted"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", True),
        ("referent_user", True),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_restricted_records_are_found_only_by_those_who_may_see_them(
    request, catalogue, role, sees_restricted
):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    expected = ["restricted"] if sees_restricted else []
    assert _search(catalogue, user=user, q="données routières") == expected
    result = search.datasets_search(user=user, q="réseau")
    assert result.count == (2 if sees_restricted else 1)
    producers = {facet.value for facet in result.facets["producer"]}
    assert ("CD31" in producers) is sees_restricted


@pytest.mark.django_db
def test_a_member_of_another_organisation_does_not_see_restricted_records(
    catalogue, other_organisation
):
    from crig.members.tests.factories import MembershipFactory

    outsider = MembershipFactory(organisation=other_organisation).person
    assert _search(catalogue, user=outsider, q="routier") == []


@pytest.mark.django_db
def test_withdrawn_records_are_not_searched(catalogue, secretariat_user):
    assert _search(catalogue, user=secretariat_user, q="ancienne") == []


# --- Facets --------------------------------------------------------------------------


def _facet(result, name):
    return [(f.value, f.label, f.count) for f in result.facets[name]]


@pytest.mark.django_db
def test_facets_count_the_current_result(catalogue):
    result = search.datasets_search(user=None, q="orthophotographie")
    assert result.count == 2
    assert _facet(result, "theme") == [
        ("referentiel:orthophotographie", "Orthophotography", 2),
        ("inspire:orthoimagery", "Ortho-imagerie", 2),
        ("keyword:patrimoine", "Patrimoine", 1),
    ]
    assert _facet(result, "producer") == [
        ("Département de l'Hérault", "Département de l'Hérault", 1),
        ("IGN", "IGN", 1),
    ]
    assert _facet(result, "source") == [
        ("geo-occitanie", "Géo-Occitanie", 1),
        ("picto-occitanie", "PICTO-Occitanie", 1),
    ]
    assert _facet(result, "licence") == [
        ("Licence Ouverte 2.0", "Licence Ouverte 2.0", 1),
        ("ODbL", "ODbL", 1),
    ]
    assert _facet(result, "year") == [("2022", "2022", 1), ("2015", "2015", 1)]


@pytest.mark.django_db
def test_facets_of_the_whole_catalogue(catalogue):
    result = search.datasets_search(user=None)
    assert result.count == 5
    assert _facet(result, "source") == [
        ("picto-occitanie", "PICTO-Occitanie", 3),
        ("geo-occitanie", "Géo-Occitanie", 2),
    ]
    assert _facet(result, "producer") == [
        ("Toulouse Métropole", "Toulouse Métropole", 2),
        ("Département de l'Hérault", "Département de l'Hérault", 1),
        ("Département du Gers", "Département du Gers", 1),
        ("IGN", "IGN", 1),
    ]
    assert _facet(result, "licence") == [
        ("Licence Ouverte 2.0", "Licence Ouverte 2.0", 3),
        ("ODbL", "ODbL", 1),
    ]
    assert [(f.value, f.count) for f in result.facets["theme"]] == [
        ("referentiel:orthophotographie", 2),
        ("referentiel:adresses", 1),
        ("referentiel:pcrs", 1),
        ("inspire:orthoimagery", 2),
        ("keyword:patrimoine", 2),
    ]
    assert [f.value for f in result.facets["year"]] == [
        "2023",
        "2022",
        "2021",
        "2015",
        "2010",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_restricted"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", True),
        ("secretariat_user", True),
    ],
)
def test_whole_catalogue_facets_count_restricted_records_only_for_those_allowed(
    request, catalogue, role, sees_restricted
):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    for code, label in (("patrimoine", "Patrimoine"), ("routes", "Routes")):
        KeywordFactory(
            dataset=catalogue["restricted"],
            kind=Keyword.Kind.FREE,
            code=code,
            label=label,
        )
    result = search.datasets_search(user=user)
    themes = [(f.value, f.label, f.count) for f in result.facets["theme"]][3:]
    if sees_restricted:
        assert result.count == 6
        assert themes == [
            ("inspire:orthoimagery", "Ortho-imagerie", 2),
            ("keyword:patrimoine", "Patrimoine", 3),
            ("keyword:routes", "Routes", 1),
        ]
        assert _facet(result, "source") == [
            ("geo-occitanie", "Géo-Occitanie", 3),
            ("picto-occitanie", "PICTO-Occitanie", 3),
        ]
        assert ("CD31", "CD31", 1) in _facet(result, "producer")
        assert [f.value for f in result.facets["year"]] == [
            "2023",
            "2022",
            "2021",
            "2020",
            "2015",
            "2010",
        ]
    else:
        assert result.count == 5
        assert themes == [
            ("inspire:orthoimagery", "Ortho-imagerie", 2),
            ("keyword:patrimoine", "Patrimoine", 2),
        ]
        assert _facet(result, "source") == [
            ("picto-occitanie", "PICTO-Occitanie", 3),
            ("geo-occitanie", "Géo-Occitanie", 2),
        ]
        assert "CD31" not in {f.value for f in result.facets["producer"]}
        assert [f.value for f in result.facets["year"]] == [
            "2023",
            "2022",
            "2021",
            "2015",
            "2010",
        ]


@pytest.mark.django_db
def test_count_is_the_same_before_and_after_the_facets(catalogue):
    counted_first = search.datasets_search(user=None, q="orthophotographie")
    assert counted_first.count == 2
    faceted_first = search.datasets_search(user=None, q="orthophotographie")
    assert faceted_first.facets["licence"][0].count == 1
    assert faceted_first.count == 2


@pytest.mark.django_db
def test_facets_of_one_search_do_not_leak_into_the_next(catalogue):
    everything = search.datasets_search(user=None)
    gers = search.datasets_search(user=None, q="adresses")
    assert _facet(everything, "source")[0] == ("picto-occitanie", "PICTO-Occitanie", 3)
    assert _facet(gers, "source") == [("picto-occitanie", "PICTO-Occitanie", 1)]
    assert _facet(everything, "source")[0] == ("picto-occitanie", "PICTO-Occitanie", 3)
    assert gers.count == 1
    assert everything.count == 5


@pytest.mark.django_db
def test_facets_follow_the_filters(catalogue):
    result = search.datasets_search(user=None, licence="Licence Ouverte 2.0")
    assert [f.value for f in result.facets["theme"]] == [
        "referentiel:adresses",
        "referentiel:orthophotographie",
        "referentiel:pcrs",
        "inspire:orthoimagery",
    ]
    assert _facet(result, "licence") == [
        ("Licence Ouverte 2.0", "Licence Ouverte 2.0", 3)
    ]


@pytest.mark.django_db
def test_facets_follow_a_bulk_write_noted_by_the_index(catalogue):
    # Warm the facet snapshot, then change a record the way harvests do (a
    # queryset update, then dataset_index): the next facets see the change.
    assert _facet(search.datasets_search(user=None), "licence")[1][2] == 1
    Dataset.objects.filter(pk=catalogue["pcrs"].pk).update(licence="ODbL")
    dataset_index([catalogue["pcrs"].pk])
    assert ("ODbL", "ODbL", 2) in _facet(search.datasets_search(user=None), "licence")


@pytest.mark.django_db
def test_facets_follow_orm_saves_of_keywords_and_records(catalogue):
    assert ("keyword:routes", "Routes", 1) not in _facet(
        search.datasets_search(user=None), "theme"
    )
    KeywordFactory(
        dataset=catalogue["pcrs"], kind=Keyword.Kind.FREE, code="routes", label="Routes"
    )
    record = catalogue["ortho34"]
    record.referentiel = "lidar"
    record.save()
    themes = _facet(search.datasets_search(user=None), "theme")
    assert ("keyword:routes", "Routes", 1) in themes
    assert ("referentiel:lidar", "LIDAR", 1) in themes


# --- Territory filters (computed coverage) ----------------------------------------


@pytest.fixture
def covered(catalogue, territory):
    """Coverage rows as the coverage service writes them."""
    from crig.catalog.models import CommuneCoverage
    from crig.catalog.services.coverage import area_coverage_refresh

    rows = [
        ("ortho31", "31555", 1.0),  # Toulouse
        ("ortho31", "31069", 1.0),  # Blagnac
        ("pcrs", "31555", 0.02),
        ("batiments", "31555", 0.005),  # a sliver along the border: not counted
        ("ortho34", "34172", 1.0),  # Montpellier
        ("restricted", "31555", 1.0),
    ]
    CommuneCoverage.objects.bulk_create(
        CommuneCoverage(dataset=catalogue[key], commune_id=insee, fraction=fraction)
        for key, insee, fraction in rows
    )
    area_coverage_refresh()
    return catalogue


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"commune": "31555"}, ["pcrs", "ortho31"]),
        ({"commune": "31069"}, ["ortho31"]),
        ({"commune": ["31069", "34172"]}, ["ortho31", "ortho34"]),
        ({"epci": "243100518"}, ["pcrs", "ortho31"]),  # Toulouse Métropole
        ({"departement": "34"}, ["ortho34"]),
        (
            {"departement": ["31", "34"], "q": "orthophotographie"},
            ["ortho31", "ortho34"],
        ),
        ({"departement": "31", "epci": "243400017"}, []),  # and Montpellier's EPCI
        ({"departement": "46"}, []),
    ],
)
def test_territory_filters_use_the_computed_coverage(covered, parameters, expected):
    assert _search(covered, **parameters) == expected


@pytest.mark.django_db
def test_territory_filters_respect_visibility(covered, member_user):
    assert _search(covered, user=member_user, commune="31555") == [
        "pcrs",
        "ortho31",
        "restricted",
    ]
