"""Search figures at 100,000 records: p50/p95 latency of a fixed mix of queries
through ``/api/v1/datasets`` and through CSW GetRecords at ``/csw``, and the same
CSW queries against pycsw 2.6.2 loaded with the same records.

- Loading: ``generate.catalogue_records`` written with the ORM in bulk (records,
  keywords, links, provenance), commune coverage written directly (fraction 1 for
  the communes a footprint is made of; tiles measured with
  ``territory.geometry.CommuneIndex``, the same Lambert-93 areas as the coverage
  service), then the search index of ``search.index.dataset_index`` — not through
  the harvester, which ``catalog_harvest`` measures.
- Serving: both catalogues behind ``wsgiref`` on the loopback, each in its own
  process, ours with production settings (``CRIG_DEBUG=false``), and measured by
  the same HTTP client (one connection per request, no ``Accept-Encoding``): the
  figures include HTTP parsing on both sides, as a client sees them.
- pycsw: its repository is built by ``bench/pycsw_peer/load_bulk.py`` (pycsw's own
  record parser, bulk inserts) and kept under ``var/bench/`` for the next runs.
  pycsw rounds bounding boxes to 0.01°, so its bbox counts differ slightly from
  ours, which are exact; each query reports both hit counts.

Run alone with ``python -m bench catalog_search``; ``CRIG_BENCH_SEARCH_RECORDS``
sets the number of records (default 100,000).
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

SEED = 7
REPEAT = 10
WARM_UP = 2
CHUNK = 2_000
CACHE = Path(__file__).resolve().parent.parent / "var" / "bench"
#: Bump when ``load_catalogue`` writes something else: the loaded database is cached
#: under ``var/bench/`` (schema changes are applied to the copy by ``migrate``).
LOAD_VERSION = 1

TOULOUSE = (1.35, 43.53, 1.51, 43.67)
HERAULT_COAST = (3.2, 43.2, 4.0, 43.9)
API_QUERIES = {
    "all, first page": {},
    "full text: orthophotographie": {"q": "orthophotographie"},
    "full text: plan local d'urbanisme": {"q": "plan local d'urbanisme"},
    "full text + département: arbres 31": {"q": "arbres", "departement": "31"},
    "facet: theme lidar": {"theme": "referentiel:lidar"},
    "facet: theme pcrs + year ≥ 2020": {"theme": "referentiel:pcrs", "year_from": 2020},
    "facet: licence ODbL + theme erp": {
        "licence": "ODbL 1.0",
        "theme": "referentiel:erp",
    },
    "bbox: Toulouse": {"bbox": ",".join(map(str, TOULOUSE))},
    "commune: Toulouse": {"commune": "31555"},
    "EPCI: Montpellier Méditerranée Métropole": {"epci": "243400017"},
    "département: Hérault": {"departement": "34"},
    "full text + bbox + year: réseaux": {
        "q": "réseaux",
        "bbox": ",".join(map(str, HERAULT_COAST)),
        "year_from": 2015,
    },
    "full text sorted by date: zonage": {"q": "zonage", "sort": "date"},
    "full text, no match": {"q": "xylophone"},
}


# --- CSW requests --------------------------------------------------------------------


def _like(name: str, pattern: str) -> str:
    return (
        '<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\">'
        f"<ogc:PropertyName>{name}</ogc:PropertyName>"
        f"<ogc:Literal>{pattern}</ogc:Literal></ogc:PropertyIsLike>"
    )


def _bbox(west, south, east, north) -> str:
    # EPSG:4326 as a URN: latitude first (OGC axis order), as QGIS sends it.
    return (
        "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>"
        '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<gml:lowerCorner>{south} {west}</gml:lowerCorner>"
        f"<gml:upperCorner>{north} {east}</gml:upperCorner></gml:Envelope></ogc:BBOX>"
    )


def _since(day: str) -> str:
    return (
        "<ogc:PropertyIsGreaterThanOrEqualTo>"
        "<ogc:PropertyName>dct:modified</ogc:PropertyName>"
        f"<ogc:Literal>{day}</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>"
    )


def _and(*filters: str) -> str:
    return f"<ogc:And>{''.join(filters)}</ogc:And>"


CSW_QUERIES = {
    "AnyText: urbanisme": _like("csw:AnyText", "%urbanisme%"),
    "AnyText: orthophotographie": _like("csw:AnyText", "%orthophotographie%"),
    "title: Montpellier": _like("dc:title", "%Montpellier%"),
    "subject: LIDAR": _like("dc:subject", "%LIDAR%"),
    "BBOX: Toulouse": _bbox(*TOULOUSE),
    "BBOX: Hérault coast": _bbox(*HERAULT_COAST),
    "AnyText + BBOX: assainissement, Toulouse": _and(
        _like("csw:AnyText", "%assainissement%"), _bbox(*TOULOUSE)
    ),
    "AnyText + modified: inondation since 2020": _and(
        _like("csw:AnyText", "%inondation%"), _since("2020-01-01")
    ),
    "no filter": "",
}


def getrecords(constraint: str, *, result_type: str = "results") -> bytes:
    body = (
        f'<csw:Constraint version="1.1.0"><ogc:Filter>{constraint}</ogc:Filter>'
        "</csw:Constraint>"
        if constraint
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:ows="http://www.opengis.net/ows" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dct="http://purl.org/dc/terms/" service="CSW" version="2.0.2" '
        f'resultType="{result_type}" startPosition="1" maxRecords="10" '
        'outputSchema="http://www.opengis.net/cat/csw/2.0.2">'
        '<csw:Query typeNames="csw:Record">'
        f"<csw:ElementSetName>summary</csw:ElementSetName>{body}</csw:Query>"
        "</csw:GetRecords>"
    ).encode()


# --- Loading ------------------------------------------------------------------


def empty_catalogue() -> None:
    """Remove what earlier modules (the harvest benchmark) left in the shared
    benchmark database, so the catalogue holds exactly the generated records."""
    from django.db import connection, transaction

    from crig.catalog import models
    from crig.catalog.search import backends

    with transaction.atomic():
        backends.clear_index(connection)
        for model in (
            models.CommuneCoverage,
            models.Keyword,
            models.Distribution,
            models.Provenance,
            models.DuplicateCandidate,
            models.Dataset,
            models.HarvestRun,
            models.HarvestSource,
        ):
            model.objects.all()._raw_delete(connection.alias)


def load_catalogue(territory, *, count: int, seed: int) -> dict:
    """The benchmark catalogue into the database, in bulk (see the docstring)."""
    import shapely
    from django.db import connection, transaction
    from django.utils import timezone

    from crig.catalog import generate
    from crig.catalog.models import (
        Dataset,
        Distribution,
        HarvestSource,
        Keyword,
        Provenance,
    )
    from crig.catalog.search.index import dataset_index
    from crig.catalog.services.coverage import area_coverage_refresh
    from crig.territory.geometry import CommuneIndex, for_storage, to_geojson_text

    now = timezone.now()
    sources = [
        HarvestSource.objects.get_or_create(
            name=f"bench-{n}",
            defaults={
                "title": f"Plateforme {n} (banc d'essai)",
                "kind": HarvestSource.Kind.CSW,
                "url": f"https://plateforme-{n}.example.org/csw",
            },
        )[0]
        for n in ("a", "b", "c")
    ]
    index = CommuneIndex.build({u.code: u.geometry for u in territory.communes})
    timings = {"write": 0.0, "coverage": 0.0, "index": 0.0}
    coverage_rows = 0
    for start in range(0, count, CHUNK):
        records = list(
            generate.catalogue_records(
                territory, count=min(CHUNK, count - start), seed=seed, start=start
            )
        )
        began = time.perf_counter()
        with transaction.atomic():
            datasets = []
            for position, record in enumerate(records, start=start):
                footprint = for_storage(record["footprint"])
                west, south, east, north = shapely.bounds(footprint)
                datasets.append(
                    Dataset(
                        **{
                            name: record[name] if record[name] is not None else ""
                            for name in generate.TEXT_FIELDS
                        },
                        **{name: record[name] for name in generate.VALUE_FIELDS},
                        min_lon=west,
                        min_lat=south,
                        max_lon=east,
                        max_lat=north,
                        footprint=str(to_geojson_text(footprint)),
                        visibility="restricted" if position % 50 == 49 else "public",
                        first_seen_at=now,
                        last_seen_at=now,
                        coverage_computed_at=now,
                    )
                )
            Dataset.objects.bulk_create(datasets, batch_size=500)
            Keyword.objects.bulk_create(
                [
                    Keyword(dataset=d, kind=k, code=c, label=label, thesaurus=t)
                    for d, r in zip(datasets, records, strict=True)
                    for k, c, label, t in r["keywords"]
                ],
                batch_size=1000,
            )
            Distribution.objects.bulk_create(
                [
                    Distribution(dataset=d, position=p, **link)
                    for d, r in zip(datasets, records, strict=True)
                    for p, link in enumerate(r["distributions"])
                ],
                batch_size=1000,
            )
            Provenance.objects.bulk_create(
                [
                    Provenance(
                        dataset=d,
                        source=sources[d.pk % 3],
                        origin=sources[d.pk % 3].name,
                        remote_identifier=d.identifier,
                        document_format="iso19139",
                        content_hash=f"{d.pk:064x}",
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                    for d in datasets
                ],
                batch_size=1000,
            )
            timings["write"] += time.perf_counter() - began
            began = time.perf_counter()
            rows = []
            for dataset, record in zip(datasets, records, strict=True):
                if record["covers"]:
                    rows += [(dataset.pk, insee, 1.0) for insee in record["covers"]]
                else:
                    rows += [
                        (dataset.pk, item.insee, item.fraction)
                        for item in index.coverage(record["footprint"])
                    ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO catalog_communecoverage (dataset_id, commune_id, "
                    "fraction) VALUES (%s, %s, %s)",
                    rows,
                )
            coverage_rows += len(rows)
            area_coverage_refresh([d.pk for d in datasets])
            timings["coverage"] += time.perf_counter() - began
        began = time.perf_counter()
        dataset_index([d.pk for d in datasets])
        timings["index"] += time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "records": count,
        "commune_coverage_rows": coverage_rows,
        "bulk_write_seconds": round(timings["write"], 1),
        "coverage_rows_seconds": round(timings["coverage"], 1),
        "search_index_seconds": round(timings["index"], 1),
    }


# --- Serving and measuring ----------------------------------------------------


def serve_crig(port: int) -> subprocess.Popen:
    """crig behind wsgiref, production settings, the benchmark's database."""
    from bench.pycsw_peer import wait_for_port

    environment = {
        **os.environ,
        "CRIG_DEBUG": "false",
        "CRIG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CRIG_SECURE_SSL_REDIRECT": "false",
        "CRIG_BEHIND_HTTPS_PROXY": "false",
        "CRIG_SECURE_COOKIES": "false",
        "CRIG_STATIC_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    process = subprocess.Popen(  # noqa: S603 (this module, fixed arguments)
        [sys.executable, "-m", "bench.catalog_search", "serve", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for_port(port, process)
    return process


def _serve_forever(port: int) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    make_server(
        "127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler
    ).serve_forever()


def request(port: int, path: str, body: bytes | None = None):
    """(milliseconds, status, body) of one request on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    if body is None:
        connection.request("GET", path)
    else:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/xml"}
        )
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return (time.perf_counter() - started) * 1000, response.status, content


def _percentiles(timings: list[float]) -> dict:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def measure(send, queries: dict, *, repeat: int = REPEAT) -> dict:
    """Latency per query and over the mix; ``send(query) -> (ms, status, hits)``."""
    per_query, everything = {}, []
    for name, query in queries.items():
        timings, hits = [], None
        for attempt in range(WARM_UP + repeat):
            milliseconds, status, hits = send(query)
            if status != 200:
                raise RuntimeError(f"{name}: HTTP {status}: {hits}")
            if attempt >= WARM_UP:
                timings.append(milliseconds)
        everything += timings
        per_query[name] = {"hits": hits, **_percentiles(timings)}
    return {"mix": _percentiles(everything), "queries": per_query}


def api_sender(port: int):
    def send(query):
        milliseconds, status, body = request(
            port, "/api/v1/datasets?" + urlencode({**query, "limit": 20})
        )
        answer = json.loads(body) if status == 200 else body[:300]
        return milliseconds, status, answer["count"] if status == 200 else answer

    return send


def csw_sender(port: int, path: str):
    def send(constraint):
        milliseconds, status, body = request(port, path, getrecords(constraint))
        match = re.search(rb'numberOfRecordsMatched="(\d+)"', body)
        if status == 200 and match is None:
            return milliseconds, 500, body[:500]
        return milliseconds, status, int(match.group(1)) if match else body[:300]

    return send


def pycsw_database(territory, *, count: int, seed: int) -> tuple[Path, dict]:
    """pycsw's SQLite repository of the catalogue, built once and cached."""
    from bench import pycsw_peer
    from crig.catalog import generate

    CACHE.mkdir(parents=True, exist_ok=True)
    database = CACHE / f"pycsw-{count}-seed{seed}-v{generate.CATALOGUE_VERSION}.sqlite3"
    if database.exists():
        return database, {"cached": True}
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        snapshot = Path(directory) / "territory.json"
        snapshot.write_text(generate.territory_to_json(territory), encoding="utf-8")
        answer = pycsw_peer.run_script(
            "load_bulk.py", str(snapshot), str(count), str(seed), str(partial)
        )
    partial.rename(database)
    return database, {
        "cached": False,
        "load_seconds": round(answer["seconds"], 1),
        "records_per_second": round(answer["loaded"] / answer["seconds"]),
    }


def cached_database(count: int, seed: int) -> Path:
    """Where the loaded catalogue is kept: one file per record count, seed,
    generator, loader and text analysis (a change of the analysis changes the
    index)."""
    from crig.catalog import generate
    from crig.catalog.search import analysis

    analysis_hash = hashlib.sha256(Path(analysis.__file__).read_bytes()).hexdigest()[
        :10
    ]
    return CACHE / (
        f"crig-{count}-seed{seed}-v{generate.CATALOGUE_VERSION}.{LOAD_VERSION}"
        f"-{analysis_hash}.sqlite3"
    )


def prepare_catalogue(territory, *, count: int, seed: int) -> dict:
    """Load the catalogue, or copy the cached one and migrate it to this schema."""
    from django.core.management import call_command
    from django.db import connection

    database = Path(connection.settings_dict["NAME"])
    cached = cached_database(count, seed)
    started = time.perf_counter()
    if cached.exists():
        connection.close()
        shutil.copyfile(cached, database)
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return {
            "cached": cached.name,
            "copy_and_migrate_seconds": round(time.perf_counter() - started, 1),
        }
    empty_catalogue()
    figures = load_catalogue(territory, count=count, seed=seed)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    connection.close()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    shutil.copyfile(database, partial)
    partial.rename(cached)
    return figures


def run() -> dict:
    from bench.catalog_harvest import _ensure_territory
    from bench.pycsw_peer import free_port
    from crig.catalog import generate

    count = int(os.environ.get("CRIG_BENCH_SEARCH_RECORDS", "100000"))
    _ensure_territory()
    territory = generate.territory_from_database()
    results = {"records": count, "repeat_per_query": REPEAT}
    results["load"] = prepare_catalogue(territory, count=count, seed=SEED)
    # The machine is shared: a busy one inflates every figure (ours and pycsw's).
    results["load_average_1_5_15_min_at_start"] = [round(v, 2) for v in os.getloadavg()]

    port = free_port()
    server = serve_crig(port)
    try:
        results["api"] = measure(api_sender(port), API_QUERIES)
        results["csw_crig"] = measure(csw_sender(port, "/csw"), CSW_QUERIES)
    finally:
        server.terminate()
        server.wait()

    from bench import pycsw_peer

    database, results["pycsw_load"] = pycsw_database(territory, count=count, seed=SEED)
    port = free_port()
    peer = pycsw_peer.serve(database, port)
    try:
        results["csw_pycsw"] = measure(csw_sender(port, "/csw"), CSW_QUERIES)
    finally:
        peer.terminate()
        peer.wait()
    results["load_average_1_5_15_min_at_end"] = [round(v, 2) for v in os.getloadavg()]
    ours, theirs = results["csw_crig"]["mix"], results["csw_pycsw"]["mix"]
    results["csw_speed_ratio_p50"] = round(theirs["p50_ms"] / ours["p50_ms"], 1)
    results["csw_speed_ratio_p95"] = round(theirs["p95_ms"] / ours["p95_ms"], 1)
    results["restricted_records_hidden_from_anonymous_clients"] = count // 50
    results["csw_hits_crig_vs_pycsw"] = {
        name: [
            results["csw_crig"]["queries"][name]["hits"],
            results["csw_pycsw"]["queries"][name]["hits"],
        ]
        for name in CSW_QUERIES
    }
    return results


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve_forever(int(sys.argv[2]))
