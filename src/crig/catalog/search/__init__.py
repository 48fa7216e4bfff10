"""Full-text search of the catalogue, French-aware, identical on SQLite and
PostgreSQL.

- ``analysis`` — the pure-Python French analysis (folding, stop words, stemming)
  applied to records at index time and to queries at search time;
- ``backends`` — SQLite FTS5 table / PostgreSQL GIN index, and the SQL that finds
  the records holding every query term;
- ``index`` — ``dataset_index(ids)``, called after every write to a record.

``fulltext_filter(queryset, text)`` is the entry point for other modules (the CSW
``AnyText`` filter, OGC API Records ``q``); the catalogue search itself is
``crig.catalog.selectors.search.datasets_search``.
"""

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from crig.catalog.search import analysis, backends


def fulltext_filter(queryset: QuerySet, text: str | None) -> QuerySet:
    """Keep the records of ``queryset`` that hold every term of ``text``.

    A text without any meaningful word (empty, only stop words or punctuation)
    filters nothing out.
    """
    terms = analysis.query_terms(text)
    if not terms:
        return queryset
    vendor = connections[queryset.db].vendor
    sql, params = backends.matching_ids_sql(vendor, terms)
    # Constant SQL from ``backends``; the terms are bound parameters.
    return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611
