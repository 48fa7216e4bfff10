"""Upserting records: identifiers, similarity, provenance, withdrawal, duplicates."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from shapely.geometry import box

from crig.catalog.ingest.records import DistributionData, KeywordData, RecordData
from crig.catalog.models import Dataset, DuplicateCandidate, Keyword, Provenance
from crig.catalog.services.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    dataset_merge,
    dataset_upsert,
    duplicate_mark_distinct,
    provenances_withdraw,
    records_upsert,
)
from crig.core.errors import PermissionDenied

MONDAY = datetime(2025, 3, 3, 8, tzinfo=UTC)
TUESDAY = datetime(2025, 3, 4, 8, tzinfo=UTC)


def record(identifier="ortho-31-2022", **changes) -> RecordData:
    data = RecordData(
        identifier=identifier,
        title="Orthophotographie Haute-Garonne 2022",
        abstract="Prise de vue aérienne à 20 cm.",
        producer_name="IGN",
        year=2022,
        footprint=box(0.44, 42.69, 2.05, 43.92),
        keywords=[KeywordData("keyword", "ortho", "Ortho")],
        distributions=[DistributionData("wms", "https://data.geopf.fr/wms-r/wms")],
        document=f"<doc id='{identifier}'/>",
        document_format="iso19139",
    )
    return replace(data, **changes).finish()


@pytest.mark.django_db
def test_new_record_creates_a_dataset_with_its_provenance():
    dataset, outcome = dataset_upsert(
        record=record(), origin="geo-occitanie", seen_at=MONDAY
    )

    assert outcome == CREATED
    assert dataset.referentiel == "orthophotographie"
    assert (dataset.min_lon, dataset.max_lat) == (0.44, 43.92)
    assert dataset.footprint_is_bbox is True
    assert (dataset.first_seen_at, dataset.last_seen_at) == (MONDAY, MONDAY)
    provenance = dataset.provenances.get()
    assert (provenance.origin, provenance.remote_identifier) == (
        "geo-occitanie",
        "ortho-31-2022",
    )
    assert provenance.document == "<doc id='ortho-31-2022'/>"
    assert sorted(dataset.keywords.values_list("kind", "code")) == [
        ("keyword", "ortho"),
        ("referentiel", "orthophotographie"),
    ]
    assert dataset.search_text  # indexed


@pytest.mark.django_db
def test_same_document_again_is_unchanged_and_only_seen_later():
    dataset_upsert(record=record(), origin="geo-occitanie", seen_at=MONDAY)

    dataset, outcome = dataset_upsert(
        record=record(), origin="geo-occitanie", seen_at=TUESDAY
    )

    assert outcome == UNCHANGED
    assert (dataset.first_seen_at, dataset.last_seen_at) == (MONDAY, TUESDAY)
    assert dataset.provenances.get().last_seen_at == TUESDAY


@pytest.mark.django_db
def test_changed_document_updates_fields_keywords_and_links():
    dataset_upsert(record=record(), origin="geo-occitanie", seen_at=MONDAY)
    changed = record(
        title="Orthophotographie Haute-Garonne 2022 (20 cm)",
        keywords=[KeywordData("keyword", "aerien", "Aérien")],
        distributions=[],
        document="<doc v='2'/>",
    )

    dataset, outcome = dataset_upsert(
        record=changed, origin="geo-occitanie", seen_at=TUESDAY
    )

    assert outcome == UPDATED
    assert dataset.title == "Orthophotographie Haute-Garonne 2022 (20 cm)"
    assert sorted(dataset.keywords.values_list("code", flat=True)) == [
        "aerien",
        "orthophotographie",
    ]
    assert dataset.distributions.count() == 0
    assert dataset.provenances.get().document == "<doc v='2'/>"


@pytest.mark.django_db
def test_same_identifier_on_two_platforms_is_one_dataset():
    first, _ = dataset_upsert(record=record(), origin="geo-occitanie", seen_at=MONDAY)

    second, outcome = dataset_upsert(
        record=record(producer_email="ortho@ign.fr"), origin="picto", seen_at=TUESDAY
    )

    assert outcome == CREATED
    assert second.pk == first.pk
    assert sorted(second.provenances.values_list("origin", flat=True)) == [
        "geo-occitanie",
        "picto",
    ]
    assert second.producer_email == "ortho@ign.fr"  # filled from the second platform


@pytest.mark.django_db
def test_resource_identifier_matches_when_file_identifiers_differ():
    first, _ = dataset_upsert(
        record=record(resource_identifier="IGNF_ORTHO_31"), origin="a", seen_at=MONDAY
    )

    second, _ = dataset_upsert(
        record=record("other-file-id", resource_identifier="IGNF_ORTHO_31"),
        origin="b",
        seen_at=MONDAY,
    )

    assert second.pk == first.pk


@pytest.mark.django_db
def test_similar_record_of_another_platform_is_merged():
    first, _ = dataset_upsert(record=record(), origin="a", seen_at=MONDAY)

    second, _ = dataset_upsert(
        record=record(
            "uuid-elsewhere", title="Orthophotographie de la Haute-Garonne 2022"
        ),
        origin="b",
        seen_at=MONDAY,
    )

    assert second.pk == first.pk
    assert Dataset.objects.count() == 1


@pytest.mark.django_db
def test_grey_zone_creates_a_dataset_and_a_possible_duplicate():
    first, _ = dataset_upsert(record=record(), origin="a", seen_at=MONDAY)

    second, outcome = dataset_upsert(
        record=record(
            "ortho-31-2019", title="Orthophotographie Haute-Garonne 2019", year=2019
        ),
        origin="b",
        seen_at=MONDAY,
    )

    assert outcome == CREATED
    assert second.pk != first.pk
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.dataset_id, candidate.other_id) == (first.pk, second.pk)
    assert candidate.reasons["footprint"] == 1.0


@pytest.mark.django_db
def test_producer_is_linked_to_a_member_organisation(organisation):
    by_name, _ = dataset_upsert(
        record=record(producer_name="CONSEIL DEPARTEMENTAL DE LA HAUTE GARONNE"),
        origin="a",
        seen_at=MONDAY,
    )
    by_acronym, _ = dataset_upsert(
        record=record("x", title="Adresses", producer_name="Département (CD31)"),
        origin="a",
        seen_at=MONDAY,
    )

    assert by_name.producer == organisation
    assert by_acronym.producer == organisation


@pytest.mark.django_db
def test_batch_of_many_records_costs_few_queries(django_assert_max_num_queries):
    records = [
        record(
            f"id-{n}", title=f"Jeu de données {n}", footprint=box(n, 40, n + 0.5, 41)
        )
        for n in range(50)
    ]
    records_upsert(records=records, origin="a", seen_at=MONDAY)

    with django_assert_max_num_queries(6):
        report = records_upsert(records=records, origin="a", seen_at=TUESDAY)

    assert report.count(UNCHANGED) == 50


@pytest.mark.django_db
def test_withdrawn_everywhere_means_dataset_withdrawn_not_deleted():
    dataset, _ = dataset_upsert(record=record(), origin="a", seen_at=MONDAY)
    dataset_upsert(record=record("other", title="Autre"), origin="a", seen_at=TUESDAY)

    withdrawn = provenances_withdraw(origin="a", seen_at=TUESDAY)

    dataset.refresh_from_db()
    assert len(withdrawn) == 1
    assert dataset.status == Dataset.Status.WITHDRAWN
    assert dataset.provenances.get().withdrawn_at == TUESDAY
    # Back at the source: active again, counted as updated.
    again, outcome = dataset_upsert(record=record(), origin="a", seen_at=TUESDAY)
    assert (again.status, outcome) == (Dataset.Status.ACTIVE, UPDATED)


@pytest.mark.django_db
def test_merge_moves_provenances_and_keywords(secretariat_user):
    keep, _ = dataset_upsert(record=record(), origin="a", seen_at=MONDAY)
    other, _ = dataset_upsert(
        record=record(
            "ortho-31-2019",
            title="Orthophotographie Haute-Garonne 2019",
            year=2019,
            keywords=[KeywordData("keyword", "vol", "Vol")],
        ),
        origin="b",
        seen_at=MONDAY,
    )

    merged = dataset_merge(keep=keep, other=other, by=secretariat_user)

    assert not Dataset.objects.filter(pk=other.pk).exists()
    assert sorted(merged.provenances.values_list("origin", flat=True)) == ["a", "b"]
    assert Keyword.objects.filter(dataset=merged, code="vol").exists()
    assert DuplicateCandidate.objects.count() == 0


@pytest.mark.django_db
def test_only_the_secretariat_merges_or_keeps_apart(member_user):
    keep, _ = dataset_upsert(record=record(), origin="a", seen_at=MONDAY)
    other, _ = dataset_upsert(
        record=record(
            "ortho-31-2019", title="Orthophotographie Haute-Garonne 2019", year=2019
        ),
        origin="b",
        seen_at=MONDAY,
    )

    with pytest.raises(PermissionDenied):
        dataset_merge(keep=keep, other=other, by=member_user)
    with pytest.raises(PermissionDenied):
        duplicate_mark_distinct(
            candidate=DuplicateCandidate.objects.get(), by=member_user
        )
    assert Provenance.objects.count() == 2


@pytest.mark.django_db
def test_keep_apart(secretariat_user):
    dataset_upsert(record=record(), origin="a", seen_at=MONDAY)
    dataset_upsert(
        record=record(
            "ortho-31-2019", title="Orthophotographie Haute-Garonne 2019", year=2019
        ),
        origin="b",
        seen_at=MONDAY,
    )

    candidate = duplicate_mark_distinct(
        candidate=DuplicateCandidate.objects.get(), by=secretariat_user
    )

    assert (candidate.status, candidate.decided_by) == ("distinct", secretariat_user)
