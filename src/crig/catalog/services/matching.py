"""Is this incoming record a dataset the catalogue already holds under another
platform's identifiers? The similarity rule, and an index to apply it fast.

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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

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


def key_similarity(key_a: str, key_b: str, floor: float = 0.0) -> float:
    """``difflib`` ratio of two title keys; 0 as soon as its cheap upper bounds
    show it is below ``floor``."""
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    if floor > 1.0:
        return 0.0
    matcher = SequenceMatcher(None, key_a, key_b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


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


@dataclass(frozen=True)
class Candidate:
    """What the index knows of a dataset."""

    dataset_id: int
    title: str
    producer_name: str
    bbox: Box | None
    year: int | None

    @cached_property
    def key(self) -> str:
        return title_key(self.title)

    @cached_property
    def producer(self) -> str:
        return producer_key(self.producer_name)

    @cached_property
    def numbers(self) -> list[str]:
        return sorted(_NUMBER.findall(self.title or ""))


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
    title = key_similarity(record_key, candidate.key, floor)
    numbers_differ = sorted(_NUMBER.findall(record.title or "")) != candidate.numbers
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


class MatchIndex:
    """Datasets by title word, to compare a record with a few candidates only."""

    def __init__(self):
        self.candidates: dict[int, Candidate] = {}
        self.by_word: dict[str, set[int]] = defaultdict(set)

    def add(self, candidate: Candidate) -> None:
        self.candidates[candidate.dataset_id] = candidate
        for word in candidate.key.split():
            self.by_word[word].add(candidate.dataset_id)

    def remove(self, dataset_id: int) -> None:
        candidate = self.candidates.pop(dataset_id, None)
        if candidate is not None:
            for word in candidate.key.split():
                self.by_word[word].discard(dataset_id)

    def best(self, record, *, same_origin_ids: set[int]) -> Similarity | None:
        """The most similar dataset at or above ``CANDIDATE_SCORE``, if any."""
        key = getattr(record, "key", None) or title_key(record.title)
        words = set(key.split())
        lists = sorted((self.by_word[w] for w in words if self.by_word.get(w)), key=len)
        if not lists:
            return None
        usable = [ids for ids in lists if len(ids) <= FREQUENT_WORD] or lists[:1]
        counts = Counter(i for ids in usable for i in ids)
        best = None
        for dataset_id, _shared in counts.most_common(MAX_CANDIDATES):
            found = similarity(
                record,
                self.candidates[dataset_id],
                same_origin=dataset_id in same_origin_ids,
                floor=CANDIDATE_MIN_TITLE,
            )
            if (
                found.score >= CANDIDATE_SCORE
                and found.title >= CANDIDATE_MIN_TITLE
                and (best is None or found.score > best.score)
            ):
                best = found
        return best
