"""The similarity rule (pure functions, no database)."""

import pytest

from crig.catalog.services.matching import (
    Candidate,
    MatchIndex,
    bbox_iou,
    producer_similarity,
    similarity,
    title_similarity,
)


class Probe:
    def __init__(self, title, producer_name="", bbox=None, year=None):
        self.title, self.producer_name, self.bbox, self.year = (
            title,
            producer_name,
            bbox,
            year,
        )


TOULOUSE = (1.35, 43.53, 1.51, 43.67)


def test_titles_equal_up_to_accents_case_order_and_stop_words():
    assert (
        title_similarity(
            "Orthophotographie de la Haute-Garonne", "HAUTE GARONNE orthophotographie"
        )
        == 1.0
    )


def test_producer_similarity():
    assert producer_similarity("IGN", "ign") == 1.0
    assert producer_similarity("", "IGN") == 0.5
    assert producer_similarity("Région Occitanie", "Conseil régional Occitanie") == 0.25


def test_bbox_iou():
    assert bbox_iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(1 / 7)
    assert bbox_iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0
    assert bbox_iou(None, (0, 0, 1, 1)) == 0.5


def test_same_dataset_on_two_platforms_is_mergeable():
    found = similarity(
        Probe("Orthophotographie Haute-Garonne 2022", "IGN", TOULOUSE, 2022),
        Candidate(
            7, "Orthophotographie de la Haute-Garonne 2022", "IGN", TOULOUSE, 2022
        ),
    )

    assert found.mergeable is True
    assert found.score == pytest.approx(1.0)


def test_other_vintage_is_never_merged():
    found = similarity(
        Probe("Orthophotographie Haute-Garonne 2019", "IGN", TOULOUSE, 2019),
        Candidate(7, "Orthophotographie Haute-Garonne 2022", "IGN", TOULOUSE, 2022),
    )

    assert found.mergeable is False
    assert found.score >= 0.65


def test_same_platform_is_never_merged():
    found = similarity(
        Probe("PCRS Toulouse", "Toulouse Métropole", TOULOUSE),
        Candidate(3, "PCRS Toulouse", "Toulouse Métropole", TOULOUSE, None),
        same_origin=True,
    )

    assert (found.mergeable, found.score) == (False, 1.0)


def test_index_finds_the_best_candidate_above_the_threshold():
    index = MatchIndex()
    index.add(
        Candidate(
            1,
            "Plan local d'urbanisme de Cartigny",
            "DDTM 80",
            (2.9, 49.8, 3.0, 49.9),
            None,
        )
    )
    index.add(
        Candidate(2, "Occupation du sol Hérault", "CD34", (3.0, 43.2, 4.2, 43.9), None)
    )

    found = index.best(
        Probe("PLU Cartigny plan local urbanisme", "DDTM 80", (2.9, 49.8, 3.0, 49.9)),
        same_origin_ids=set(),
    )
    nothing = index.best(Probe("Réseau hydrographique"), same_origin_ids=set())

    assert found.dataset_id == 1
    assert nothing is None
