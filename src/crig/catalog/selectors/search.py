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
  (year, then revision date, most recent first), then title and id. The same SQL on
  both databases, so both give the same order.
- Facets count the records of the current result (query and every filter) by value,
  the ``FACET_LIMIT`` largest values each. SQL returns the matched ids once; their
  values are counted from the in-memory column snapshot of ``search.facets``
  (kept fresh by a change log written with every indexed write). Ties are broken
  by value in Python, so both databases order them alike whatever their collation.
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from crig.catalog.models import (
    Dataset,
    HarvestSource,
    Keyword,
    Provenance,
    Referentiel,
)
from crig.catalog.search import (
    analysis,
    backends,
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
#: Points of a title-term match in the relevance score.
TITLE_TERM_WEIGHT = 1
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
    """The records found, ordered (``queryset``), their ``count`` and ``facets``.

    ``count`` and ``facets`` are computed when first read, so callers that only
    page through the records (CSW, exports) do not pay for them.
    """

    def __init__(self, *, queryset: QuerySet[Dataset], matched: QuerySet[Dataset]):
        self.queryset = queryset
        self._matched = matched

    @cached_property
    def count(self) -> int:
        if "facets" in self.__dict__:
            return self._count
        return self._matched.count()

    @cached_property
    def facets(self) -> dict[str, list[FacetValue]]:
        facets, self._count = _facets_and_count(self._matched)
        return facets

    def ids(self) -> list[int]:
        return list(self.queryset.values_list("pk", flat=True))


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


def _commune_codes(*, communes: list[str], epcis: list[str], departements: list[str]):
    """A subquery of the INSEE codes of each territorial filter given (unknown
    codes → InvalidInput). Subqueries, not lists: a département has hundreds of
    communes, and a long ``IN`` list leads SQLite to a poor plan."""
    from crig.territory.models import EPCI, Commune, Departement

    groups = []
    if communes:
        found = set(
            Commune.objects.filter(insee__in=communes).values_list("insee", flat=True)
        )
        _check_known(communes, found, "commune", _("Unknown commune: %(codes)s."))
        groups.append(sorted(found))
    if epcis:
        found = set(EPCI.objects.filter(siren__in=epcis).values_list("pk", flat=True))
        _check_known(epcis, found, "epci", _("Unknown EPCI: %(codes)s."))
        groups.append(Commune.objects.filter(epci_id__in=sorted(found)).values("insee"))
    if departements:
        found = set(
            Departement.objects.filter(code__in=departements).values_list(
                "pk", flat=True
            )
        )
        _check_known(
            departements, found, "departement", _("Unknown département: %(codes)s.")
        )
        groups.append(
            Commune.objects.filter(departement_id__in=sorted(found)).values("insee")
        )
    return groups


def _check_known(asked: list[str], found: set[str], field: str, message) -> None:
    unknown = [code for code in asked if code not in found]
    if unknown:
        raise InvalidInput(message % {"codes": ", ".join(unknown)}, field=field)


# --- Filters ------------------------------------------------------------------------


def _theme_condition(theme: str) -> Q:
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
        return Q(referentiel=code)
    keywords = Keyword.objects.filter(code=code)
    if kind:
        keywords = keywords.filter(kind=kind)
    return Q(pk__in=keywords.values("dataset_id"))


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
    theme_conditions = [_theme_condition(value) for value in _values(theme)]
    commune_groups = _commune_codes(
        communes=_values(commune),
        epcis=_values(epci),
        departements=_values(departement),
    )

    matched = datasets_published_to(user)
    if matched.query.distinct:
        # The visibility rules join memberships: regroup as a plain id filter so
        # that facet counts are not multiplied by the join.
        matched = Dataset.objects.filter(pk__in=matched.values("pk"))
    terms = analysis.query_terms(q)
    if terms:
        matched = fulltext_filter(matched, q)
    for condition in theme_conditions:
        matched = matched.filter(condition)
    if producers := _values(producer):
        matched = matched.filter(producer_name__in=producers)
    if licences := _values(licence):
        matched = matched.filter(licence__in=licences)
    if sources := _values(source):
        matched = matched.filter(
            pk__in=Provenance.objects.filter(origin__in=sources).values("dataset_id")
        )
    if first_year is not None:
        matched = matched.filter(year__gte=first_year)
    if last_year is not None:
        matched = matched.filter(year__lte=last_year)
    for codes in commune_groups:
        matched = datasets_covering(
            matched, communes=codes, min_fraction=COMMUNE_MIN_FRACTION
        )
    if box is not None:
        matched = bbox_filter(matched, box)
    matched = matched.order_by()
    return SearchResult(queryset=_ordered(matched, terms, sort), matched=matched)


def relevance_score(terms: Sequence[str]):
    """Query terms found in the title (``search_title`` is ``" t1 t2 … "``)."""
    score = Value(0, output_field=IntegerField())
    for term in terms:
        score = score + Case(
            When(search_title__contains=f" {term} ", then=Value(TITLE_TERM_WEIGHT)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return score


DATE_ORDER = (
    F("year").desc(nulls_last=True),
    F("revised_on").desc(nulls_last=True),
    "title",
    "pk",
)


def _ordered(queryset: QuerySet[Dataset], terms: list[str], sort: str):
    if sort == "title":
        return queryset.order_by("title", "pk")
    if sort == "relevance" and terms:
        return queryset.annotate(search_score=relevance_score(terms)).order_by(
            "-search_score", *DATE_ORDER
        )
    return queryset.order_by(*DATE_ORDER)


# --- Facets -------------------------------------------------------------------------


def search_facets(matched: QuerySet[Dataset]) -> dict[str, list[FacetValue]]:
    """Counts per theme, producer, source platform, licence and year."""
    return _facets_and_count(matched)[0]


def _matched_ids(matched: QuerySet[Dataset]) -> np.ndarray:
    """The ids of the matched records, sorted: one aggregated text from the
    database (see ``backends.id_list_sql``), no row objects."""
    connection = connections[matched.db]
    query = matched.order_by().values("pk").query
    query.clear_select_clause()
    query.add_fields(["id"])
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(backends.id_list_sql(connection.vendor, sql), params)
        (text,) = cursor.fetchone()
    ids = np.fromstring(text or "", dtype=np.int64, sep=",")
    ids.sort()
    return ids


def _facets_and_count(
    matched: QuerySet[Dataset],
) -> tuple[dict[str, list[FacetValue]], int]:
    """The facets and the number of matched records.

    SQL decides which records match (visibility, full text, every filter) and
    returns their ids; ``search.facets`` counts their values from its in-memory
    column snapshot, which holds no visibility, so nothing restricted can be
    counted that the query did not return.
    """
    counts = facets.facet_counts(_matched_ids(matched), using=matched.db)
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
        HarvestSource.objects.using(matched.db)
        .filter(name__in=[origin for origin, _n in source_rows])
        .values_list("name", "title")
    )
    result = {
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
    return result, counts.count


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
