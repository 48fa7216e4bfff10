"""Harvest figures: records per second end to end into SQLite (parse, upsert, full-
text index), and peak memory, for 1,000 and 20,000 records, from ISO 19139 files
and over CSW 2.0.2; and pycsw 2.6.2's own load of the same 1,000 files.

- Files: ``generate.catalogue_records`` written as ISO 19139 documents to a
  temporary folder (not timed), then ``catalog_import_files`` (timed).
- CSW: a loopback HTTP server in a child process (on the other core) answers
  GetCapabilities and POST GetRecords pages of ``generate.csw_getrecords_response``
  built on the fly, and ``harvest_source`` reads it with the source's page size.
- Memory: the peak resident set size (``/proc/self/statm`` sampled every 10 ms by
  a thread) minus the RSS before the run, so the figure is what the run added; not
  tracemalloc, which would slow the harvest down several times. That figure
  includes the run's working set (a batch of 500 documents and what is derived
  from them, the allocator's pools, SQLite's page cache), which a small run may
  find already in place in the process. So each run also reports how much the
  RSS grew from a quarter of its records to its end, in all and per 1,000
  records: state kept per record would show there, in proportion.
- Each run harvests new records (its own seed) into the database the previous
  runs filled, so every record is "created" and the catalogue grows as it would.
- Runs go with ``DEBUG`` off, as in production: the bench's settings are the
  debug ones, and with ``DEBUG`` on Django keeps the text of the last 9,000 SQL
  statements — with the bulk inserts' parameters, i.e. every document harvested —
  which grew the 20,000-record runs by some 400 MiB and slowed them down.
- pycsw: ``bench/pycsw_peer/load_files.py`` (``pycsw-admin.py load_records``'s
  function) on the same 1,000 files, in its own virtualenv and SQLite database.
"""

import multiprocessing
import os
import re
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COUNTS = (1_000, 20_000)
CSW_PAGE_SIZE = 100
#: A larger run is skipped when the smaller one's rate says it would take longer
#: than this (seconds; ``CRIG_BENCH_HARVEST_BUDGET``): the figure says why.
BUDGET_SECONDS = float(os.environ.get("CRIG_BENCH_HARVEST_BUDGET", "900"))
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CAPABILITIES = b"""<?xml version="1.0" encoding="UTF-8"?>
<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"
 xmlns:ows="http://www.opengis.net/ows" version="2.0.2"><ows:OperationsMetadata>
<ows:Operation name="GetRecords"><ows:Parameter name="outputSchema">
<ows:Value>http://www.isotc211.org/2005/gmd</ows:Value></ows:Parameter>
</ows:Operation></ows:OperationsMetadata></csw:Capabilities>"""


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


class PeakRss:
    """Peak resident memory during a block, sampled by a thread every 10 ms."""

    def __enter__(self):
        self.baseline = self.peak = _rss_bytes()
        self.quarter = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.end = _rss_bytes()
        self.peak = max(self.peak, self.end)

    @property
    def added_mib(self) -> float:
        return round((self.peak - self.baseline) / 2**20, 1)

    def progress(self, count: int):
        """A harvest ``progress`` callback that notes the RSS once a quarter of
        the ``count`` records are through (reading, writing or fetching)."""

        def noted(_stage, done: int, _total) -> None:
            if self.quarter is None and done >= count // 4:
                self.quarter = _rss_bytes()

        return noted

    def growth_after_quarter(self, count: int) -> dict:
        """What the resident set grew by from a quarter of the run to its end:
        state kept per record shows here, in proportion; the run's working set
        (a batch, the allocator's pools, the first queries' caches) is in place
        by then."""
        if self.quarter is None:
            return {}
        grown = self.end - self.quarter
        records = count - count // 4
        return {
            "rss_growth_last_three_quarters_mib": round(grown / 2**20, 1),
            "rss_growth_per_1000_records_kib": round(grown / 1024 / records * 1000, 1),
        }


def _ensure_territory():
    from crig.territory.models import Commune
    from crig.territory.services import territory_load

    if not Commune.objects.exists():
        territory_load()


def write_iso_files(territory, directory: Path, *, count: int, seed: int) -> list:
    from crig.catalog import generate

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, record in enumerate(
        generate.catalogue_records(territory, count=count, seed=seed)
    ):
        path = directory / f"{index:06d}.xml"
        path.write_bytes(generate.iso19139_document(record))
        paths.append(path)
    return paths


# --- The CSW server (child process) ---------------------------------------------


def _serve_csw(territory, count: int, seed: int, port: int) -> None:
    from crig.catalog import generate

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, body: bytes):
            self.send_response(200)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's name)
            self._answer(CAPABILITIES)

        def do_POST(self):  # noqa: N802
            request = self.rfile.read(int(self.headers["Content-Length"])).decode()
            start = int(re.search(r'startPosition="(\d+)"', request).group(1))
            size = int(re.search(r'maxRecords="(\d+)"', request).group(1))
            indexes = range(start - 1, min(count, start - 1 + size))
            documents = [
                generate.iso19139_document(
                    generate.catalogue_record(territory, index, seed=seed),
                    declaration=False,
                )
                for index in indexes
            ]
            following = start + len(documents)
            self._answer(
                generate.csw_getrecords_response(
                    documents,
                    matched=count,
                    next_record=following if following <= count else 0,
                )
            )

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def _start_csw_server(territory, *, count: int, seed: int):
    from django.db import connections

    from bench.pycsw_peer import free_port

    connections.close_all()  # the child must not share the database connection
    port = free_port()
    process = multiprocessing.get_context("fork").Process(
        target=_serve_csw, args=(territory, count, seed, port), daemon=True
    )
    process.start()
    deadline = time.monotonic() + 30
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.05)
    return process, f"http://127.0.0.1:{port}/csw"


# --- The runs -----------------------------------------------------------------------


def _figures(run, seconds: float, memory: PeakRss, count: int) -> dict:
    if (run.created_count, run.failed_count) != (count, 0):
        raise RuntimeError(
            f"Expected {count} created and none failed, got {run.created_count} "
            f"created, {run.failed_count} failed: {run.error} {run.report}"
        )
    return {
        "records": count,
        "seconds": round(seconds, 2),
        "records_per_second": round(count / seconds),
        "peak_rss_added_mib": memory.added_mib,
        **memory.growth_after_quarter(count),
    }


def harvest_files(territory, directory: Path, *, count: int, seed: int) -> dict:
    from crig.catalog.services.harvest import catalog_import_files

    paths = write_iso_files(territory, directory, count=count, seed=seed)
    with PeakRss() as memory:
        started = time.perf_counter()
        run = catalog_import_files(paths=paths, progress=memory.progress(count))
        seconds = time.perf_counter() - started
    shutil.rmtree(directory)
    return _figures(run, seconds, memory, count)


def harvest_csw(territory, *, count: int, seed: int) -> dict:
    from crig.catalog.models import HarvestSource
    from crig.catalog.services.harvest import harvest_source, harvest_source_create

    process, url = _start_csw_server(territory, count=count, seed=seed)
    try:
        source = harvest_source_create(
            name=f"bench-csw-{count}",
            title=f"Serveur CSW de banc d'essai ({count} fiches)",
            kind=HarvestSource.Kind.CSW,
            url=url,
            page_size=CSW_PAGE_SIZE,
        )
        with PeakRss() as memory:
            started = time.perf_counter()
            run = harvest_source(source=source, progress=memory.progress(count))
            seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.join()
    return {**_figures(run, seconds, memory, count), "page_size": CSW_PAGE_SIZE}


def pycsw_load(territory, directory: Path, *, count: int, seed: int) -> dict:
    from bench import pycsw_peer

    write_iso_files(territory, directory / "files", count=count, seed=seed)
    answer = pycsw_peer.run_script(
        "load_files.py", str(directory / "files"), str(directory / "pycsw.sqlite3")
    )
    shutil.rmtree(directory)
    if answer["loaded"] != count:
        raise RuntimeError(f"pycsw loaded {answer['loaded']} of {count} files.")
    return {
        "records": count,
        "seconds": round(answer["seconds"], 2),
        "records_per_second": round(count / answer["seconds"]),
    }


def run() -> dict:
    from django.test.utils import override_settings

    with override_settings(DEBUG=False):
        return _run()


def _run() -> dict:
    from crig.catalog import generate

    _ensure_territory()
    territory = generate.territory_from_database()
    results = {"memory": "peak RSS added during the run (/proc/self/statm, 10 ms)"}
    with tempfile.TemporaryDirectory(prefix="crig-bench-harvest-") as work:
        work = Path(work)
        for kind in ("files", "csw"):
            rate = None
            for count in COUNTS:
                key = f"{kind}_{count}"
                if rate is not None and count / rate > BUDGET_SECONDS:
                    results[key] = {
                        "skipped": f"at {rate} records/s this run would take more "
                        f"than {BUDGET_SECONDS:.0f} s (the bench's budget)"
                    }
                    continue
                if kind == "files":
                    results[key] = harvest_files(
                        territory, work / key, count=count, seed=100 + count
                    )
                else:
                    results[key] = harvest_csw(territory, count=count, seed=200 + count)
                rate = results[key]["records_per_second"]
        # The same 1,000 documents as files_1000 (same seed).
        results["pycsw_files_1000"] = pycsw_load(
            territory, work / "pycsw", count=1_000, seed=100 + 1_000
        )
    # The machine is shared: the load says how much of it the figures had.
    results["load_average_1_5_15_min_at_end"] = [round(v, 2) for v in os.getloadavg()]
    ours = results["files_1000"]["records_per_second"]
    theirs = results["pycsw_files_1000"]["records_per_second"]
    results["files_1000_vs_pycsw_ratio"] = round(ours / theirs, 1)
    return results
