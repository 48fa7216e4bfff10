"""The similarity rule and the candidate order (pure functions, no database)."""

import pytest

from crig.catalog.services.matching import (
    Candidate,
    bbox_iou,
    candidate_order,
    producer_similarity,
    similarity,
    title_similarity,
)
from crig.catalog.services.matching import best as matching_best


class MemoryCandidates:
    """The candidate search over datasets given in memory (id → ``Candidate``):
    the sizes and postings ``candidate_order`` takes, computed from their keys
    as ``DatasetTitleWord`` holds them in the database."""

    def __init__(self, candidates):
        self.by_id = candidates
        self.postings = {}
        for dataset_id in sorted(candidates):
            for word in sorted(set(candidates[dataset_id].key.split())):
                self.postings.setdefault(word, []).append(dataset_id)
        self.sizes = {word: len(ids) for word, ids in self.postings.items()}

    def candidates(self, key):
        return [
            self.by_id[dataset_id]
            for dataset_id in candidate_order(key, self.sizes, self.postings)
        ]

    def best(self, record, *, same_origin_ids):
        from crig.catalog.services.matching import title_key

        return matching_best(
            record,
            self.candidates(title_key(record.title)),
            same_origin_ids=same_origin_ids,
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
    index = MemoryCandidates(
        {
            1: Candidate(
                1,
                "Plan local d'urbanisme de Cartigny",
                "DDTM 80",
                (2.9, 49.8, 3.0, 49.9),
                None,
            ),
            2: Candidate(
                2, "Occupation du sol Hérault", "CD34", (3.0, 43.2, 4.2, 43.9), None
            ),
        }
    )

    found = index.best(
        Probe("PLU Cartigny plan local urbanisme", "DDTM 80", (2.9, 49.8, 3.0, 49.9)),
        same_origin_ids=set(),
    )
    nothing = index.best(Probe("Réseau hydrographique"), same_origin_ids=set())

    assert found.dataset_id == 1
    assert nothing is None


def _brute_force_best(candidates, record, same_origin_ids):
    """The rule applied to every candidate, in candidate order, without pruning.
    ``candidates``: dataset id → ``Candidate``. The candidate order, spelled
    out: most shared title words first; among equal shares, the first met
    walking the words from the rarest (equally rare ones in alphabetical order),
    each word's datasets by increasing id. Words in more than ``FREQUENT_WORD``
    datasets are left out unless the title has nothing rarer (then its rarest
    word alone)."""
    from crig.catalog.services import matching

    words = set(matching.title_key(record.title).split())
    by_word = {}
    for dataset_id in sorted(candidates):
        for word in set(candidates[dataset_id].key.split()) & words:
            by_word.setdefault(word, []).append(dataset_id)
    if not by_word:
        return None
    walk = sorted(by_word, key=lambda w: (len(by_word[w]), w))
    usable = [w for w in walk if len(by_word[w]) <= matching.FREQUENT_WORD]
    usable = usable or walk[:1]
    shared, met = {}, {}
    for word in usable:
        for dataset_id in by_word[word]:
            shared[dataset_id] = shared.get(dataset_id, 0) + 1
            met.setdefault(dataset_id, len(met))
    order = sorted(
        shared, key=lambda dataset_id: (-shared[dataset_id], met[dataset_id])
    )
    best = None
    for dataset_id in order[: matching.MAX_CANDIDATES]:
        found = similarity(
            record,
            candidates[dataset_id],
            same_origin=dataset_id in same_origin_ids,
        )
        if (
            found.score >= matching.CANDIDATE_SCORE
            and found.title >= matching.CANDIDATE_MIN_TITLE
            and (best is None or found.score > best.score)
        ):
            best = found
    return best


def test_the_pruned_search_finds_what_comparing_every_candidate_finds():
    import random

    rng = random.Random(7)
    words = (
        "orthophotographie plan corps rue simplifié lidar occupation sol adresses "
        "réseau eau assainissement toulouse montpellier hérault gard aude lot tarn "
        "haute garonne 2019 2022 20 cm 50 cm vecteur raster"
    ).split()
    producers = ["IGN", "Région Occitanie", "CD31", "Toulouse Métropole", ""]

    def box():
        west, south = rng.uniform(0, 4), rng.uniform(42.5, 44.5)
        return (west, south, west + rng.uniform(0.05, 1), south + rng.uniform(0.05, 1))

    def record():
        return Probe(
            " ".join(rng.sample(words, rng.randint(2, 6))),
            rng.choice(producers),
            box() if rng.random() < 0.9 else None,
            rng.choice([None, 2019, 2022]),
        )

    def near(known):
        """A record close to a known one: the near-ties the pruning must get right."""
        title = known.title.split()
        if len(title) > 2 and rng.random() < 0.5:
            title.pop(rng.randrange(len(title)))
        if rng.random() < 0.3:
            title.append(rng.choice(words))
        bbox = known.bbox and tuple(v + rng.uniform(-0.02, 0.02) for v in known.bbox)
        producer = known.producer_name if rng.random() < 0.7 else rng.choice(producers)
        return Probe(" ".join(title), producer, bbox, known.year)

    knowns, candidates = [], {}
    for pk in range(1, 1500):
        if pk < 300 or rng.random() < 0.4:
            known = record()
        elif rng.random() < 0.2:
            known = rng.choice(knowns)  # the same dataset twice: exact ties
        else:
            known = near(rng.choice(knowns))
        knowns.append(known)
        candidates[pk] = Candidate(
            pk, known.title, known.producer_name, known.bbox, known.year
        )
    index = MemoryCandidates(candidates)
    same_origin = set(rng.sample(range(1, 1500), 200))
    compared = found = 0
    for _ in range(1500):
        probe = record() if rng.random() < 0.3 else near(rng.choice(knowns))
        expected = _brute_force_best(candidates, probe, same_origin)
        assert index.best(probe, same_origin_ids=same_origin) == expected
        compared += 1
        found += expected is not None
    assert found > 500  # the case is not trivially "nothing matches"


def test_the_compiled_ratio_is_difflibs():
    """``cydifflib`` computes the titles' ratio: the same numbers as the standard
    library's ``difflib`` (keys, repeats, accents, empty strings)."""
    import difflib
    import random

    from crig.catalog.services.matching import SequenceMatcher

    rng = random.Random(4)
    alphabet = "abcdeé 0129"
    words = "plan local urbanisme lidar 2019 2022 hd orthophotographie sol".split()
    pairs = [("", ""), ("", "plan"), ("plan", "plan")]
    for _ in range(3000):
        pairs.append(
            (
                " ".join(sorted(set(rng.sample(words, rng.randint(1, 5))))),
                " ".join(sorted(set(rng.sample(words, rng.randint(1, 5))))),
            )
        )
        pairs.append(
            tuple(
                "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                for _side in range(2)
            )
        )
    for a, b in pairs:
        assert SequenceMatcher(None, a, b, autojunk=False).ratio() == (
            difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        ), (a, b)
