"""The catalogue search: full text, filters, facets and ranking, for the REST API,
the search page and (through ``crig.catalog.search.fulltext_filter``) the standards
endpoints.

Everything starts from ``visibility.datasets_published_to(user)``, so restricted and
withdrawn records never appear in results or facet counts of people who may not see
them.

Rules (see ARCH_SEARCH.md):

- ``q``: every analysed term must match (French folding, stop words, stemming; see
  ``crig.catalog.search.analysis``); a query of stop words only filters nothing.
- Values repeated within one filter are alternatives (``licence=a&licence=b``: a or
  b), except ``theme``, where each value narrows (a drill-down through the facets);
  different filters all apply.
- ``bbox`` keeps the records whose footprint intersects the box, exactly: the bbox
  columns select candidates in SQL; polygon footprints whose bbox crosses the box's
  edge are tested with shapely.
- ``commune`` / ``epci`` / ``departement`` use the computed commune coverage
  (``selectors.coverage.datasets_covering``), not the bbox.
- Relevance: the number of query terms found in the title, then the date order
  (year, then revision date, most recent first, then title and id). Titles compare
  folded (case and accents aside), then as written, in Python: both databases give
  the same order.
- Facets count the records of the current result (query and every filter) by value,
  the ``FACET_LIMIT`` largest values each. Ties are broken by value in Python, so
  both databases order them alike whatever their collation.

Matching, ordering and counting run in ``search.engine``: SQL gives the sets of
ids only it can tell (visibility, full text, keywords, territory), the in-memory
snapshot of ``search.facets`` the rest. ``SearchResult.matched`` is the same
search as one SQL queryset (unordered): the reference the tests compare the
engine with, on both databases.
"""

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crig.catalog.models import (
    AreaCoverage,
    Dataset,
    HarvestSource,
    Keyword,
    Provenance,
    Referentiel,
)
from crig.catalog.search import (
    analysis,
    engine,
    facets,
    fulltext_filter,
    spatial,
)
from crig.catalog.selectors.coverage import datasets_covering
from crig.catalog.selectors.visibility import datasets_published_to
from crig.core.errors import InvalidInput

#: The most frequent values returned per facet (per kind for themes).
FACET_LIMIT = 20
YEAR_FACET_LIMIT = 60
#: The least share of a commune a footprint must cover for the commune filters:
#: excludes slivers along shared borders (a footprint drawn on a neighbour).
COMMUNE_MIN_FRACTION = 0.01
SORTS = ("relevance", "date", "title")
THEME_KINDS = tuple(Keyword.Kind.values)
MIN_YEAR, MAX_YEAR = 1000, 2999


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    kind: str = ""


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]

    def __str__(self) -> str:
        return ",".join(f"{value:g}" for value in self.as_list())


class SearchResult:
    """The records found: ``count``, ``facets``, and the ordered ``ids()`` or a
    ``page()`` of records. Computed on first read, once."""

    def __init__(self, *, user, query: engine.Query, matched: Callable[[], QuerySet]):
        self._user = user
        self._query = query
        self._matched = matched
        self.using = Dataset.objects.db

    @cached_property
    def matched(self) -> QuerySet[Dataset]:
        """The same search as one SQL queryset, unordered (see the docstring)."""
        return self._matched()

    @cached_property
    def _matches(self) -> engine.Matches:
        return engine.search(self._user, self._query, using=self.using)

    @property
    def count(self) -> int:
        return self._matches.count

    @cached_property
    def facets(self) -> dict[str, list[FacetValue]]:
        return _facets(self._matches.facet_counts(), using=self.using)

    def ids(self, start: int = 0, stop: int | None = None) -> list[int]:
        """Ids of the records found, in order, ``[start:stop]``."""
        return self._matches.ids(start, stop)

    def page(
        self, start: int, stop: int, queryset: QuerySet[Dataset] | None = None
    ) -> list[Dataset]:
        """The records ``[start:stop]`` in order, read with ``queryset`` (e.g. with
        ``only()`` or ``defer()``; ``Dataset.objects`` by default). A record
        deleted or hidden since it was matched is left out."""
        ids = self.ids(start, stop)
        if queryset is None:
            queryset = Dataset.objects.using(self.using)
        # Read through the visibility rules again (defence in depth: the engine
        # already left out what the person may not see).
        visible = datasets_published_to(self._user).filter(pk__in=ids).values("pk")
        rows = queryset.filter(pk__in=visible).in_bulk()
        return [rows[pk] for pk in ids if pk in rows]


# --- Parameters ---------------------------------------------------------------------


def _values(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [item.strip() for item in value if item is not None and item.strip()]


def parse_bbox(value: str | Sequence[float] | BBox | None) -> BBox | None:
    """``"west,south,east,north"`` in WGS84 degrees (or four numbers) → ``BBox``."""
    if value is None or isinstance(value, BBox):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        parts = value.split(",")
    else:
        parts = list(value)
    message = _(
        "The bbox must be four numbers “west,south,east,north” in WGS84 degrees, "
        "west < east and south < north."
    )
    if len(parts) != 4:
        raise InvalidInput(message, field="bbox")
    try:
        west, south, east, north = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise InvalidInput(message, field="bbox") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InvalidInput(message, field="bbox")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InvalidInput(message, field="bbox")
    return BBox(west, south, east, north)


def _year(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            _("%(field)s must be a year (four digits).") % {"field": field},
            field=field,
        )
    return year


def _territories(
    *, communes: list[str], epcis: list[str], departements: list[str]
) -> list[tuple[str, list[str]]]:
    """``(kind, codes)`` of each territorial filter given (unknown codes →
    InvalidInput)."""
    from crig.territory.models import EPCI, Commune, Departement

    groups = []
    for kind, asked, model, field, message in (
        ("commune", communes, Commune, "insee", _("Unknown commune: %(codes)s.")),
        ("epci", epcis, EPCI, "siren", _("Unknown EPCI: %(codes)s.")),
        (
            "departement",
            departements,
            Departement,
            "code",
            _("Unknown département: %(codes)s."),
        ),
    ):
        if asked:
            found = set(
                model.objects.filter(**{f"{field}__in": asked}).values_list(
                    field, flat=True
                )
            )
            _check_known(asked, found, kind, message)
            groups.append((kind, sorted(found)))
    return groups


def _check_known(asked: list[str], found: set[str], field: str, message) -> None:
    unknown = [code for code in asked if code not in found]
    if unknown:
        raise InvalidInput(message % {"codes": ", ".join(unknown)}, field=field)


# --- Filters ------------------------------------------------------------------------


def _theme_condition(theme: str) -> tuple[Q, tuple[str, str]]:
    """The SQL condition of one theme value, and its ``(kind, code)`` for the
    engine (kind ``""``: a keyword of any kind)."""
    kind, separator, code = theme.partition(":")
    if not separator:
        # A bare code: a référentiel, else a keyword of any kind.
        kind, code = (
            ("referentiel", theme) if theme in Referentiel.values else ("", theme)
        )
    if kind and kind not in THEME_KINDS:
        raise InvalidInput(
            _("Unknown theme kind “%(kind)s”: use referentiel, inspire or keyword.")
            % {"kind": kind},
            field="theme",
        )
    if kind == Keyword.Kind.REFERENTIEL:
        return Q(referentiel=code), (kind, code)
    keywords = Keyword.objects.filter(code=code)
    if kind:
        keywords = keywords.filter(kind=kind)
    return Q(pk__in=keywords.values("dataset_id")), (kind, code)


def bbox_filter(queryset: QuerySet[Dataset], bbox: BBox) -> QuerySet[Dataset]:
    """Records whose footprint intersects the box (exactly, see ``search.spatial``)."""
    return spatial.bbox_filter(queryset, *bbox.as_list())


# --- Search -------------------------------------------------------------------------


def datasets_search(
    *,
    user,
    q: str | None = None,
    theme: str | Iterable[str] | None = None,
    bbox: str | Sequence[float] | BBox | None = None,
    commune: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
    departement: str | Iterable[str] | None = None,
    producer: str | Iterable[str] | None = None,
    source: str | Iterable[str] | None = None,
    licence: str | Iterable[str] | None = None,
    year_from: int | str | None = None,
    year_to: int | str | None = None,
    sort: str | None = "relevance",
) -> SearchResult:
    """Search the records ``user`` may see; bad parameters raise ``InvalidInput``
    (naming the field) before any query runs."""
    sort = sort or "relevance"
    if sort not in SORTS:
        raise InvalidInput(
            _("Unknown sort “%(sort)s”: use relevance, date or title.")
            % {"sort": sort},
            field="sort",
        )
    box = parse_bbox(bbox)
    first_year = _year(year_from, "year_from")
    last_year = _year(year_to, "year_to")
    if first_year is not None and last_year is not None and first_year > last_year:
        raise InvalidInput(
            _("year_from (%(first)s) is after year_to (%(last)s).")
            % {"first": first_year, "last": last_year},
            field="year_from",
        )
    themes = [_theme_condition(value) for value in _values(theme)]
    territories = _territories(
        communes=_values(commune),
        epcis=_values(epci),
        departements=_values(departement),
    )
    terms = analysis.query_terms(q)
    producers, licences, sources = _values(producer), _values(licence), _values(source)
    query = engine.Query(
        terms=terms,
        themes=[pair for _condition, pair in themes],
        producers=producers,
        licences=licences,
        sources=sources,
        year_from=first_year,
        year_to=last_year,
        territories=territories,
        min_fraction=COMMUNE_MIN_FRACTION,
        bbox=None if box is None else tuple(box.as_list()),
        sort=sort,
    )

    def reference() -> QuerySet[Dataset]:
        matched = datasets_published_to(user)
        if matched.query.distinct:
            # The visibility rules join memberships: regroup as a plain id filter.
            matched = Dataset.objects.filter(pk__in=matched.values("pk"))
        if terms:
            matched = fulltext_filter(matched, q)
        for condition, _pair in themes:
            matched = matched.filter(condition)
        if producers:
            matched = matched.filter(producer_name__in=producers)
        if licences:
            matched = matched.filter(licence__in=licences)
        if sources:
            matched = matched.filter(
                pk__in=Provenance.objects.filter(origin__in=sources).values(
                    "dataset_id"
                )
            )
        if first_year is not None:
            matched = matched.filter(year__gte=first_year)
        if last_year is not None:
            matched = matched.filter(year__lte=last_year)
        for kind, codes in territories:
            if kind == "commune":
                matched = datasets_covering(
                    matched, communes=codes, min_fraction=COMMUNE_MIN_FRACTION
                )
            else:
                matched = matched.filter(
                    pk__in=AreaCoverage.objects.filter(
                        kind=kind, code__in=codes, fraction__gte=COMMUNE_MIN_FRACTION
                    ).values("dataset_id")
                )
        if box is not None:
            matched = bbox_filter(matched, box)
        return matched.order_by()

    return SearchResult(user=user, query=query, matched=reference)


# --- Facets -------------------------------------------------------------------------


def _facets(counts: facets.FacetCounts, *, using: str) -> dict[str, list[FacetValue]]:
    """The facets of a result from its full counts: the largest values each."""
    keyword_rows = {
        kind: _largest(counts.keywords[kind].items())
        for kind in (Keyword.Kind.INSPIRE, Keyword.Kind.FREE)
    }
    source_rows = _largest(counts.sources.items())
    columns = {}
    for name in FACET_COLUMNS:
        columns.update(_column_counts((name,), counts.columns[name].items()))

    referentiel_labels = dict(Referentiel.choices)
    themes = [
        FacetValue(
            value=f"{kind}:{code}",
            label=counts.keyword_labels[kind].get(code) or code,
            count=n,
            kind=kind,
        )
        for kind, rows in keyword_rows.items()
        for code, n in rows
    ]
    source_titles = dict(
        HarvestSource.objects.using(using)
        .filter(name__in=[origin for origin, _n in source_rows])
        .values_list("name", "title")
    )
    return {
        "theme": [
            FacetValue(
                value=f"referentiel:{code}",
                label=str(referentiel_labels.get(code, code)),
                count=n,
                kind=Keyword.Kind.REFERENTIEL,
            )
            for code, n in columns["referentiel"]
        ]
        + themes,
        "producer": [
            FacetValue(value=name, label=name, count=n)
            for name, n in columns["producer_name"]
        ],
        "source": [
            FacetValue(value=origin, label=source_titles.get(origin, origin), count=n)
            for origin, n in source_rows
        ],
        "licence": [
            FacetValue(value=name, label=name, count=n)
            for name, n in columns["licence"]
        ],
        "year": [
            FacetValue(value=str(year), label=str(year), count=n)
            for year, n in columns["year"]
        ],
    }


def _largest(rows: Iterable[tuple], limit: int = FACET_LIMIT) -> list[tuple]:
    """``(value, count)`` rows: the largest counts first, ties by value (in
    Python, so that both databases order them alike whatever their collation)."""
    return sorted(
        ((value, n) for value, n in rows if value not in ("", None)),
        key=lambda item: (-item[1], item[0]),
    )[:limit]


FACET_COLUMNS = ("referentiel", "producer_name", "licence", "year")


def _column_counts(group: tuple[str, ...], rows: Iterable[tuple]) -> dict[str, list]:
    """Counts per value of each column of ``group`` from ``GROUP BY`` rows (the
    values, then the count), largest first, then by value; years newest first."""
    counters = {column: Counter() for column in group}
    for *values, n in rows:
        for column, value in zip(group, values, strict=True):
            counters[column][value] += n
    counts = {
        column: _largest(counter.items())
        for column, counter in counters.items()
        if column != "year"
    }
    if "year" in counters:
        counts["year"] = sorted(
            ((year, n) for year, n in counters["year"].items() if year is not None),
            reverse=True,
        )[:YEAR_FACET_LIMIT]
    return counts
