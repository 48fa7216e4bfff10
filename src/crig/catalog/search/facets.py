"""The search's in-memory snapshot of the catalogue (``FacetIndex``), and the
facet counts it gives.

Each record's values are held in numpy arrays aligned on sorted ids: the facet
values (codes into small tables of values, so the counts of any set of records
are a few ``bincount`` calls: milliseconds, where SQL took 250 ms for 25,000
matches at 100,000 records), the date, title and identifier ranks, the title
terms, bboxes, dates, titles and footprint digests. ``search.engine`` and the
standards' repository match and order over it.

What it never holds: visibility. Who may see what is read from SQL on every
search (``engine.hidden_ids``), after the snapshot is taken, so a stale snapshot
can never make a restricted record counted or listed for someone who cannot see
it.

Freshness: every write that changes what the search sees calls
``search.index.dataset_index`` (harvest upsert, withdrawals, manual edits, merges),
which calls ``note_change``; saves and deletes through the ORM (admin, factories)
do too through the signal receivers of ``connect_signals``. ``note_change`` inserts
a row into ``SearchChange`` inside the writer's transaction; the snapshot is tagged
with ``(row count, token of the last row)`` read *before* it is built, and is rebuilt
when that tag changes. Insert-only, so concurrent writers on PostgreSQL never wait
on one another (a single counter row would hold a lock until each harvest commits);
the count grows with each committed transaction whatever the commit order; the
random token tells apart two histories of the same length (a rolled-back test
transaction and the next one). An id from SQL newer than the snapshot (written by
a path that did not note it) also forces a rebuild (``snapshot(known_up_to=…)``).

Cost: built on first use per process and per change, about 2.5 s and 40 MiB at
100,000 records; each search then reads one small row count.
"""

import math
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.db import connections

from crig.catalog.models import (
    Dataset,
    DatasetFootprint,
    Keyword,
    Provenance,
    SearchChange,
)
from crig.catalog.search import analysis

#: The keyword kinds counted as themes (the référentiel is a record column).
KEYWORD_KINDS = (Keyword.Kind.INSPIRE, Keyword.Kind.FREE)


@dataclass
class FacetCounts:
    """Full counts (not yet cut to the largest values) of one set of records."""

    count: int = 0
    columns: dict[str, Counter] = field(default_factory=dict)
    keywords: dict[str, Counter] = field(default_factory=dict)
    keyword_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: Counter = field(default_factory=Counter)


class _Codes:
    """Values ↔ small integer codes, in order of first appearance."""

    def __init__(self):
        self.values: list = []
        self.index: dict = {}

    def code(self, value) -> int:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        return code


class FacetIndex:
    """The catalogue's snapshot for the search, as columns aligned on sorted ids:
    facet values, the date and title ranks, title terms (for relevance), bboxes
    and footprint digests. No visibility: see the module docstring."""

    COLUMNS = ("referentiel", "licence", "year", "producer_name")

    def __init__(self, using: str, tag):
        self.tag = tag
        self.using = using
        dataset_table = Dataset._meta.db_table
        keyword_table = Keyword._meta.db_table
        provenance_table = Provenance._meta.db_table
        footprint_table = DatasetFootprint._meta.db_table
        connection = connections[using]
        codes = {name: _Codes() for name in self.COLUMNS}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(self.COLUMNS)}, min_lon, min_lat, "  # noqa: S608
                "max_lon, max_lat, footprint_is_bbox, title, revised_on, "
                "search_title, identifier, created_on, published_on, "
                f"temporal_start, temporal_end FROM {dataset_table} ORDER BY id"
            )
            rows = cursor.fetchall()
            count = len(rows)
            self.ids = np.fromiter((row[0] for row in rows), np.int64, count)
            self.max_id = int(self.ids[-1]) if count else 0
            self.columns = {
                name: (
                    np.fromiter(
                        (codes[name].code(row[i]) for row in rows), np.int32, count
                    ),
                    codes[name].values,
                )
                for i, name in enumerate(self.COLUMNS, start=1)
            }
            first = len(self.COLUMNS) + 1
            self.bbox = np.array(
                [
                    [
                        math.nan if value is None else value
                        for value in row[first : first + 4]
                    ]
                    for row in rows
                ],
                dtype=np.float64,
            ).reshape(count, 4)
            self.is_bbox = np.fromiter(
                (bool(row[first + 4]) for row in rows), bool, count
            )
            self.titles = [row[first + 5] for row in rows]
            self._orders(self.titles, [row[first + 6] for row in rows])
            self._title_terms([row[first + 7] for row in rows])
            # The standards' default order: identifier (code points), then id.
            identifiers = [row[first + 8] for row in rows]
            identifiers = sorted(range(count), key=identifiers.__getitem__)
            self.identifier_rank = np.empty(count, dtype=np.int64)
            self.identifier_rank[np.asarray(identifiers, dtype=np.int64)] = np.arange(
                count
            )
            self.dates = {
                name: _dates([row[column] for row in rows])
                for name, column in (
                    ("revised_on", first + 6),
                    ("created_on", first + 9),
                    ("published_on", first + 10),
                    ("temporal_start", first + 11),
                    ("temporal_end", first + 12),
                )
            }
            # A record's date for the standards: revision, else publication, else
            # creation (``Coalesce`` in the standards' repository).
            revised, published = self.dates["revised_on"], self.dates["published_on"]
            self.dates["record_date"] = np.where(
                np.isnat(revised),
                np.where(np.isnat(published), self.dates["created_on"], published),
                revised,
            )
            del rows
            self.keywords = {}
            for kind in KEYWORD_KINDS:
                cursor.execute(
                    f"SELECT dataset_id, code, label FROM {keyword_table} "  # noqa: S608
                    "WHERE kind = %s",
                    [kind],
                )
                self.keywords[kind] = self._pairs(cursor.fetchall(), with_label=True)
            # A record published twice by one origin counts once (COUNT DISTINCT).
            cursor.execute(
                f"SELECT DISTINCT dataset_id, origin FROM {provenance_table}"  # noqa: S608
            )
            self.sources = self._pairs(cursor.fetchall(), with_label=False)
            cursor.execute(
                f"SELECT dataset_id, digest FROM {footprint_table} "  # noqa: S608
                "WHERE digest <> ''"
            )
            digests = self._pairs(cursor.fetchall(), with_label=False)
            self.digest_values = digests["values"]
            self.digests = np.full(count, -1, dtype=np.int32)
            self.digests[digests["positions"]] = digests["codes"]

    @cached_property
    def subjects(self) -> dict:
        """Every keyword's label, any kind (the standards' ``subject``), read on
        first use: most snapshots never need it."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT dataset_id, label FROM {Keyword._meta.db_table}"  # noqa: S608
            )
            return self._pairs(cursor.fetchall(), with_label=False)

    def _orders(self, titles: list[str], revised: list) -> None:
        """``date_rank`` and ``title_rank``: each record's place in the date order
        (year, then revision date, most recent first, records without either
        last; then title, id) and in the title order (title, id). Titles compare
        folded (no case, no accents), then as written: the same order on every
        database, whatever its collation."""
        count = len(titles)
        title_keys = sorted(range(count), key=lambda n: _title_key(titles[n]))
        # Positions are in id order, so a stable sort keeps id as the last key.
        self.title_rank = np.empty(count, dtype=np.int64)
        self.title_rank[np.asarray(title_keys, dtype=np.int64)] = np.arange(count)
        year_codes, _year_values = self.columns["year"]
        years = (
            np.asarray(
                [-1 if year is None else year for year in _year_values], dtype=np.int64
            )[year_codes]
            if count
            else np.zeros(0, dtype=np.int64)
        )
        revised_text = np.asarray(
            ["" if day is None else str(day) for day in revised], dtype=object
        )
        _values, revised_rank = np.unique(revised_text, return_inverse=True)
        # Newest first, records without a year or a date after the others:
        # an absent value (-1, "" → rank 0) sorts last in descending order.
        order = np.lexsort((self.title_rank, -revised_rank, -years))
        self.date_rank = np.empty(count, dtype=np.int64)
        self.date_rank[order] = np.arange(count)

    def _title_terms(self, titles: list[str]) -> None:
        """For each title term, the positions of the records whose title holds it
        (``search_title`` is ``" t1 t2 … "``)."""
        postings: dict[str, list[int]] = {}
        for position, title in enumerate(titles):
            for term in set((title or "").split()):
                postings.setdefault(term, []).append(position)
        self.title_postings = {
            term: np.asarray(positions, dtype=np.int64)
            for term, positions in postings.items()
        }

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """The positions of the known ids among ``ids`` (sorted, distinct)."""
        if not len(ids) or not len(self.ids):
            return np.zeros(0, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return positions[self.ids[positions] == ids]

    def _pairs(self, rows, *, with_label: bool):
        """(position of the record, value code[, label rank]) arrays of the rows
        whose record is known; rows of records deleted meanwhile are dropped."""
        values = _Codes()
        dataset_ids = np.fromiter((row[0] for row in rows), np.int64, len(rows))
        value_codes = np.fromiter((values.code(row[1]) for row in rows), np.int32)
        positions = np.searchsorted(self.ids, dataset_ids)
        positions[positions == len(self.ids)] = 0
        known = self.ids[positions] == dataset_ids if len(self.ids) else positions < 0
        pairs = {
            "positions": positions[known],
            "codes": value_codes[known],
            "values": values.values,
        }
        if with_label:
            # MAX(label) per code, in Python's (code point) order on both databases.
            labels = sorted({row[2] for row in rows})
            rank = {label: n for n, label in enumerate(labels)}
            pairs["ranks"] = np.fromiter(
                (rank[row[2]] for row in rows), np.int32, len(rows)
            )[known]
            pairs["labels"] = labels
        return pairs

    def counts_at(self, positions: np.ndarray) -> FacetCounts:
        """The facet counts of the records at ``positions`` (distinct)."""
        selected = np.zeros(len(self.ids), dtype=bool)
        selected[positions] = True
        result = FacetCounts(count=len(positions))
        for name, (codes, values) in self.columns.items():
            result.columns[name] = _counter(
                np.bincount(codes[positions], minlength=len(values)), values
            )
        for kind, pairs in self.keywords.items():
            rows = selected[pairs["positions"]]
            codes = pairs["codes"][rows]
            result.keywords[kind] = _counter(
                np.bincount(codes, minlength=len(pairs["values"])), pairs["values"]
            )
            best = np.full(len(pairs["values"]), -1, dtype=np.int32)
            np.maximum.at(best, codes, pairs["ranks"][rows])
            result.keyword_labels[kind] = {
                pairs["values"][code]: pairs["labels"][rank]
                for code, rank in enumerate(best.tolist())
                if rank >= 0
            }
        rows = selected[self.sources["positions"]]
        result.sources = _counter(
            np.bincount(
                self.sources["codes"][rows], minlength=len(self.sources["values"])
            ),
            self.sources["values"],
        )
        return result


def _title_key(title: str) -> tuple[str, str]:
    """A title's place in the title order: case-folded, accents and ligatures of
    the Latin letters folded (``analysis``'s table), then as written. Characters
    outside that table (typographic signs, other scripts) stay as they are: the
    general rule costs ten times more and changes no order worth having."""
    return (title.casefold().translate(analysis._FOLDED), title)  # noqa: SLF001


def _dates(values: list) -> np.ndarray:
    """Dates (``date`` objects or ISO texts, None) as ``datetime64[D]``, NaT for
    None."""
    return np.array(
        ["NaT" if value is None else str(value)[:10] for value in values],
        dtype="datetime64[D]",
    )


def _counter(counts: np.ndarray, values: list) -> Counter:
    return Counter({values[code]: n for code, n in enumerate(counts.tolist()) if n})


_lock = threading.Lock()
_indexes: dict[str, FacetIndex] = {}


def change_tag(using: str):
    """What identifies the catalogue's state for the snapshot (see the docstring)."""
    table = SearchChange._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), (SELECT token FROM {table} "  # noqa: S608
            f"ORDER BY id DESC LIMIT 1) FROM {table}"
        )
        return tuple(cursor.fetchone())


def snapshot(using: str = "default", *, known_up_to: int = 0) -> FacetIndex:
    """The current snapshot, rebuilt when the catalogue changed (or when a record
    newer than it, id above ``known_up_to``, turned up)."""
    tag = change_tag(using)
    with _lock:
        index = _indexes.get(using)
        if index is None or index.tag != tag or index.max_id < known_up_to:
            index = _indexes[using] = FacetIndex(using, tag)
    return index


def facet_counts(ids: np.ndarray, *, using: str = "default") -> FacetCounts:
    """The facet counts of the records ``ids`` (in any order; a record given twice
    is counted once, one the snapshot does not hold — deleted — not at all)."""
    ids = np.unique(ids)
    index = snapshot(using, known_up_to=int(ids[-1]) if len(ids) else 0)
    return index.counts_at(index.positions(ids))


def note_change(using: str = "default") -> None:
    """Record that the catalogue changed (in the caller's transaction)."""
    table = SearchChange._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token) VALUES (%s)",  # noqa: S608
            [secrets.token_hex(8)],
        )


def _changed(sender, using="default", **kwargs):
    note_change(using)


def connect_signals() -> None:
    """Saves and deletes through the ORM note a change too: the admin's edits of a
    record's référentiel or status, keywords and provenances written one by one,
    a harvest source deleted with its provenances. (Bulk paths call
    ``dataset_index``; ``post_delete`` receivers are not set on keywords and
    provenances, which would turn their bulk deletes into row-by-row ones.)"""
    from django.db.models.signals import post_delete, post_save

    from crig.catalog.models import HarvestSource

    for model in (Dataset, Keyword, Provenance):
        post_save.connect(_changed, sender=model, dispatch_uid=f"facets-{model}")
    for model in (Dataset, HarvestSource):
        post_delete.connect(_changed, sender=model, dispatch_uid=f"facets-del-{model}")
