"""Plain SQL helpers for the few hot paths where the ORM's cost per parameter
shows (thousands of ``IN`` values a batch)."""

from collections.abc import Iterator, Sequence

from django.db import connection

#: Values per ``IN (…)`` list: well under SQLite's limit on the parameters of a
#: statement.
IN_CHUNK = 500


def rows_in(sql: str, values: Sequence, size: int = IN_CHUNK) -> Iterator[tuple]:
    """The rows of ``sql`` with its ``IN ({})`` filled by ``values``, ``size`` at
    a time (one statement each). ``sql`` is trusted text (table and column names
    from the models' ``_meta``); the values are always parameters."""
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), chunk)
            yield from cursor.fetchall()
