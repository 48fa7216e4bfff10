"""The in-memory search engine (``search.engine``) against references: the same
search as one SQL queryset (``SearchResult.matched``) for which records match,
and a plain Python sort for their order; per role, on a varied catalogue.
"""

import datetime
import json
import random

import numpy as np
import pytest

from crig.catalog.models import (
    AreaCoverage,
    CommuneCoverage,
    Dataset,
    DatasetFootprint,
    Keyword,
    Visibility,
)
from crig.catalog.search import analysis, facets, spatial
from crig.catalog.search.index import dataset_index
from crig.catalog.selectors import search
from crig.catalog.services.coverage import area_coverage_refresh, coverage_compute
from crig.catalog.tests.factories import (
    DatasetFactory,
    HarvestSourceFactory,
    KeywordFactory,
    ProvenanceFactory,
)

# A triangle over Toulouse's north-west: its bbox's south-east corner is empty.
TRIANGLE = [[1.3, 43.6], [1.45, 43.75], [1.3, 43.75], [1.3, 43.6]]
WORDS = [
    "Orthophotographie",
    "orthophotographies",
    "Plan local d'urbanisme",
    "Réseau routier",
    "réseaux d'eau",
    "Zonage",
    "École",
    "ecole",
    "Adresses",
    "LIDAR HD",
    "Occupation du sol",
]
PLACES = ["Toulouse", "toulouse", "Montpellier", "Albi", "Écoles", "Auch", "Rodez"]
BOXES = [
    (1.35, 43.53, 1.51, 43.67),  # Toulouse
    (3.8, 43.55, 3.95, 43.65),  # Montpellier
    (0.44, 42.69, 1.95, 43.92),  # Haute-Garonne
    (2.1, 43.9, 2.2, 43.95),  # Albi
]


def _polygon_text(ring) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _box_ring(west, south, east, north):
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


@pytest.fixture
def world(organisation, territory):
    """About 120 records: random titles (accents, case, plural), years and
    revision dates with gaps, restricted, withdrawn and other-producer records,
    keywords, sources, rectangles and shared polygons, and commune coverage."""
    from crig.members.tests.factories import UserFactory

    rng = random.Random(20261129)  # noqa: S311 (a fixed test catalogue)
    creator = UserFactory()
    sources = [
        HarvestSourceFactory(name="geo", title="Géo-Occitanie"),
        HarvestSourceFactory(name="picto", title="PICTO-Occitanie"),
    ]
    records = []
    for _n in range(120):
        box = rng.choice(BOXES)
        shape = rng.random()
        if shape < 0.3:
            ring, is_bbox = TRIANGLE, False
            box = (1.3, 43.6, 1.45, 43.75)
        elif shape < 0.4:
            ring, is_bbox = _box_ring(*box), False  # a polygon equal to its bbox
        else:
            ring, is_bbox = _box_ring(*box), True
        year = rng.choice([None, 2015, 2020, 2020, 2022, 2024])
        record = DatasetFactory(
            title=f"{rng.choice(WORDS)} {rng.choice(PLACES)}",
            abstract=rng.choice(["", "Données du réseau routier.", "Zonage PLU"]),
            producer_name=rng.choice(["IGN", "CD31", "Région Occitanie"]),
            producer=organisation if rng.random() < 0.2 else None,
            created_by=creator if rng.random() < 0.05 else None,
            referentiel=rng.choice(["orthophotographie", "pcrs", "lidar", ""]),
            licence=rng.choice(["Licence Ouverte 2.0", "ODbL", ""]),
            year=year,
            revised_on=(
                datetime.date(year or 2019, rng.randint(1, 12), 1)
                if rng.random() < 0.6
                else None
            ),
            published_on=rng.choice([None, datetime.date(2018, 3, 1)]),
            created_on=rng.choice([None, datetime.date(2012, 5, 2)]),
            temporal_start=rng.choice([None, datetime.date(2021, 1, 1)]),
            temporal_end=rng.choice([None, datetime.date(2022, 12, 31)]),
            visibility=(
                Visibility.RESTRICTED if rng.random() < 0.2 else Visibility.PUBLIC
            ),
            status=(
                Dataset.Status.WITHDRAWN
                if rng.random() < 0.1
                else Dataset.Status.ACTIVE
            ),
            min_lon=box[0],
            min_lat=box[1],
            max_lon=box[2],
            max_lat=box[3],
            footprint=_polygon_text(ring),
            footprint_is_bbox=is_bbox,
        )
        if rng.random() < 0.5:
            KeywordFactory(
                dataset=record,
                kind=rng.choice([Keyword.Kind.INSPIRE, Keyword.Kind.FREE]),
                code=rng.choice(["orthoimagery", "transport", "eau"]),
                label=rng.choice(["Ortho-imagerie", "Transport", "Eau"]),
            )
        for source in sources:
            if rng.random() < 0.5:
                ProvenanceFactory(dataset=record, source=source, origin=source.name)
        records.append(record)
    dataset_index(record.pk for record in records)
    coverage_compute(dataset_ids=[record.pk for record in records])
    return {"records": records, "creator": creator}


ROLES = ["anonymous", "plain_user", "member_user", "secretariat_user", "creator"]
SEARCHES = [
    {},
    {"q": "orthophotographie"},
    {"q": "réseau routier"},
    {"q": "ecole toulouse"},
    {"q": "le la les"},  # stop words only: no text filter
    {"theme": "referentiel:pcrs"},
    {"theme": ["inspire:orthoimagery", "referentiel:orthophotographie"]},
    {"theme": "eau"},  # a bare keyword code
    {"producer": ["CD31", "IGN"], "licence": "ODbL"},
    {"source": "picto"},
    {"source": ["geo", "picto"], "year_from": 2020},
    {"year_from": 2016, "year_to": 2022},
    {"bbox": "1.40,43.62,1.50,43.70"},  # cuts the triangle's empty corner
    {"bbox": "1.41,43.60,1.46,43.64"},  # inside the empty corner only
    {"bbox": "1.2,43.5,1.6,43.8", "q": "toulouse"},
    {"commune": "31555"},
    {"epci": "243400017"},
    {"departement": "31"},
    {"departement": ["31", "34"], "q": "zonage", "sort": "date"},
    {"q": "orthophotographie toulouse", "sort": "title"},
]


def _user(request, role, world):
    if role == "anonymous":
        return None
    if role == "creator":
        return world["creator"]
    return request.getfixturevalue(role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_engine_matches_and_counts_what_the_sql_reference_does(
    request, world, role
):
    user = _user(request, role, world)
    for parameters in SEARCHES:
        result = search.datasets_search(user=user, **parameters)
        reference = sorted(result.matched.values_list("pk", flat=True))
        assert sorted(result.ids()) == reference, parameters
        assert result.count == len(reference), parameters
        expected_facets = search._facets(
            facets.facet_counts(np.asarray(reference, dtype=np.int64)), using="default"
        )
        assert result.facets == expected_facets, parameters


def _python_order(records, terms, sort):
    """The documented order, written plainly."""

    def title_key(record):
        return (analysis.fold(record.title), record.title, record.pk)

    def date_key(record):
        return (
            record.year is None,
            -(record.year or 0),
            record.revised_on is None,
            -(record.revised_on.toordinal() if record.revised_on else 0),
            *title_key(record),
        )

    if sort == "title":
        return sorted(records, key=title_key)
    if sort == "relevance" and terms:

        def score(record):
            title_terms = set(record.search_title.split())
            return sum(term in title_terms for term in terms)

        return sorted(records, key=lambda r: (-score(r), *date_key(r)))
    return sorted(records, key=date_key)


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["relevance", "date", "title"])
@pytest.mark.parametrize(
    "q", ["", "orthophotographie toulouse", "ecole", "réseau routier toulouse"]
)
def test_the_order_is_the_documented_one(world, secretariat_user, sort, q):
    result = search.datasets_search(user=secretariat_user, q=q, sort=sort)
    records = list(result.matched)
    expected = [r.pk for r in _python_order(records, analysis.query_terms(q), sort)]
    assert result.ids() == expected
    # Pages are slices of that order, wherever they start.
    assert result.ids(3, 9) == expected[3:9]
    assert [d.pk for d in result.page(5, 12)] == expected[5:12]
    assert result.ids(len(expected), len(expected) + 5) == []


@pytest.mark.django_db
def test_a_restriction_applies_at_once_even_without_a_change_noted(world):
    """Visibility comes from SQL on every search, never from the snapshot."""
    result = search.datasets_search(user=None)
    shown = result.ids()
    target = shown[0]
    # A queryset update: no signal, no dataset_index, no change noted.
    Dataset.objects.filter(pk=target).update(visibility=Visibility.RESTRICTED)
    again = search.datasets_search(user=None)
    assert target not in again.ids()
    assert again.count == len(shown) - 1
    Dataset.objects.filter(pk=shown[1]).update(status=Dataset.Status.WITHDRAWN)
    assert shown[1] not in search.datasets_search(user=None).ids()


@pytest.mark.django_db
def test_a_change_noted_rebuilds_the_snapshot(world):
    before = search.datasets_search(user=None, q="xylophone").count
    assert before == 0
    record = DatasetFactory(title="Xylophone de Toulouse", year=2024)
    dataset_index([record.pk])
    result = search.datasets_search(user=None, q="xylophone")
    assert result.ids() == [record.pk]
    assert result.facets["year"][0].value == "2024"


@pytest.mark.django_db
def test_a_page_leaves_out_a_record_deleted_meanwhile(world):
    result = search.datasets_search(user=None, sort="title")
    first_ids = result.ids(0, 5)
    Dataset.objects.filter(pk=first_ids[0]).delete()
    assert [d.pk for d in result.page(0, 5)] == first_ids[1:]


# --- Area coverage -------------------------------------------------------------------


@pytest.mark.django_db
def test_area_coverage_is_the_largest_commune_share_per_epci_and_departement(world):
    from crig.territory.models import Commune

    communes = {c.insee: c for c in Commune.objects.all()}
    expected = {}
    for row in CommuneCoverage.objects.all():
        commune = communes[row.commune_id]
        for kind, code in (
            ("epci", commune.epci_id),
            ("departement", commune.departement_id),
        ):
            if code:
                key = (row.dataset_id, kind, code)
                expected[key] = max(expected.get(key, 0.0), row.fraction)
    assert expected, "the world has commune coverage"
    stored = {
        (a.dataset_id, a.kind, a.code): a.fraction for a in AreaCoverage.objects.all()
    }
    assert stored == pytest.approx(expected)


@pytest.mark.django_db
def test_area_coverage_follows_a_recomputed_dataset(world):
    record = next(r for r in world["records"] if r.max_lon == 1.95)  # Haute-Garonne
    assert AreaCoverage.objects.filter(dataset=record, code="31").exists()
    Dataset.objects.filter(pk=record.pk).update(
        footprint=_polygon_text(_box_ring(3.8, 43.55, 3.95, 43.65)),
        min_lon=3.8,
        min_lat=43.55,
        max_lon=3.95,
        max_lat=43.65,
    )
    coverage_compute(dataset_ids=[record.pk])
    codes = set(AreaCoverage.objects.filter(dataset=record).values_list("kind", "code"))
    assert ("departement", "34") in codes
    assert ("departement", "31") not in codes
    # A full refresh gives the same rows as the incremental one.
    before = sorted(AreaCoverage.objects.values_list("dataset", "kind", "code"))
    area_coverage_refresh()
    assert sorted(AreaCoverage.objects.values_list("dataset", "kind", "code")) == before


# --- Shared footprints ----------------------------------------------------------------


@pytest.mark.django_db
def test_records_sharing_a_footprint_share_one_digest_and_one_parsed_shape(world):
    triangles = [
        r.pk for r in world["records"] if r.footprint == _polygon_text(TRIANGLE)
    ]
    assert len(triangles) > 5
    digests = set(
        DatasetFootprint.objects.filter(dataset_id__in=triangles).values_list(
            "digest", flat=True
        )
    )
    assert len(digests) == 1
    (digest,) = digests
    spatial.shape_cache.clear()
    result = search.datasets_search(user=None, bbox="1.41,43.60,1.46,43.64")
    assert not set(triangles) & set(result.ids())
    assert list(spatial.shape_cache.get_many([digest])) == [digest]


@pytest.mark.django_db
def test_a_changed_footprint_is_tested_with_its_new_shape(world):
    """The cache is keyed by content: a new footprint is a new digest."""
    record = next(r for r in world["records"] if r.footprint == _polygon_text(TRIANGLE))
    empty_corner = "1.41,43.60,1.46,43.64"
    search.datasets_search(user=None, bbox=empty_corner).ids()  # warms the cache
    # Mirrored triangle: now the south-east corner is full.
    mirrored = [[1.3, 43.6], [1.45, 43.6], [1.45, 43.75], [1.3, 43.6]]
    Dataset.objects.filter(pk=record.pk).update(
        footprint=_polygon_text(mirrored),
        visibility=Visibility.PUBLIC,
        status=Dataset.Status.ACTIVE,
    )
    dataset_index([record.pk])
    assert record.pk in search.datasets_search(user=None, bbox=empty_corner).ids()


# --- The standards' repository -----------------------------------------------------

CQL = [
    "",
    "AnyText LIKE '%orthophotographie%'",
    "AnyText LIKE '%le%'",  # stop words only: matches everything
    "NOT AnyText LIKE '%toulouse%'",
    "dc:title LIKE '%Toulouse%'",
    "NOT dc:title LIKE '%école%'",
    "apiso:Subject = 'Eau' OR AnyText LIKE '%zonage%'",
    "BBOX(ows:BoundingBox, 1.40, 43.62, 1.50, 43.70)",
    "NOT BBOX(ows:BoundingBox, 1.41, 43.60, 1.46, 43.64)",
    "BBOX(ows:BoundingBox, 1.2, 43.5, 1.6, 43.8) AND AnyText LIKE '%réseau%'",
    "apiso:RevisionDate > '2019-12-31' AND NOT AnyText LIKE '%adresses%'",
    "NOT (BBOX(ows:BoundingBox, 3, 43, 4, 44) OR AnyText LIKE '%lidar%')",
    "dc:title LIKE 'ortho%'",
    "dc:title LIKE '%TOULOUSE'",
    "dc:title = 'zonage albi' OR dc:title LIKE '%'",
    "dc:title LIKE '%École%'",  # not ASCII: SQL
    "dc:title LIKE 'Z_nage%'",  # one-character wildcard: SQL
    "dc:subject LIKE '%eau%' OR dc:subject LIKE 'ortho%'",
    "apiso:Modified >= '2020-01-01'",
    "apiso:Modified < '2019-01-01' OR apiso:PublicationDate = '2018-03-01'",
    "apiso:CreationDate <= '2012-05-02' AND apiso:RevisionDate > '2015-06-01'",
    "apiso:TempExtent_begin BETWEEN '2022-01-01' AND '2023-06-30'",
    "apiso:TempExtent_end >= '2022-12-31'",
    "NOT apiso:Modified >= '2020-01-01'",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member_user", "secretariat_user"])
@pytest.mark.parametrize("with_user", [True, False])
def test_the_repository_counts_and_pages_what_its_sql_does(
    request, world, role, with_user
):
    from django.contrib.auth.models import AnonymousUser

    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.catalog.standards import filters
    from crig.catalog.standards.repository import DatasetRepository

    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    for text in CQL:
        repository = DatasetRepository(
            datasets_published_to(user), user=user if with_user else None
        )
        tree = filters.parse_cql(text)
        expected = list(repository.matching(tree).values_list("identifier", flat=True))
        assert repository.count(tree) == repository.count_in_sql(tree), text
        assert repository.count(tree) == len(expected), text
        page = [record.identifier for record in repository.page(tree, limit=500)]
        assert page == expected, text
        assert [
            record.identifier for record in repository.page(tree, offset=7, limit=5)
        ] == expected[7:12], text


@pytest.mark.django_db
@pytest.mark.parametrize("surface", ["search", "standards"])
def test_a_record_committed_while_the_snapshot_is_built_is_not_shown_unchecked(
    world, monkeypatch, surface
):
    """A restricted record written by another process right as the snapshot is
    (re)built must not reach an anonymous search: the hidden records are read
    after the snapshot."""
    from django.contrib.auth.models import AnonymousUser

    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.catalog.standards.repository import DatasetRepository

    original = facets.snapshot
    written = []

    def snapshot_with_a_concurrent_write(*args, **kwargs):
        if not written:
            secret = DatasetFactory(
                title="Écoute confidentielle", visibility=Visibility.RESTRICTED
            )
            dataset_index([secret.pk])
            written.append(secret.pk)
        return original(*args, **kwargs)

    monkeypatch.setattr(facets, "snapshot", snapshot_with_a_concurrent_write)
    if surface == "search":
        result = search.datasets_search(user=None)
        ids = result.ids()
        assert written, "the concurrent write happened"
        assert written[0] not in ids
        assert result.count == len(ids)
    else:
        anonymous = AnonymousUser()
        repository = DatasetRepository(datasets_published_to(anonymous), user=anonymous)
        identifiers = [record.identifier for record in repository.page(None, limit=500)]
        assert written, "the concurrent write happened"
        assert Dataset.objects.get(pk=written[0]).identifier not in identifiers
        assert repository.count(None) == len(identifiers)
