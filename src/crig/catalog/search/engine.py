"""The catalogue search's matching and ordering, over the in-memory snapshot of
``search.facets``.

SQL answers what only it may answer, as sets of ids (one aggregated text per
set, see ``backends.id_list_sql``):

- **visibility**: the records hidden from the person. Every active public record
  is published to everyone (``selectors.visibility``), so only the others are
  read — by index ranges over (visibility, status), a few rows — and those the
  person may see among them are taken back out with the visibility selector
  itself. What is matched is the snapshot's records minus the hidden ones, so a
  record restricted after the snapshot was built is hidden all the same;
- **full text** (``backends.matching_ids_sql``), **keywords** and **territory**
  (the computed coverage: ``CommuneCoverage`` per commune, ``AreaCoverage`` per
  EPCI and département).

The snapshot answers the rest in numpy: référentiel, producer, licence, year,
source, the bbox pre-filter (exact: polygons crossing the box's edge are tested
through ``search.spatial``'s content-addressed shapes), the facet counts and the
order — relevance (query terms in the title) from the title postings, date and
title from ranks computed when the snapshot was built.

The snapshot is checked against the change log on every search and rebuilt when
the catalogue changed; an id from SQL newer than the snapshot also rebuilds it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connections
from django.db.models import QuerySet

from crig.catalog.models import (
    AreaCoverage,
    CommuneCoverage,
    Dataset,
    Keyword,
)
from crig.catalog.search import backends, facets, spatial


@dataclass(frozen=True)
class Query:
    """A validated search (``selectors.search.datasets_search`` checks it)."""

    terms: Sequence[str] = ()
    #: ``(kind, code)``: kind ``referentiel`` reads the record's column; another
    #: kind, or ``""`` for any kind, reads the keywords.
    themes: Sequence[tuple[str, str]] = ()
    producers: Sequence[str] = ()
    licences: Sequence[str] = ()
    sources: Sequence[str] = ()
    year_from: int | None = None
    year_to: int | None = None
    #: ``(kind, codes)`` with kind ``commune``, ``epci`` or ``departement``;
    #: each group applies (codes within one are alternatives).
    territories: Sequence[tuple[str, Sequence[str]]] = ()
    min_fraction: float = 0.0
    bbox: tuple[float, float, float, float] | None = None
    sort: str = "relevance"


@dataclass
class Matches:
    """The matched records of a search: their snapshot positions and the key
    that orders them (smallest first)."""

    index: facets.FacetIndex
    positions: np.ndarray
    keys: np.ndarray
    _order: np.ndarray | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        return len(self.positions)

    def ids(self, start: int = 0, stop: int | None = None) -> list[int]:
        """Ids of the matched records in order, ``[start:stop]``."""
        count = len(self.positions)
        stop = count if stop is None else min(stop, count)
        if start >= stop:
            return []
        if stop < count // 2 and self._order is None:
            # Only the first ``stop`` are needed: partition, then sort those.
            first = np.argpartition(self.keys, stop - 1)[:stop]
            order = first[np.argsort(self.keys[first], kind="stable")]
        else:
            if self._order is None:
                self._order = np.argsort(self.keys, kind="stable")
            order = self._order[:stop]
        return self.index.ids[self.positions[order[start:stop]]].tolist()

    def facet_counts(self) -> facets.FacetCounts:
        return self.index.counts_at(self.positions)


def search(user, query: Query, *, using: str = "default") -> Matches:
    """Match and order ``query`` for ``user`` (see the module docstring)."""
    # The snapshot first, the hidden records after: a record committed between
    # the two is either absent from the snapshot or seen by the hidden query,
    # never shown unchecked.
    index = facets.snapshot(using)
    sets = _sql_sets(user, query, using)
    # Ids from tables whose rows go with their record (not the FTS5 table, which
    # may keep a deleted record's row): one newer than the snapshot rebuilds it,
    # and the hidden records are read again after.
    newest = max(
        (int(ids[-1]) for name, ids in sets.items() if name != "text" and len(ids)),
        default=0,
    )
    if newest > index.max_id:
        index = facets.snapshot(using, known_up_to=newest)
        sets["hidden"] = hidden_ids(user, using)
    mask = np.ones(len(index.ids), dtype=bool)
    mask[index.positions(sets.pop("hidden"))] = False
    for ids in sets.values():
        keep = np.zeros(len(index.ids), dtype=bool)
        keep[index.positions(ids)] = True
        mask &= keep
    _column_filters(index, query, mask)
    if query.bbox is not None:
        bbox_filter(index, query.bbox, mask, using)
    positions = np.flatnonzero(mask)
    return Matches(
        index=index, positions=positions, keys=_keys(index, query, positions)
    )


# --- SQL sets ---------------------------------------------------------------------


def id_array(
    queryset_or_sql, using: str, params: Sequence = (), column: str | None = None
) -> np.ndarray:
    """The ids selected by a ``values("…")`` queryset (or SQL selecting ``id``),
    sorted, distinct."""
    connection = connections[using]
    if isinstance(queryset_or_sql, QuerySet):
        sql, params = queryset_or_sql.query.sql_with_params()
        if column is None:
            (column,) = queryset_or_sql.query.values_select
    else:
        sql = queryset_or_sql
    column = column or "id"
    with connection.cursor() as cursor:
        cursor.execute(backends.id_list_sql(connection.vendor, sql, column), params)
        (text,) = cursor.fetchone()
    return np.unique(np.fromstring(text or "", dtype=np.int64, sep=","))


def hidden_ids(
    user=None, using: str = "default", *, published: QuerySet | None = None
) -> np.ndarray:
    """The ids of the records ``user`` may not see in a search (sorted); or, with
    ``published``, of the records not in that queryset of visible records."""
    from crig.catalog.selectors import visibility

    ranges = visibility.datasets_not_public_and_active(using)
    hidden = id_array(ranges[0].union(*ranges[1:], all=True), using, column="pk")
    if len(hidden) and (published is not None or not visibility.sees_public_only(user)):
        if published is None:
            published = visibility.datasets_published_to(user)
        published = published.using(using).order_by()
        allowed = [
            id_array(
                published.filter(pk__in=hidden[start : start + 900].tolist()).values(
                    "pk"
                ),
                using,
            )
            for start in range(0, len(hidden), 900)
        ]
        hidden = np.setdiff1d(hidden, np.concatenate(allowed), assume_unique=True)
    return hidden


def _sql_sets(user, query: Query, using: str) -> dict[str, np.ndarray]:
    hidden = hidden_ids(user, using)
    sets = {"hidden": hidden}
    if query.terms:
        vendor = connections[using].vendor
        sql, params = backends.matching_ids_sql(vendor, query.terms)
        sets["text"] = id_array(sql, using, params)
    for n, (kind, code) in enumerate(query.themes):
        if kind == Keyword.Kind.REFERENTIEL:
            continue
        keywords = Keyword.objects.using(using).filter(
            kind__in=[kind] if kind else Keyword.Kind.values, code=code
        )
        sets[f"theme{n}"] = id_array(keywords.values("dataset_id"), using)
    for n, (kind, codes) in enumerate(query.territories):
        if kind == "commune":
            rows = CommuneCoverage.objects.filter(commune_id__in=list(codes))
        else:
            rows = AreaCoverage.objects.filter(kind=kind, code__in=list(codes))
        if query.min_fraction > 0:
            rows = rows.filter(fraction__gte=query.min_fraction)
        sets[f"territory{n}"] = id_array(rows.using(using).values("dataset_id"), using)
    return sets


# --- Snapshot filters ---------------------------------------------------------------


def _codes_of(values: list, wanted: Sequence) -> np.ndarray:
    index = {value: code for code, value in enumerate(values)}
    return np.asarray([index[v] for v in wanted if v in index], dtype=np.int32)


def _column_filters(index: facets.FacetIndex, query: Query, mask: np.ndarray) -> None:
    for kind, code in query.themes:
        if kind == Keyword.Kind.REFERENTIEL:
            codes, values = index.columns["referentiel"]
            mask &= np.isin(codes, _codes_of(values, [code]))
    for name, wanted in (
        ("producer_name", query.producers),
        ("licence", query.licences),
    ):
        if wanted:
            codes, values = index.columns[name]
            mask &= np.isin(codes, _codes_of(values, wanted))
    if query.sources:
        pairs = index.sources
        rows = np.isin(pairs["codes"], _codes_of(pairs["values"], query.sources))
        keep = np.zeros(len(mask), dtype=bool)
        keep[pairs["positions"][rows]] = True
        mask &= keep
    if query.year_from is not None or query.year_to is not None:
        codes, values = index.columns["year"]
        low = query.year_from if query.year_from is not None else -(2**31)
        high = query.year_to if query.year_to is not None else 2**31
        allowed = np.asarray(
            [year is not None and low <= year <= high for year in values], dtype=bool
        )
        if len(allowed):
            mask &= allowed[codes]
        else:
            mask[:] = False


def bbox_filter(index, bbox, mask: np.ndarray, using: str) -> None:
    """Keep the records whose footprint meets the box, exactly."""
    west, south, east, north = bbox
    min_lon, min_lat, max_lon, max_lat = index.bbox.T
    # NaN (no footprint) compares false: no bbox, no match (as in SQL).
    mask &= (
        (min_lon <= east) & (max_lon >= west) & (min_lat <= north) & (max_lat >= south)
    )
    inside = (
        (min_lon >= west) & (max_lon <= east) & (min_lat >= south) & (max_lat <= north)
    )
    uncertain = np.flatnonzero(mask & ~index.is_bbox & ~inside)
    if not len(uncertain):
        return
    digest_codes = index.digests[uncertain]
    with_digest = digest_codes >= 0
    representatives = {}
    for position, code in zip(
        uncertain[with_digest].tolist(), digest_codes[with_digest].tolist(), strict=True
    ):
        representatives.setdefault(index.digest_values[code], int(index.ids[position]))
    missing = spatial.digests_missing(
        representatives, west, south, east, north, using=using
    )
    if missing:
        missing_codes = _codes_of(index.digest_values, sorted(missing))
        misses = uncertain[with_digest][
            np.isin(digest_codes[with_digest], missing_codes)
        ]
        mask[misses] = False
    # Polygons without a WKB row yet (not indexed): read from their GeoJSON.
    unindexed = uncertain[~with_digest]
    if len(unindexed):
        queryset = Dataset.objects.using(using).filter(
            pk__in=index.ids[unindexed].tolist()
        )
        for pk in spatial.bbox_misses(queryset, west, south, east, north):
            position = np.searchsorted(index.ids, pk)
            mask[position] = False


# --- Order ------------------------------------------------------------------------


def _keys(index: facets.FacetIndex, query: Query, positions: np.ndarray) -> np.ndarray:
    """The sort key of each matched record: smallest first."""
    if query.sort == "title":
        return index.title_rank[positions]
    dates = index.date_rank[positions]
    if query.sort != "relevance" or not query.terms:
        return dates
    score = np.zeros(len(positions), dtype=np.int64)
    for term in dict.fromkeys(query.terms):
        postings = index.title_postings.get(term)
        if postings is not None:
            score += np.isin(positions, postings, assume_unique=True)
    # More title terms first, then the date order.
    return (len(query.terms) - score) * len(index.ids) + dates
