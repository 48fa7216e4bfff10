"""The standards cores' only door to the database: a filter tree becomes a queryset
over the records a person may see, and one page of rows becomes ``CatalogRecord``s.

Built on ``selectors.visibility.datasets_published_to(user)`` by the views, so a
restricted record never reaches someone who may not see it. The bounding-box test
is exact: a pre-filter on the bbox columns, then shapely only for the polygon
footprints that cross the box's edge.

Counting and paging in the default order (identifier) go through the search's
in-memory snapshot (``search.engine``): the records hidden from the person, the
full text and the non-indexable comparisons come from SQL as id sets, the bbox
test and the boolean combination run in numpy. A request with its own sort order
is answered in SQL (``matching``), which is also the reference the tests compare
the snapshot path with.
"""

import re
from collections.abc import Callable, Sequence

import numpy as np
from django.db import connections
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from crig.catalog.models import Dataset, Keyword, Provenance
from crig.catalog.search import analysis, backends, engine, facets, spatial
from crig.catalog.standards import filters
from crig.catalog.standards.records import CatalogRecord, RecordKeyword, RecordLink

# Canonical queryable → model field (text and dates). "modified" is the record's date.
FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "identifier": "identifier",
    "type": "level",
    "organisationname": "producer_name",
    "licence": "licence",
    "language": "language",
    "modified": "record_date",
    "creationdate": "created_on",
    "publicationdate": "published_on",
    "revisiondate": "revised_on",
    "tempextent_begin": "temporal_start",
    "tempextent_end": "temporal_end",
}
SORTABLE = {
    "title": "title",
    "identifier": "identifier",
    "modified": "record_date",
    "creationdate": "created_on",
    "publicationdate": "published_on",
    "revisiondate": "revised_on",
    "tempextent_begin": "temporal_start",
    "tempextent_end": "temporal_end",
    "organisationname": "producer_name",
    "type": "level",
}
_LOOKUPS = {"=": "exact", "<": "lt", ">": "gt", "<=": "lte", ">=": "gte"}
_TEXT_EQUALITY_CASE_INSENSITIVE = frozenset({"title", "subject", "organisationname"})


def _fulltext_filter(queryset, text):
    # The French full-text search, shared with the REST API and the pages.
    from crig.catalog.search import fulltext_filter

    return fulltext_filter(queryset, text)


class DatasetRepository:
    """Queries over a base queryset of visible records (``datasets_published_to``)."""

    def __init__(
        self,
        queryset: QuerySet[Dataset],
        *,
        landing_url: Callable[[Dataset], str] | None = None,
        user=None,
    ):
        """``queryset``: the records the person may see; ``user``, when given,
        must be the one it was built for (``datasets_published_to(user)``): the
        snapshot path then reads the hidden records by the visibility rules'
        shortest way."""
        self.visible = queryset
        self.user = user
        self.base = queryset.annotate(
            record_date=Coalesce("revised_on", "published_on", "created_on")
        )
        # Exclusions computed for a bbox, kept for the count and the page queries.
        self._bbox_exclusions: dict = {}
        # Snapshot positions matched per filter tree, for the count and the page.
        self._matched: dict = {}
        self.landing_url = landing_url or dataset_page_path

    # --- reading ----------------------------------------------------------------

    def matching(self, tree, sort: Sequence[tuple[str, bool]] = ()) -> QuerySet:
        """The records matching the filter tree, ordered by ``sort`` (queryable,
        descending?) then identifier, so paging is stable."""
        queryset = self.base
        if tree is not None:
            queryset = queryset.filter(self.q(tree))
        ordering = []
        for name, descending in sort:
            field = SORTABLE[name]
            expression = F(field)
            ordering.append(
                expression.desc(nulls_last=True)
                if descending
                else expression.asc(nulls_last=True)
            )
        ordering.append("identifier")
        return queryset.order_by(*ordering)

    def count(self, tree) -> int:
        return len(self._positions(tree)[1])

    def count_in_sql(self, tree) -> int:
        """``count`` in SQL alone (the reference of the tests)."""
        # Without the date annotation unless the filter needs it: counting an
        # annotated queryset wraps it in a subquery.
        base = self.base if _uses_record_date(tree) else self.visible
        queryset = base if tree is None else base.filter(self.q(tree))
        return queryset.count()

    # --- the snapshot path --------------------------------------------------------

    def _positions(self, tree) -> tuple[facets.FacetIndex, np.ndarray]:
        """The snapshot and the positions of the visible records matching
        ``tree``, in identifier order."""
        key = id(tree)
        if key not in self._matched:
            using = self.visible.db
            # The snapshot before the hidden records (see ``engine.search``).
            index = facets.snapshot(using)
            if self.user is not None:
                hidden = engine.hidden_ids(self.user, using)
            else:
                hidden = engine.hidden_ids(using=using, published=self.visible)
            visible = np.ones(len(index.ids), dtype=bool)
            visible[index.positions(hidden)] = False
            mask = visible if tree is None else self._mask(tree, index, visible)
            positions = np.flatnonzero(mask & visible)
            order = np.argsort(index.identifier_rank[positions], kind="stable")
            self._matched[key] = (tree, index, positions[order])
        _tree, index, positions = self._matched[key]
        return index, positions

    def _mask(self, node, index: facets.FacetIndex, visible: np.ndarray) -> np.ndarray:
        """The records matching ``node`` among the snapshot's (only those in
        ``visible`` are meaningful)."""
        if isinstance(node, filters.And):
            mask = visible.copy()
            for operand in node.operands:
                mask &= self._mask(operand, index, visible)
            return mask
        if isinstance(node, filters.Or):
            mask = np.zeros(len(index.ids), dtype=bool)
            for operand in node.operands:
                mask |= self._mask(operand, index, visible)
            return mask
        if isinstance(node, filters.Not) and _in_memory(node.operand):
            return visible & ~self._mask(node.operand, index, visible)
        if isinstance(node, filters.FullText):
            terms = analysis.query_terms(node.text)
            if not terms:
                return visible.copy()
            vendor = connections[self.visible.db].vendor
            sql, params = backends.matching_ids_sql(vendor, terms)
            return self._ids_mask(index, engine.id_array(sql, self.visible.db, params))
        if isinstance(node, filters.BBox):
            mask = visible.copy()
            corners = (node.min_lon, node.min_lat, node.max_lon, node.max_lat)
            engine.bbox_filter(index, corners, mask, self.visible.db)
            return mask
        if (mask := self._condition_mask(node, index)) is not None:
            return mask
        # Anything else is a SQL condition over the visible records.
        base = self.base if _uses_record_date(node) else self.visible
        rows = base.filter(self.q(node)).order_by().values("pk")
        return self._ids_mask(index, engine.id_array(rows, self.visible.db))

    @staticmethod
    def _condition_mask(node, index: facets.FacetIndex) -> np.ndarray | None:
        """Date comparisons, time overlaps, and case-insensitive LIKEs with an
        ASCII pattern on titles and subjects, from the snapshot; None for any
        other node (left to SQL). Same semantics as the SQL of ``q``: a NULL
        never compares, and LIKE folds ASCII case only, as SQLite's does (see
        ARCHITECTURE: PostgreSQL's UPPER also folds a few non-ASCII letters)."""
        if isinstance(node, filters.Comparison) and node.operator in _NUMPY_COMPARE:
            field = FIELDS.get(node.property)
            if field in index.dates:
                value = np.datetime64(node.value, "D")
                return _NUMPY_COMPARE[node.operator](index.dates[field], value)
            return None
        if isinstance(node, filters.TimeOverlap):
            return _time_overlap_mask(node, index)
        if isinstance(node, filters.Like) and node.property in ("title", "subject"):
            matches = _ascii_like(node.pattern)
            if matches is None:
                return None
            if node.property == "title":
                return np.fromiter(
                    map(matches, _folded(index, "titles")), bool, len(index.ids)
                )
            pairs = index.subjects
            labels = np.fromiter(
                map(matches, _folded(index, "subjects")), bool, len(pairs["values"])
            )
            mask = np.zeros(len(index.ids), dtype=bool)
            mask[pairs["positions"][labels[pairs["codes"]]]] = True
            return mask
        return None

    @staticmethod
    def _ids_mask(index: facets.FacetIndex, ids: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(index.ids), dtype=bool)
        mask[index.positions(ids)] = True
        return mask

    def page(
        self,
        tree,
        *,
        sort: Sequence[tuple[str, bool]] = (),
        offset: int = 0,
        limit: int = 10,
        with_documents: bool = False,
    ) -> list[CatalogRecord]:
        if limit <= 0:
            return []
        if sort:
            rows = self.matching(tree, sort).defer("search_text", "search_title")[
                offset : offset + limit
            ]
            return self.records(rows, with_documents=with_documents)
        index, positions = self._positions(tree)
        ids = index.ids[positions[offset : offset + limit]].tolist()
        rows = self.base.filter(pk__in=ids).defer("search_text", "search_title")
        by_pk = {row.pk: row for row in rows}
        return self.records(
            [by_pk[pk] for pk in ids if pk in by_pk], with_documents=with_documents
        )

    def by_identifiers(
        self, identifiers: Sequence[str], *, with_documents: bool = False
    ) -> list[CatalogRecord]:
        """The visible records with these identifiers, in the order asked."""
        rows = self.base.filter(identifier__in=list(identifiers))
        found = {
            r.identifier: r for r in self.records(rows, with_documents=with_documents)
        }
        return [found[i] for i in identifiers if i in found]

    def records(
        self, rows: QuerySet | list[Dataset], *, with_documents: bool
    ) -> list[CatalogRecord]:
        prefetches = [
            "keywords",
            "distributions",
        ]
        if with_documents:
            prefetches.append(
                Prefetch(
                    "provenances",
                    queryset=Provenance.objects.filter(
                        document_format=Provenance.Format.ISO19139,
                        withdrawn_at__isnull=True,
                    )
                    .exclude(document="")
                    .order_by("-last_seen_at", "id")
                    .only("id", "dataset_id", "document", "remote_identifier"),
                    to_attr="iso_provenances",
                )
            )
        rows = list(rows)
        prefetch_related_objects(rows, *prefetches)
        return [self.record(row, with_documents=with_documents) for row in rows]

    def record(self, dataset: Dataset, *, with_documents: bool) -> CatalogRecord:
        bbox = None
        if None not in (
            dataset.min_lon,
            dataset.min_lat,
            dataset.max_lon,
            dataset.max_lat,
        ):
            bbox = (dataset.min_lon, dataset.min_lat, dataset.max_lon, dataset.max_lat)
        document = ""
        if with_documents:
            for provenance in dataset.iso_provenances:
                if provenance.remote_identifier == dataset.identifier:
                    document = provenance.document
                    break
        return CatalogRecord(
            identifier=dataset.identifier,
            title=dataset.title,
            abstract=dataset.abstract,
            level=dataset.level,
            language=dataset.language,
            producer_name=dataset.producer_name,
            producer_email=dataset.producer_email,
            referentiel=dataset.referentiel,
            # Sorted here, not in SQL: collations differ between databases.
            keywords=tuple(
                sorted(
                    (
                        RecordKeyword(k.kind, k.code, k.label, k.thesaurus)
                        for k in dataset.keywords.all()
                    ),
                    key=lambda k: (k.kind, k.label.casefold(), k.code),
                )
            ),
            links=tuple(
                RecordLink(d.kind, d.url, d.name, d.title, d.media_type, d.protocol)
                for d in dataset.distributions.all()
            ),
            created_on=dataset.created_on,
            published_on=dataset.published_on,
            revised_on=dataset.revised_on,
            temporal_start=dataset.temporal_start,
            temporal_end=dataset.temporal_end,
            resolution_m=dataset.resolution_m,
            scale_denominator=dataset.scale_denominator,
            licence=dataset.licence,
            licence_url=dataset.licence_url,
            lineage=dataset.lineage,
            bbox=bbox,
            footprint=dataset.footprint,
            resource_identifier=dataset.resource_identifier,
            landing_url=self.landing_url(dataset),
            iso_document=document,
        )

    # --- filters ----------------------------------------------------------------

    def q(self, node) -> Q:
        """The ``Q`` of a filter tree node."""
        if isinstance(node, filters.And):
            result = Q()
            for operand in node.operands:
                result &= self.q(operand)
            return result
        if isinstance(node, filters.Or):
            result = self.q(node.operands[0])
            for operand in node.operands[1:]:
                result |= self.q(operand)
            return result
        if isinstance(node, filters.Not):
            return ~self.q(node.operand)
        if isinstance(node, filters.FullText):
            matching = _fulltext_filter(Dataset.objects.all(), node.text)
            return Q(pk__in=matching.values("pk"))
        if isinstance(node, filters.BBox):
            return self.bbox_q(node)
        if isinstance(node, filters.TimeOverlap):
            return time_overlap_q(node)
        if isinstance(node, filters.Like):
            return like_q(node)
        if isinstance(node, filters.Comparison):
            return comparison_q(node)
        raise filters.FilterError(f"Unsupported filter: {type(node).__name__}.")

    def bbox_q(self, box: filters.BBox) -> Q:
        """Exact: the bbox pre-filter minus the polygons that miss the box (the
        search's shared test, ``search.spatial``)."""
        corners = (box.min_lon, box.min_lat, box.max_lon, box.max_lat)
        if box not in self._bbox_exclusions:
            self._bbox_exclusions[box] = spatial.bbox_misses(self.visible, *corners)
        missing = self._bbox_exclusions[box]
        overlaps = spatial.overlaps_q(*corners)
        if missing:
            return overlaps & ~Q(pk__in=missing)
        return overlaps


_NUMPY_COMPARE = {
    "=": np.equal,
    "<": np.less,
    ">": np.greater,
    "<=": np.less_equal,
    ">=": np.greater_equal,
}
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _ascii_upper(text: str | None) -> str:
    text = text or ""
    return text.upper() if text.isascii() else text.translate(_ASCII_UPPER)


def _folded(index, name: str) -> list[str]:
    """The snapshot's titles or subject labels, ASCII-upper-cased once per
    snapshot."""
    cache = index.__dict__.setdefault("_ascii_upper", {})
    if name not in cache:
        values = index.titles if name == "titles" else index.subjects["values"]
        cache[name] = [_ascii_upper(value) for value in values]
    return cache[name]


def _ascii_like(pattern: tuple) -> Callable[[str], bool] | None:
    """A test of a LIKE pattern with ASCII case folding (SQLite's ``LIKE``, which
    Django's ``iexact``/``icontains``/``istartswith``/``iendswith`` use there),
    for the shapes ``_like_lookup`` turns into those; None for the others (a
    single-character wildcard, several literals, non-ASCII text)."""
    literals = [p for p in pattern if isinstance(p, str)]
    wildcards = [p for p in pattern if not isinstance(p, str)]
    text = "".join(literals)
    if not text.isascii() or any(p is not filters.ANY for p in wildcards):
        return None
    needle = text.upper()
    # The values given are already folded (``_folded``).
    if not wildcards:
        return needle.__eq__
    if len(literals) > 1:
        return None
    if not needle:
        return lambda value: True
    starts, ends = pattern[0] is filters.ANY, pattern[-1] is filters.ANY
    if starts and ends:
        return lambda value: needle in value
    if ends:
        return lambda value: value.startswith(needle)
    return lambda value: value.endswith(needle)


def _time_overlap_mask(node: filters.TimeOverlap, index) -> np.ndarray:
    """``time_overlap_q`` in numpy (NaT compares false, as NULL does)."""
    count = len(index.ids)
    if node.start is None and node.end is None:
        return np.ones(count, dtype=bool)
    start, end = index.dates["temporal_start"], index.dates["temporal_end"]
    record_date = index.dates["record_date"]
    no_start, no_end = np.isnat(start), np.isnat(end)
    extent = ~no_start | ~no_end
    instant = no_start & no_end
    if node.end is not None:
        last = np.datetime64(node.end, "D")
        extent &= no_start | (start <= last)
        instant &= record_date <= last
    if node.start is not None:
        first = np.datetime64(node.start, "D")
        extent &= no_end | (end >= first)
        instant &= record_date >= first
    return extent | instant


def _in_memory(node) -> bool:
    """Whether a node is evaluated from the snapshot alone (its complement is then
    taken in memory; any other ``Not`` keeps SQL's semantics)."""
    if isinstance(node, filters.And | filters.Or):
        return all(_in_memory(n) for n in node.operands)
    if isinstance(node, filters.Not):
        return _in_memory(node.operand)
    return isinstance(node, filters.FullText | filters.BBox)


def _uses_record_date(node) -> bool:
    if isinstance(node, filters.And | filters.Or):
        return any(_uses_record_date(n) for n in node.operands)
    if isinstance(node, filters.Not):
        return _uses_record_date(node.operand)
    if isinstance(node, filters.TimeOverlap):
        return True
    return isinstance(node, filters.Comparison | filters.Like) and (
        FIELDS.get(node.property) == "record_date"
    )


def like_q(node: filters.Like) -> Q:
    if node.property == "subject":
        return Q(
            pk__in=Keyword.objects.filter(_like_lookup("label", node.pattern)).values(
                "dataset_id"
            )
        )
    field = FIELDS.get(node.property)
    if field is None or node.property in filters.DATE_QUERYABLES:
        raise filters.FilterError(f"LIKE does not apply to {node.property}.")
    return _like_lookup(field, node.pattern)


def _like_lookup(field: str, pattern: tuple) -> Q:
    literals = [p for p in pattern if isinstance(p, str)]
    wildcards = [p for p in pattern if not isinstance(p, str)]
    if not wildcards:
        return Q(**{f"{field}__iexact": "".join(literals)})
    if all(p is filters.ANY for p in wildcards) and len(literals) <= 1:
        text = literals[0] if literals else ""
        if not text:
            # Matches every record: an always-true condition, not ``Q()``, which
            # an ``Or`` would drop (``x OR LIKE '%'`` must match everything).
            return Q(pk__isnull=False)
        starts = pattern[0] is filters.ANY
        ends = pattern[-1] is filters.ANY
        if starts and ends:
            return Q(**{f"{field}__icontains": text})
        if ends:
            return Q(**{f"{field}__istartswith": text})
        return Q(**{f"{field}__iendswith": text})
    regex = "".join(
        ".*" if p is filters.ANY else "." if p is filters.ONE else re.escape(p)
        for p in pattern
    )
    return Q(**{f"{field}__iregex": f"^{regex}$"})


def comparison_q(node: filters.Comparison) -> Q:
    if node.property == "subject":
        lookup = "label__iexact" if node.operator in ("=", "<>") else None
        if lookup is None:
            raise filters.FilterError("Subjects compare only for equality.")
        keywords = Keyword.objects.filter(
            Q(label__iexact=node.value) | Q(code__iexact=node.value)
        ).values("dataset_id")
        q = Q(pk__in=keywords)
        return ~q if node.operator == "<>" else q
    field = FIELDS[node.property]
    if node.operator == "<>":
        return ~_equality(node, field)
    if node.operator == "=":
        return _equality(node, field)
    return Q(**{f"{field}__{_LOOKUPS[node.operator]}": node.value})


def _equality(node: filters.Comparison, field: str) -> Q:
    if node.property in _TEXT_EQUALITY_CASE_INSENSITIVE:
        return Q(**{f"{field}__iexact": node.value})
    return Q(**{field: node.value})


def time_overlap_q(node: filters.TimeOverlap) -> Q:
    """A record's time is its temporal extent (an open end when one bound is
    missing), else the instant of its date."""
    has_extent = Q(temporal_start__isnull=False) | Q(temporal_end__isnull=False)
    extent = has_extent
    instant = Q(temporal_start__isnull=True, temporal_end__isnull=True)
    if node.end is not None:
        extent &= Q(temporal_start__isnull=True) | Q(temporal_start__lte=node.end)
        instant &= Q(record_date__lte=node.end)
    if node.start is not None:
        extent &= Q(temporal_end__isnull=True) | Q(temporal_end__gte=node.start)
        instant &= Q(record_date__gte=node.start)
    if node.start is None and node.end is None:
        return Q(pk__isnull=False)  # always true (see ``_like_lookup``)
    return extent | instant


def dataset_page_path(dataset: Dataset) -> str:
    """The path of the record's page (the catalogue's, else the OGC API item page)."""
    try:
        return dataset.get_absolute_url()
    except NoReverseMatch:
        return reverse("standards:ogcapi_item", args=["catalog", dataset.identifier])
