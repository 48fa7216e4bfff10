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

import math
import re
from array import array
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import chain

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


_NO_BOX = (math.nan,) * 4


class Candidate:
    """What the index knows of a dataset: only the keys the rule compares (not the
    title or producer themselves), so the index stays small for large catalogues.
    ``key``, ``producer``: the title's ``title_key`` and the producer's
    ``producer_key``, when the caller has them already."""

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


class IdSet:
    """A set of dataset ids as a sorted ``array("q")``: 8 bytes an id where a
    ``set`` of ints takes some 60, for the datasets of a harvest's own origin
    (ids come mostly in increasing order: appended)."""

    def __init__(self, ids=()):
        self._ids = array("q")
        for dataset_id in ids:
            self.add(dataset_id)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, dataset_id) -> bool:
        position = bisect_left(self._ids, dataset_id)
        return position < len(self._ids) and self._ids[position] == dataset_id

    def add(self, dataset_id: int) -> None:
        if not self._ids or dataset_id > self._ids[-1]:
            self._ids.append(dataset_id)
        elif dataset_id not in self:
            insort(self._ids, dataset_id)


class MatchIndex:
    """Datasets by title word, to compare a record with a few candidates only.

    Stored compactly, since a harvest's index holds every active dataset for
    the length of the run: a dataset is a *slot* in parallel arrays (its id, box,
    year, the codes of its producer key and of its title's numbers) plus its
    title key in a list; a word lists the slots of its datasets in an
    ``array("i")``. No Python object per dataset but its title key: a
    ``Candidate`` is rebuilt for the few datasets a record is compared with.
    """

    def __init__(self):
        self._ids = array("q")
        self._ids_increase = True  # slot order is dataset id order
        self._keys: list[str] = []
        self._boxes = array("d")  # 4 per slot; NaN: no box
        self._years = array("i")  # 0: no year
        self._producers = array("i")  # codes of self._producer_keys
        self._numbers = array("i")  # codes of self._number_tuples
        self._producer_keys: list[str] = []
        self._number_tuples: list[tuple[str, ...]] = []
        # Producer keys and title numbers repeat: one copy of each, by code.
        self._producer_codes: dict[str, int] = {}
        self._number_codes: dict[tuple[str, ...], int] = {}
        self._slots: dict[int, int] = {}  # dataset id → slot, filled on demand
        self.by_word: dict[str, array] = {}

    def __len__(self) -> int:
        return len(self._ids) - self._ids.count(0)

    @staticmethod
    def _code(value, codes: dict, values: list) -> int:
        code = codes.get(value)
        if code is None:
            code = codes[value] = len(values)
            values.append(value)
        return code

    def add(self, candidate: Candidate) -> None:
        """Add a dataset not in the index (each dataset is added once)."""
        slot = len(self._ids)
        if slot and candidate.dataset_id <= self._ids[-1]:
            self._ids_increase = False
        self._ids.append(candidate.dataset_id)
        self._keys.append(candidate.key)
        self._boxes.extend(candidate.bbox if candidate.bbox is not None else _NO_BOX)
        self._years.append(candidate.year or 0)
        self._producers.append(
            self._code(candidate.producer, self._producer_codes, self._producer_keys)
        )
        self._numbers.append(
            self._code(candidate.numbers, self._number_codes, self._number_tuples)
        )
        if self._slots:
            self._slots[candidate.dataset_id] = slot
        for word in candidate.key.split():
            slots = self.by_word.get(word)
            if slots is None:
                self.by_word[word] = array("i", (slot,))
            elif slots[-1] != slot:  # a key's words are distinct; to be safe
                slots.append(slot)

    def remove(self, dataset_id: int) -> None:
        """Forget a dataset (its slot stays, empty). Rare: the map of ids to
        slots is built on the first call."""
        if not self._slots:
            self._slots = {pk: slot for slot, pk in enumerate(self._ids) if pk}
        slot = self._slots.pop(dataset_id, None)
        if slot is None:
            return
        self._ids[slot] = 0
        for word in self._keys[slot].split():
            slots = self.by_word[word]
            slots.remove(slot)
            if not slots:
                del self.by_word[word]
        self._keys[slot] = ""

    def candidate(self, slot: int) -> Candidate:
        """The ``Candidate`` of the dataset in ``slot``, as it was added."""
        found = Candidate.__new__(Candidate)
        found.dataset_id = self._ids[slot]
        found.key = self._keys[slot]
        found.producer = self._producer_keys[self._producers[slot]]
        found.numbers = self._number_tuples[self._numbers[slot]]
        box = tuple(self._boxes[4 * slot : 4 * slot + 4])
        found.bbox = None if box[0] != box[0] else box  # NaN: no box
        found.year = self._years[slot] or None
        return found

    def candidate_slots(self, key: str) -> list[int]:
        """The slots of the datasets a record of title key ``key`` is compared
        with, in candidate order: the ``MAX_CANDIDATES`` sharing the most of its
        words (words met in more than ``FREQUENT_WORD`` datasets left out, unless
        the title has nothing rarer: then its rarest word alone); among equal
        shares, the first met walking the words from the rarest (equally rare
        ones in alphabetical order), each word's datasets in increasing id
        order. Nothing here depends on the order of a set of strings, so the
        answers do not depend on ``PYTHONHASHSEED``."""
        lists = sorted(
            (len(slots), word, slots)
            for word in set(key.split())
            if (slots := self.by_word.get(word))
        )
        if not lists:
            return []
        usable = [slots for size, _w, slots in lists if size <= FREQUENT_WORD] or [
            lists[0][2]
        ]
        if not self._ids_increase:  # slot order is not id order: sort
            usable = [sorted(slots, key=self._ids.__getitem__) for slots in usable]
        # Counter keeps first-met order, and most_common is stable among equal
        # counts.
        counts = Counter(chain.from_iterable(usable))
        return [slot for slot, _shared in counts.most_common(MAX_CANDIDATES)]

    def best(self, record, *, same_origin_ids: set[int]) -> Similarity | None:
        """The most similar dataset at or above ``CANDIDATE_SCORE``, if any (the
        first in candidate order, ``candidate_slots``, among equal scores).

        Producer and footprint are cheap; the title's ``difflib`` ratio is not.
        Candidates are compared in decreasing order of the score they could reach
        with identical titles, and a ratio is only computed when that bound can
        still reach the best score found so far; the ratio's own cheap bounds then
        skip it when even they fall short (``key_similarity``'s floor). The answer
        is the one comparing every candidate would give.
        """
        key = getattr(record, "key", None) or title_key(record.title)
        probe = _Probe.of(record, key)
        bounded = []
        boxes, producers, producer_keys = (
            self._boxes,
            self._producers,
            self._producer_keys,
        )
        producer_scores = {}  # producer code → similarity with the record's
        for rank, slot in enumerate(self.candidate_slots(key)):
            code = producers[slot]
            producer = producer_scores.get(code)
            if producer is None:
                producer = producer_scores[code] = producer_key_similarity(
                    probe.producer, producer_keys[code]
                )
            at = 4 * slot
            west = boxes[at]
            box = (
                None if west != west else (west, *boxes[at + 1 : at + 4])
            )  # NaN: no box
            rest = 0.2 * producer + 0.3 * bbox_iou(probe.bbox, box)
            if 0.5 + rest >= CANDIDATE_SCORE:
                bounded.append((0.5 + rest, rank, rest, slot))
        bounded.sort(key=lambda item: (-item[0], item[1]))
        best, best_rank = None, None
        for bound, rank, rest, slot in bounded:
            if best is not None and bound < best.score - _EPSILON:
                break  # sorted: no later candidate can reach the best either
            candidate = self.candidate(slot)
            needed = CANDIDATE_SCORE if best is None else best.score
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
                best is None
                or found.score > best.score
                or (found.score == best.score and rank < best_rank)
            ):
                best, best_rank = found, rank
        return best


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
