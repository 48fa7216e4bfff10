"""The benchmark catalogue into a pycsw repository, in bulk.

pycsw parses each ISO 19139 document with its own ``metadata.parse_record`` (so the
repository columns, AnyText and geometry are pycsw's), in two processes; rows go in
with one ``INSERT`` per thousand instead of ``load_records``' commit per record,
which would take hours at 100,000 records.

Usage (pycsw virtualenv, PYTHONPATH=src): load_bulk.py TERRITORY_JSON COUNT SEED
DATABASE → JSON {"seconds", "loaded"}.
"""

import json
import logging
import multiprocessing
import sys
import time
from pathlib import Path

from lxml import etree
from pycsw.core import admin, config, metadata, repository

from crig.catalog import generate

logging.disable(logging.CRITICAL)
CHUNK = 1000
_state = {}


def _init(territory_path: str, database: str, seed: int) -> None:
    _state["territory"] = generate.territory_from_json(
        Path(territory_path).read_text(encoding="utf-8")
    )
    _state["context"] = config.StaticContext()
    _state["repo"] = repository.Repository(
        f"sqlite:///{database}", _state["context"], table="records"
    )
    _state["seed"] = seed


def _rows(start: int) -> list[dict]:
    context, repo = _state["context"], _state["repo"]
    columns = [c.key for c in repo.dataset.__table__.columns]
    rows = []
    for index in range(start, start + CHUNK):
        record = generate.catalogue_record(
            _state["territory"], index, seed=_state["seed"]
        )
        document = generate.iso19139_document(record)
        parsed = metadata.parse_record(
            context, etree.fromstring(document, context.parser), repo
        )
        for item in parsed:
            item.source = "local"
            item.insert_date = "2025-01-01T00:00:00Z"
            rows.append({name: getattr(item, name, None) for name in columns})
    return rows


def main(territory_path: str, count: str, seed: str, database: str) -> None:
    count, seed = int(count), int(seed)
    url = f"sqlite:///{database}"
    admin.setup_db(url, "records", "/tmp")  # noqa: S108 (pycsw's home argument)
    repo = repository.Repository(url, config.StaticContext(), table="records")
    table = repo.dataset.__table__
    started = time.perf_counter()
    loaded = 0
    with multiprocessing.Pool(
        2, initializer=_init, initargs=(territory_path, database, seed)
    ) as pool:
        for rows in pool.imap(_rows, range(0, count, CHUNK)):
            with repo.engine.begin() as connection:
                connection.execute(table.insert(), rows[: count - loaded])
            loaded += min(len(rows), count - loaded)
    with repo.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    print(json.dumps({"seconds": time.perf_counter() - started, "loaded": loaded}))


if __name__ == "__main__":
    main(*sys.argv[1:])
