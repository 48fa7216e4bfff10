"""Is this incoming record a dataset the catalogue already holds under another
platform's identifiers? The similarity rule, and the search of the datasets to
compare a record with.

**The rule.** Identifiers are tried first by ``services.records`` (the metadata
file identifier, then the resource identifier). Otherwise a record is compared with
the datasets whose titles share a word with it:

- ``title``: ``difflib`` ratio of the two titles reduced to their sorted distinct
  words (accents, case, punctuation and French stop words dropped), so word order
  and "Plan Local d'Urbanisme" / "plan local urbanisme" do not matter;
- ``producer``: 1 for the same normalised name (or acronym), 0.5 when either is
  unknown, else the share of common words;
- ``footprint``: intersection over union of the two bounding boxes; 0.5 when either
  has none.

``score = 0.5 × title + 0.2 × producer + 0.3 × footprint``. At or above
``MERGE_SCORE`` (0.85) with ``title ≥ 0.9`` and ``footprint ≥ 0.8`` the record is
merged into the dataset (a new provenance); from ``CANDIDATE_SCORE`` (0.65) with
``title ≥ 0.6`` it becomes a separate dataset and a ``DuplicateCandidate`` for the
secretariat (without the title floor, every dataset of a producer over the same
département would pair with every other). Never
merged, at most a candidate: titles with different numbers (vintages "2019" /
"2022", "20 cm" / "50 cm"), datasets of different years, and two records of the
same platform (a platform that lists two records means two datasets).

**The candidates** (``candidate_order``): the ``MAX_CANDIDATES`` active datasets
sharing the most title words with the record. They are read from the database
(``CandidateSearch``: ``DatasetTitleWord`` and ``Dataset.match_key``, kept by
``search.index.dataset_index``), once per batch of records, so a harvest holds
nothing of the catalogue in memory; the records of a batch are compared with the
catalogue as it was before the batch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

# difflib's algorithm compiled: the same ratios (tested against ``difflib``),
# four times faster; comparing titles is most of a harvest's matching time.
from cydifflib import SequenceMatcher
from django.db import connection

from crig.catalog.models import Dataset, DatasetTitleWord
from crig.core.sql import rows_in
from crig.territory.names import search_words

MERGE_SCORE = 0.85
MERGE_MIN_TITLE = 0.9
MERGE_MIN_FOOTPRINT = 0.8
CANDIDATE_SCORE = 0.65
CANDIDATE_MIN_TITLE = 0.6
# Words met in more datasets than this are not used to find candidates (unless a
# title has nothing rarer): "orthophotographie" would bring the whole series.
FREQUENT_WORD = 200
MAX_CANDIDATES = 25

STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les of on the and sur pour par un une".split()
)
_NUMBER = re.compile(r"\d+")


def title_words(title: str) -> list[str]:
    return [w for w in search_words(title or "") if w not in STOP_WORDS]


def title_key(title: str) -> str:
    return " ".join(sorted(set(title_words(title))))


def producer_key(name: str) -> str:
    return " ".join(search_words(name or ""))


def title_similarity(a: str, b: str) -> float:
    return key_similarity(title_key(a), title_key(b))


def key_similarity(
    key_a: str, key_b: str, floor: float = 0.0, counts_a: Counter | None = None
) -> float:
    """``difflib`` ratio of two title keys; 0 as soon as its cheap upper bounds
    show it is below ``floor``. ``counts_a``: ``Counter(key_a)``, when the caller
    compares ``key_a`` with many keys."""
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    if floor > 1.0:
        return 0.0
    # difflib's two upper bounds, computed as ``SequenceMatcher.real_quick_ratio``
    # and ``quick_ratio`` do (the same numbers: 2 × matches / total length) but
    # without building the matcher, whose ``set_seq2`` indexes ``key_b`` for the
    # ratio: most comparisons stop at a bound.
    length = len(key_a) + len(key_b)
    if 2.0 * min(len(key_a), len(key_b)) / length < floor:
        return 0.0
    if counts_a is None:
        counts_a = Counter(key_a)
    count_b = key_b.count  # a few short strings: cheaper than a Counter of key_b
    matches = sum(min(count, count_b(char)) for char, count in counts_a.items())
    if 2.0 * matches / length < floor:
        return 0.0
    return SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()


def producer_similarity(a: str, b: str) -> float:
    return producer_key_similarity(producer_key(a), producer_key(b))


def producer_key_similarity(key_a: str, key_b: str) -> float:
    if not key_a or not key_b:
        return 0.5
    if key_a == key_b:
        return 1.0
    words_a, words_b = set(key_a.split()), set(key_b.split())
    return len(words_a & words_b) / len(words_a | words_b)


Box = tuple[float, float, float, float]


def bbox_iou(a: Box | None, b: Box | None) -> float:
    if a is None or b is None:
        return 0.5
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width < 0 or height < 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    if union <= 0:  # two equal points or lines
        return 1.0 if a == b else 0.0
    return inter / union


class Candidate:
    """A dataset as the rule compares it: the keys of its title and producer,
    its title's numbers, box and year. ``key``, ``producer``: the title's
    ``title_key`` and the producer's ``producer_key``, when the caller has them
    already (``Dataset.match_key``)."""

    __slots__ = ("dataset_id", "key", "producer", "numbers", "bbox", "year")

    def __init__(
        self,
        dataset_id: int,
        title: str,
        producer_name: str,
        bbox: Box | None,
        year: int | None,
        key: str | None = None,
        producer: str | None = None,
    ):
        self.dataset_id = dataset_id
        self.key = title_key(title) if key is None else key
        self.producer = producer_key(producer_name) if producer is None else producer
        self.numbers = tuple(sorted(_NUMBER.findall(title or "")))
        self.bbox = bbox
        self.year = year


@dataclass(frozen=True)
class Similarity:
    dataset_id: int
    score: float
    title: float
    producer: float
    footprint: float
    mergeable: bool

    def reasons(self) -> dict:
        return {
            "title": round(self.title, 3),
            "producer": round(self.producer, 3),
            "footprint": round(self.footprint, 3),
        }


def similarity(
    record, candidate: Candidate, *, same_origin: bool = False, floor: float = 0.0
) -> Similarity:
    """The score of ``record`` (anything with title, producer_name, bbox, year)
    against a known dataset, and whether it is high enough to merge. A title
    similarity below ``floor`` may be returned as 0 (it is not computed)."""
    record_producer = getattr(record, "producer", None)
    if record_producer is None:
        record_producer = producer_key(record.producer_name)
    producer = producer_key_similarity(record_producer, candidate.producer)
    footprint = bbox_iou(record.bbox, candidate.bbox)
    if 0.5 + 0.2 * producer + 0.3 * footprint < CANDIDATE_SCORE:
        floor = 2.0  # even equal titles would not reach a candidate: skip difflib
    record_key = getattr(record, "key", None) or title_key(record.title)
    title = key_similarity(
        record_key, candidate.key, floor, getattr(record, "key_counts", None)
    )
    numbers_differ = tuple(sorted(_NUMBER.findall(record.title or ""))) != (
        candidate.numbers
    )
    score = 0.5 * title + 0.2 * producer + 0.3 * footprint
    mergeable = (
        score >= MERGE_SCORE
        and title >= MERGE_MIN_TITLE
        and footprint >= MERGE_MIN_FOOTPRINT
        and not numbers_differ
        and not same_origin
        and not (record.year and candidate.year and record.year != candidate.year)
    )
    return Similarity(
        candidate.dataset_id, score, title, producer, footprint, mergeable
    )


def key_words(key: str) -> list[str]:
    """The words of a title key under which its dataset is found as a candidate
    (``DatasetTitleWord``): all but very long ones."""
    return [word for word in key.split() if len(word) <= DatasetTitleWord.MAX_LENGTH]


def candidate_order(
    key: str, sizes: Mapping[str, int], postings: Mapping[str, Sequence[int]]
) -> list[int]:
    """The ids of the datasets a record of title key ``key`` is compared with, in
    candidate order: the ``MAX_CANDIDATES`` sharing the most of its words (words
    met in more than ``FREQUENT_WORD`` datasets left out, unless the title has
    nothing rarer: then its rarest word alone); among equal shares, the first met
    walking the words from the rarest (equally rare ones in alphabetical order),
    each word's datasets in increasing id order. Nothing here depends on the order
    of a set of strings, so the answers do not depend on ``PYTHONHASHSEED``.

    ``sizes``: the number of active datasets with each word (a word missing or 0:
    none); ``postings``: their ids in increasing order, for the words used (for a
    frequent word used alone, its first ``MAX_CANDIDATES`` ids suffice).
    """
    lists = sorted(
        (size, word) for word in set(key.split()) if (size := sizes.get(word))
    )
    if not lists:
        return []
    usable = [postings[word] for size, word in lists if size <= FREQUENT_WORD] or [
        postings[lists[0][1]]
    ]
    # Counter keeps first-met order, and most_common is stable among equal counts.
    counts = Counter(chain.from_iterable(usable))
    return [dataset_id for dataset_id, _shared in counts.most_common(MAX_CANDIDATES)]


def best(
    record, candidates: Sequence[Candidate], *, same_origin_ids: Container[int]
) -> Similarity | None:
    """The most similar of ``candidates`` (given in candidate order,
    ``candidate_order``) at or above ``CANDIDATE_SCORE``, if any (the first among
    equal scores).

    Producer and footprint are cheap; the title's ``difflib`` ratio is not.
    Candidates are compared in decreasing order of the score they could reach
    with identical titles, and a ratio is only computed when that bound can still
    reach the best score found so far; the ratio's own cheap bounds then skip it
    when even they fall short (``key_similarity``'s floor). The answer is the one
    comparing every candidate would give.
    """
    key = getattr(record, "key", None) or title_key(record.title)
    probe = _Probe.of(record, key)
    bounded = []
    producer_scores = {}  # producer key → similarity with the record's
    for rank, candidate in enumerate(candidates):
        producer = producer_scores.get(candidate.producer)
        if producer is None:
            producer = producer_scores[candidate.producer] = producer_key_similarity(
                probe.producer, candidate.producer
            )
        rest = 0.2 * producer + 0.3 * bbox_iou(probe.bbox, candidate.bbox)
        if 0.5 + rest >= CANDIDATE_SCORE:
            bounded.append((0.5 + rest, rank, rest, candidate))
    bounded.sort(key=lambda item: (-item[0], item[1]))
    found_best, best_rank = None, None
    for bound, rank, rest, candidate in bounded:
        if found_best is not None and bound < found_best.score - _EPSILON:
            break  # sorted: no later candidate can reach the best either
        needed = CANDIDATE_SCORE if found_best is None else found_best.score
        floor = max(CANDIDATE_MIN_TITLE, (needed - rest) / 0.5) - _EPSILON
        found = similarity(
            probe,
            candidate,
            same_origin=candidate.dataset_id in same_origin_ids,
            floor=floor,
        )
        if found.score < CANDIDATE_SCORE or found.title < CANDIDATE_MIN_TITLE:
            continue
        if (
            found_best is None
            or found.score > found_best.score
            or (found.score == found_best.score and rank < best_rank)
        ):
            found_best, best_rank = found, rank
    return found_best


class CandidateSearch:
    """The candidates of a batch of records, read from ``DatasetTitleWord``.

    The harvest holds nothing of the catalogue between batches, so its memory
    does not grow with the catalogue or the run: for a batch, a few queries
    read how many active datasets have each word of its titles, the ids under
    the words that are used (at most ``FREQUENT_WORD`` each) and the datasets
    that come out as candidates. The datasets of a batch are written (and their
    words with them) before the next batch is searched, as the rule wants.
    """

    def __init__(self, keys: Iterable[str]):
        keys = set(keys)
        words = sorted({word for key in keys for word in key.split()})
        # Plain SQL: the ORM's cost per ``IN`` parameter would be most of the
        # time (thousands of words and ids a batch).
        words_table = connection.ops.quote_name(DatasetTitleWord._meta.db_table)
        sizes: dict[str, int] = dict(
            rows_in(
                f"SELECT word, COUNT(*) FROM {words_table} "  # noqa: S608
                "WHERE word IN ({}) GROUP BY word",
                words,
            )
        )
        postings: dict[str, list[int]] = {}
        usable = [word for word in words if 0 < sizes.get(word, 0) <= FREQUENT_WORD]
        for word, dataset_id in rows_in(
            f"SELECT word, dataset_id FROM {words_table} "  # noqa: S608
            "WHERE word IN ({}) ORDER BY word, dataset_id",
            usable,
        ):
            postings.setdefault(word, []).append(dataset_id)
        # Titles of frequent words only: their rarest word's first ids.
        for key in keys:
            known = sorted(
                (sizes[word], word) for word in key.split() if sizes.get(word)
            )
            if known and known[0][0] > FREQUENT_WORD and known[0][1] not in postings:
                word = known[0][1]
                postings[word] = [
                    dataset_id
                    for (dataset_id,) in rows_in(
                        f"SELECT dataset_id FROM {words_table} "  # noqa: S608
                        "WHERE word IN ({}) ORDER BY dataset_id "
                        f"LIMIT {MAX_CANDIDATES}",
                        [word],
                    )
                ]
        self._orders = {key: candidate_order(key, sizes, postings) for key in keys}
        del postings
        ids = sorted({pk for order in self._orders.values() for pk in order})
        self._candidates: dict[int, Candidate] = {}
        datasets_table = connection.ops.quote_name(Dataset._meta.db_table)
        for pk, title, key, producer, w, s, e, n, year in rows_in(
            "SELECT id, title, match_key, producer_name, "  # noqa: S608
            "min_lon, min_lat, max_lon, max_lat, year "
            f"FROM {datasets_table} WHERE id IN ({{}})",
            ids,
        ):
            self._candidates[pk] = Candidate(
                pk,
                title,
                producer,
                None if w is None else (w, s, e, n),
                year,
                key=key,
                producer=_cached_producer_key(producer),
            )

    def candidates(self, key: str) -> list[Candidate]:
        """The candidates of a record of title key ``key`` (one of the keys the
        search was built for), in candidate order."""
        return [
            self._candidates[pk]
            for pk in self._orders.get(key, ())
            if pk in self._candidates
        ]

    def dataset_ids(self) -> list[int]:
        return sorted(self._candidates)


# Producers are few and candidates share them: each key is computed once (a
# bounded cache: the memory of a run stays flat).
_cached_producer_key = lru_cache(maxsize=1024)(producer_key)


#: Below the smallest score difference the rule can tell apart: a bound equal to
#: the best score still gets its ratio computed (ties go to the candidate order).
_EPSILON = 1e-9


@dataclass(frozen=True)
class _Probe:
    """A record's side of the comparison, computed once for all its candidates."""

    title: str
    key: str
    producer: str
    bbox: Box | None
    year: int | None
    key_counts: Counter  # of the characters of ``key``, for ``key_similarity``

    @classmethod
    def of(cls, record, key: str) -> _Probe:
        producer = getattr(record, "producer", None)
        if producer is None:
            producer = producer_key(record.producer_name)
        return cls(record.title, key, producer, record.bbox, record.year, Counter(key))
