"""The two full-text backends: SQLite FTS5 (the embedded default) and PostgreSQL.

Both index the same pre-analysed text (``Dataset.search_text``, see ``analysis``)
and answer the same question — which records hold every query term — as a SQL
subquery of dataset ids, so the rest of the search (filters, facets, ranking) is
ordinary portable ORM code.

- SQLite: an FTS5 table ``catalog_dataset_fts`` with its own copy of the text and
  ``rowid`` = dataset id, written by ``index.dataset_index``. Not an external-content
  table kept by triggers: Django rebuilds SQLite tables on some schema changes, which
  silently drops triggers. Rows of deleted datasets stay in the table until the next
  ``dataset_index`` of that id or a rebuild; they are harmless, since ids are never
  reused (AUTOINCREMENT) and matches are joined back to ``catalog_dataset``.
- PostgreSQL: a GIN index over ``to_tsvector('simple', search_text)``. The
  ``simple`` configuration only lower-cases, which the analysis already did: the
  lexemes are the analysed terms, exactly as FTS5 sees them.
"""

from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

FTS_TABLE = "catalog_dataset_fts"
GIN_INDEX = "catalog_dataset_search_gin"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text)",
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
POSTGRESQL_CREATE = [
    f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON catalog_dataset "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
]
POSTGRESQL_DROP = [f"DROP INDEX IF EXISTS {GIN_INDEX}"]


def create_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(vendor, [])


def drop_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, [])


def matching_ids_sql(vendor: str, terms: Sequence[str]) -> tuple[str, list[str]]:
    """SQL selecting the ids of the records that hold every term (AND)."""
    if not terms:
        raise ValueError("matching_ids_sql needs at least one term.")
    if vendor == "sqlite":
        # Terms are [a-z0-9]+ words: each double-quoted string is one token.
        match = " ".join(f'"{term}"' for term in terms)
        sql = f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return sql, [match]
    if vendor == "postgresql":
        # The same expression as the GIN index, so the planner uses it.
        return (
            "SELECT id FROM catalog_dataset WHERE "
            "to_tsvector('simple'::regconfig, search_text) "
            "@@ plainto_tsquery('simple'::regconfig, %s)",
            [" ".join(terms)],
        )
    # Only the two databases crig supports have a full-text backend.
    raise ImproperlyConfigured(
        f"crig's full-text search runs on SQLite or PostgreSQL, not {vendor}."
    )


def id_list_sql(vendor: str, ids_sql: str, column: str = "id") -> str:
    """SQL answering the ids selected by ``ids_sql`` as one comma-separated text:
    a search may match the whole catalogue, and fetching 100,000 one-column rows
    through the driver costs about 40 ms on SQLite where one aggregated string and
    ``numpy.fromstring`` cost 15."""
    if vendor == "sqlite":
        return f'SELECT group_concat("{column}") FROM ({ids_sql}) AS matched'  # noqa: S608
    if vendor == "postgresql":
        return (
            f"SELECT string_agg(\"{column}\"::text, ',') "  # noqa: S608
            f"FROM ({ids_sql}) AS matched"
        )
    raise ImproperlyConfigured(
        f"crig's full-text search runs on SQLite or PostgreSQL, not {vendor}."
    )


# Table names below are module constants and every value is a bound parameter.


def write_index(connection, rows: Sequence[tuple[int, str]], ids: Sequence[int]):
    """Bring the backend's own index up to date for ``ids`` (rows: id, text).

    Only SQLite keeps a separate index table; PostgreSQL's GIN index follows the
    column by itself.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})",  # noqa: S608
                chunk,
            )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)",  # noqa: S608
            [(pk, text) for pk, text in rows if text],
        )


def clear_index(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
