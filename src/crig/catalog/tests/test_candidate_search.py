"""The harvest's candidate search in the database (``matching.CandidateSearch``
over ``DatasetTitleWord``): the same candidates as the rule computed in memory,
and title words kept up to date by every write to a record."""

import random
from datetime import timedelta

import pytest
import shapely
from django.utils import timezone

from crig.catalog.ingest.records import RecordData
from crig.catalog.models import (
    Dataset,
    DatasetTitleWord,
    DuplicateCandidate,
    Provenance,
)
from crig.catalog.search.index import dataset_index
from crig.catalog.services import matching
from crig.catalog.services.records import RecordWriter, provenances_withdraw
from crig.catalog.tests.factories import DatasetFactory
from crig.catalog.tests.test_matching import MemoryCandidates

pytestmark = pytest.mark.django_db

WORDS = (
    "orthophotographie plan corps rue simplifie lidar occupation sol adresses "
    "reseau eau assainissement toulouse montpellier herault gard aude lot tarn "
    "haute garonne 2019 2022 20 cm"
).split()


def _words_of(dataset_id):
    return sorted(
        DatasetTitleWord.objects.filter(dataset_id=dataset_id).values_list(
            "word", flat=True
        )
    )


def _active_candidates():
    return {
        pk: matching.Candidate(
            pk, title, producer, None if w is None else (w, s, e, n), year
        )
        for pk, title, producer, w, s, e, n, year in Dataset.objects.filter(
            status=Dataset.Status.ACTIVE
        ).values_list(
            "pk",
            "title",
            "producer_name",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "year",
        )
    }


def _as_tuples(candidates):
    return [
        (c.dataset_id, c.key, c.producer, c.numbers, c.bbox, c.year) for c in candidates
    ]


def test_the_database_search_gives_the_candidates_of_the_rule_in_memory():
    """Hundreds of datasets: "orthophotographie" and "occitanie" are in more than
    ``FREQUENT_WORD`` of them (left out, or used alone for titles of frequent
    words only); withdrawn datasets are not candidates; a very long word is not
    looked up."""
    rng = random.Random(11)
    ids = []
    for n in range(900):
        words = rng.sample(WORDS, rng.randint(1, 4))
        if n % 2:
            words.append("orthophotographie")
        if n % 3:
            words.append("Occitanie")
        ids.append(
            DatasetFactory(
                title=" ".join(words),
                producer_name=rng.choice(["IGN", "CD31", ""]),
                year=rng.choice([None, 2019, 2022]),
            ).pk
        )
    long_word = "x" * (DatasetTitleWord.MAX_LENGTH + 1)
    ids.append(DatasetFactory(title=f"Cadastre {long_word}").pk)
    dataset_index(ids)
    Dataset.objects.filter(pk__in=ids[:900:10]).update(status=Dataset.Status.WITHDRAWN)
    dataset_index(ids[:900:10])

    memory = MemoryCandidates(_active_candidates())
    assert memory.sizes["orthophotographie"] > matching.FREQUENT_WORD
    assert memory.sizes["occitanie"] > matching.FREQUENT_WORD
    keys = {
        matching.title_key(" ".join(rng.sample(WORDS, rng.randint(1, 3))))
        for _ in range(150)
    } | {
        "occitanie orthophotographie",  # frequent words only
        "orthophotographie",
        "cadastre",
        "inconnu",
        "",
    }
    search = matching.CandidateSearch(keys)

    assert (
        sum(len(search.candidates(key)) == matching.MAX_CANDIDATES for key in keys) > 50
    )
    for key in keys:
        assert _as_tuples(search.candidates(key)) == _as_tuples(
            memory.candidates(key)
        ), key
    assert [c.dataset_id for c in search.candidates("cadastre")] == [ids[-1]]
    # A long word is not a way in.
    assert matching.CandidateSearch([long_word]).candidates(long_word) == []
    withdrawn = set(ids[:900:10])
    assert not any(
        c.dataset_id in withdrawn for key in keys for c in search.candidates(key)
    )


def test_title_words_follow_edits_withdrawals_reactivations_and_deletions():
    now = timezone.now()
    report = RecordWriter(origin="platform-a", seen_at=now).write(
        [
            _record("a-1", "Plan de Corps de Rue Simplifié — Albi"),
            _record("a-2", "Adresses du Tarn"),
        ]
    )
    dataset_id, other_id = report.dataset_ids
    assert _words_of(dataset_id) == ["albi", "corps", "plan", "rue", "simplifie"]

    Dataset.objects.filter(pk=dataset_id).update(title="PCRS Albi")
    dataset_index([dataset_id])
    assert _words_of(dataset_id) == ["albi", "pcrs"]

    # The source lists a-2 alone: a-1's dataset is withdrawn.
    later = now + timedelta(hours=1)
    RecordWriter(origin="platform-a", seen_at=later).write(
        [_record("a-2", "Adresses du Tarn")]
    )
    provenances_withdraw(origin="platform-a", seen_at=later)
    assert Dataset.objects.get(pk=dataset_id).status == Dataset.Status.WITHDRAWN
    assert _words_of(dataset_id) == []
    assert _words_of(other_id) == ["adresses", "tarn"]

    # Listed again: active again, found again.
    RecordWriter(origin="platform-a", seen_at=later + timedelta(hours=1)).write(
        [_record("a-1", "PCRS Albi", content="changed")]
    )
    assert Dataset.objects.get(pk=dataset_id).status == Dataset.Status.ACTIVE
    assert _words_of(dataset_id) == ["albi", "pcrs"]

    Dataset.objects.filter(pk=dataset_id).delete()
    assert not DatasetTitleWord.objects.filter(dataset_id=dataset_id).exists()

    # Written by ``dataset_index`` only (a factory's dataset has none before).
    made = DatasetFactory(title="Occupation du sol")
    assert _words_of(made.pk) == []
    dataset_index([made.pk])
    assert _words_of(made.pk) == ["occupation", "sol"]


def _record(identifier, title, *, content="", origin=""):
    return RecordData(
        origin=origin,
        identifier=identifier,
        remote_identifier=identifier,
        title=title,
        producer_name="Toulouse Métropole",
        footprint=shapely.box(1.35, 43.53, 1.51, 43.67),
        document=f"<doc id='{identifier}'>{content}</doc>",
        document_format="iso19139",
    )


def test_a_run_finds_the_datasets_its_earlier_batches_created():
    """Batch 2 of a run is compared with the datasets batch 1 created (written,
    with their words, before batch 2 is searched); within one batch, records
    are compared with the catalogue as it was before the batch. (Files: each
    record of its own origin, so a run's records may merge.)"""
    writer = RecordWriter(origin="file", seen_at=timezone.now())
    first = writer.write(
        [_record("f-1", "Plan de corps de rue simplifié Toulouse", origin="file:1")]
    )
    second = writer.write(
        [
            _record("f-2", "PCRS Plan de corps de rue simplifié", origin="file:2"),
            _record("f-3", "Plan corps rue simplifié - Toulouse", origin="file:3"),
        ]
    )
    same_batch = writer.write(
        [
            _record("f-4", "Lidar HD Toulouse", origin="file:4"),
            _record("f-5", "LIDAR HD - Toulouse", origin="file:5"),
        ]
    )
    later = writer.write([_record("f-6", "Toulouse : lidar HD", origin="file:6")])

    created = first.dataset_ids[0]
    # f-3 is the same dataset as f-1 (equal title keys): merged.
    assert second.dataset_ids[1] == created
    assert second.merged == 1
    # f-2's title differs: a dataset of its own, noted as a possible duplicate.
    assert second.dataset_ids[0] != created
    assert DuplicateCandidate.objects.filter(  # stored as (smaller, larger id)
        dataset_id=created, other_id=second.dataset_ids[0]
    ).exists()
    # f-4 and f-5 came in one batch: not compared with each other.
    assert same_batch.merged == 0
    assert len(set(same_batch.dataset_ids)) == 2
    # f-6 ties between them: the first in candidate order (the smaller id).
    assert later.dataset_ids == [min(same_batch.dataset_ids)]


def test_a_platform_never_merges_two_of_its_records_even_through_an_earlier_merge():
    """The rule never merges two records of one platform: a dataset that took a
    record of this platform by a merge earlier in the run is not merged into
    again by another of its records (the database knows; the run holds no set)."""
    now = timezone.now()
    RecordWriter(origin="platform-a", seen_at=now).write(
        [_record("a-1", "Orthophotographie Toulouse 2022")]
    )
    writer = RecordWriter(origin="platform-b", seen_at=now)
    merged = writer.write([_record("b-1", "Orthophotographie de Toulouse 2022")])
    again = writer.write([_record("b-2", "Orthophotographie - Toulouse 2022")])

    dataset_id = merged.dataset_ids[0]
    assert Provenance.objects.filter(dataset_id=dataset_id).count() == 2
    assert again.dataset_ids[0] != dataset_id
    assert again.merged == 0
