"""Harvest runs against a local HTTP server serving the bundled CSW pages and DCAT
paged collections; failures (timeout, HTTP 500, truncated page) change nothing."""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from crig.catalog.models import Dataset, HarvestRun, HarvestSource, Provenance
from crig.catalog.services.harvest import (
    catalog_import_files,
    harvest_due,
    harvest_run_execute,
    harvest_source,
    harvest_source_create,
    harvest_start,
)
from crig.core.errors import Conflict, InvalidInput, PermissionDenied

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CAPABILITIES = (SAMPLES / "csw/pycsw_apiso-inspire_GetCapabilities.xml").read_bytes()
CSW_PAGES = {
    1: (SAMPLES / "csw/udata_geonetwork-iso19139-page-1.xml").read_bytes(),
    3: (SAMPLES / "csw/udata_geonetwork-iso19139-page-3.xml").read_bytes(),
    5: (SAMPLES / "csw/udata_geonetwork-iso19139-page-5.xml").read_bytes(),
}
DCAT_PAGE_1 = (SAMPLES / "dcat/udata_paged-collection-1.jsonld").read_bytes()
DCAT_PAGE_2 = (SAMPLES / "dcat/udata_paged-collection-2.jsonld").read_bytes()


class Catalogue:
    """What the test server answers: ``answers[(path, page)]`` → (status, body,
    delay in seconds)."""

    def __init__(self):
        self.answers = {}
        self.requests = []


class Handler(BaseHTTPRequestHandler):
    catalogue: Catalogue

    def log_message(self, *args):
        pass

    def answer(self, key):
        self.catalogue.requests.append(key)
        status, body, delay = self.catalogue.answers.get(key, (404, b"not found", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header(
            "Content-Type",
            "application/xml" if body[:1] == b"<" else "application/ld+json",
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):  # noqa: N802
        self.answer(("GET", self.path))

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        start = 1
        marker = b'startPosition="'
        if marker in body:
            start = int(body.split(marker)[1].split(b'"')[0])
        self.answer(("POST", start))


@pytest.fixture
def server():
    catalogue = Catalogue()
    handler = type("BoundHandler", (Handler,), {"catalogue": catalogue})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    catalogue.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield catalogue
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def serve_csw(catalogue, *, broken_page_3=None):
    catalogue.answers[
        ("GET", "/csw?service=CSW&version=2.0.2&request=GetCapabilities")
    ] = (
        200,
        CAPABILITIES,
        0,
    )
    for start, body in CSW_PAGES.items():
        catalogue.answers[("POST", start)] = (200, body, 0)
    if broken_page_3 is not None:
        catalogue.answers[("POST", 3)] = broken_page_3


def csw_source(catalogue, **fields):
    return harvest_source_create(
        name="geo-ide", kind="csw", url=f"{catalogue.url}/csw", page_size=2, **fields
    )


def serve_dcat(catalogue, *, second_page=True):
    first = DCAT_PAGE_1.replace(
        b"http://data.test.org/catalog.jsonld?page=2",
        f"{catalogue.url}/catalog.jsonld?page=2".encode() if second_page else b"",
    )
    if not second_page:
        first = first.replace(
            b'"http://www.w3.org/ns/hydra/core#nextPage": [{"@value": ""}],', b""
        )
    catalogue.answers[("GET", "/catalog.jsonld")] = (200, first, 0)
    catalogue.answers[("GET", "/catalog.jsonld?page=2")] = (200, DCAT_PAGE_2, 0)


@pytest.mark.django_db(transaction=True)
def test_csw_harvest_reads_every_page_then_is_idempotent(server):
    serve_csw(server)
    source = csw_source(server)

    first = harvest_source(source=source)
    second = harvest_source(source=source)

    assert (first.status, first.created_count, first.failed_count) == (
        "succeeded",
        6,
        0,
    )
    assert first.report["pages"] == 3
    assert server.requests[1:4] == [("POST", 1), ("POST", 3), ("POST", 5)]
    assert (second.created_count, second.updated_count, second.unchanged_count) == (
        0,
        0,
        6,
    )
    assert Dataset.objects.count() == 6
    assert Provenance.objects.filter(source=source).count() == 6


@pytest.mark.django_db(transaction=True)
def test_csw_constraint_is_sent_as_cql(server):
    serve_csw(server)
    source = csw_source(server, constraint="AnyText LIKE '%urbanisme%'")

    run = harvest_source(source=source)

    assert run.status == "succeeded"


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ((500, b"Internal error", 0), "answered HTTP 500"),
        ((200, CSW_PAGES[3][: len(CSW_PAGES[3]) // 2], 0), "cannot be read"),
        ((200, CSW_PAGES[3], 3), "did not answer within 1 s"),
        (
            (200, b"<html><body>Maintenance</body></html>", 0),
            "not a GetRecords response",
        ),
    ],
    ids=["http-500", "truncated", "timeout", "garbage"],
)
@pytest.mark.django_db(transaction=True)
def test_failure_half_way_leaves_previous_records_intact(server, broken, error):
    serve_csw(server)
    source = csw_source(server, timeout_seconds=1)
    harvest_source(source=source)
    before = sorted(
        Provenance.objects.values_list("pk", "last_seen_at", "withdrawn_at")
    )
    serve_csw(server, broken_page_3=broken)

    run = harvest_source(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert error in run.error
    assert "Nothing was changed (1 pages read)." in run.error
    assert (run.created_count, run.updated_count, run.withdrawn_count) == (0, 0, 0)
    assert (
        sorted(Provenance.objects.values_list("pk", "last_seen_at", "withdrawn_at"))
        == before
    )
    assert Dataset.objects.filter(status=Dataset.Status.ACTIVE).count() == 6


@pytest.mark.django_db(transaction=True)
def test_unreachable_source_fails_cleanly():
    source = harvest_source_create(
        name="nowhere",
        kind="dcat",
        url="http://127.0.0.1:9/catalog.ttl",
        timeout_seconds=2,
    )

    run = harvest_source(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert "cannot be reached" in run.error


@pytest.mark.django_db(transaction=True)
def test_dcat_paged_catalogue_and_withdrawal(server):
    serve_dcat(server)
    source = harvest_source_create(
        name="open-data", kind="dcat", url=f"{server.url}/catalog.jsonld"
    )
    first = harvest_source(source=source)
    serve_dcat(server, second_page=False)

    second = harvest_source(source=source)

    assert (first.status, first.created_count, first.report["pages"]) == (
        "succeeded",
        4,
        2,
    )
    assert (second.unchanged_count, second.withdrawn_count) == (3, 1)
    gone = Provenance.objects.get(remote_identifier="4")
    assert gone.withdrawn_at == second.started_at
    assert gone.dataset.status == Dataset.Status.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_single_document_source(server):
    server.answers[("GET", "/rpg.xml")] = (
        200,
        (
            SAMPLES
            / "iso19139/fr_extracted_geoplateforme-iso19139-IGNF_RPG_IGNF_RPG.xml"
        ).read_bytes(),
        0,
    )
    source = harvest_source_create(
        name="ign-rpg", kind="document", url=f"{server.url}/rpg.xml"
    )

    run = harvest_source(source=source)

    assert (run.status, run.created_count) == ("succeeded", 1)
    assert Dataset.objects.get().identifier == "IGNF_RPG"


@pytest.mark.django_db(transaction=True)
def test_harvest_start_queues_a_run_executed_once(server):
    serve_csw(server)
    source = csw_source(server)

    run = harvest_start(source=source)
    again = harvest_start(source=source)
    executed = harvest_run_execute(run_id=run.pk)
    twice = harvest_run_execute(run_id=run.pk)

    assert again.pk == run.pk
    assert (executed.status, executed.created_count) == ("succeeded", 6)
    assert twice.finished_at == executed.finished_at
    assert HarvestRun.objects.count() == 1


@pytest.mark.django_db
def test_harvest_due_queues_scheduled_sources_and_sets_the_next_time(
    django_capture_on_commit_callbacks,
):
    daily = harvest_source_create(
        name="daily", kind="dcat", url="https://d.example.org/c.ttl", schedule="daily"
    )
    harvest_source_create(name="manual", kind="dcat", url="https://m.example.org/c.ttl")
    later = harvest_source_create(
        name="later", kind="dcat", url="https://l.example.org/c.ttl", schedule="weekly"
    )
    now = timezone.now()
    HarvestSource.objects.filter(pk=later.pk).update(
        next_run_at=now + timedelta(days=2)
    )

    with django_capture_on_commit_callbacks(execute=False):
        runs = harvest_due(now)
        again = harvest_due(now)

    assert [run.source.name for run in runs] == ["daily"]
    assert again == []
    daily.refresh_from_db()
    assert daily.next_run_at == now + timedelta(days=1)


@pytest.mark.django_db
def test_source_create_refuses_bad_input_and_non_secretariat(member_user):
    harvest_source_create(name="one", kind="csw", url="https://a.example.org/csw")

    with pytest.raises(Conflict):
        harvest_source_create(name="one", kind="csw", url="https://a.example.org/csw")
    with pytest.raises(InvalidInput, match="url"):
        harvest_source_create(name="two", kind="csw", url="not a url")
    with pytest.raises(PermissionDenied):
        harvest_source_create(
            name="three", kind="csw", url="https://a.example.org/csw", by=member_user
        )
    assert HarvestSource.objects.count() == 1


def _import_outcome(paths):
    run = catalog_import_files(paths=paths)
    identifiers = {
        "datasets": sorted(Dataset.objects.values_list("identifier", flat=True)),
        "provenances": sorted(
            Provenance.objects.values_list("origin", "remote_identifier")
        ),
    }
    Dataset.objects.all().delete()
    return run.status, run.created_count, run.failed_count, identifiers


@pytest.mark.django_db
def test_import_gives_the_same_path_free_identifiers_from_any_folder(tmp_path):
    # Every bundled sample: ISO, 19115-3, CSW pages, DCAT, and the broken ones;
    # the GeoDCAT-AP pages repeat the ISO pages' identifiers, so some datasets get
    # an identifier generated from their origin.
    paths = sorted(p for p in SAMPLES.rglob("*") if p.suffix != ".md" and p.is_file())
    outcomes = []
    for folder in (tmp_path / "here", tmp_path / "there" / "deeper"):
        copies = []
        for path in paths:
            copy = folder / path.relative_to(SAMPLES)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
            copies.append(copy)
        outcome = _import_outcome(copies)
        identifiers = outcome[-1]
        outcomes.append((outcome[:3], identifiers))
        Provenance.objects.all().delete()

    (first_run, first_ids), (second_run, second_ids) = outcomes
    assert second_ids == first_ids
    assert second_run[:3] == first_run[:3]
    assert first_run[0] == HarvestRun.Status.PARTIAL
    assert first_run[1] > 50
    generated = [i for i in first_ids["datasets"] if i.startswith("file:")]
    assert (
        "file:udata_geonetwork-geodcatap-page-5.xml:"
        + ("0ae299e7-10d6-4290-944e-c6c62e2aeabf")
        in generated
    )
    every = first_ids["datasets"] + [o for o, _r in first_ids["provenances"]]
    assert not [i for i in every if str(tmp_path) in i or "/work" in i]
    assert {o for o, _r in first_ids["provenances"]} <= {
        f"file:{p.name}" for p in paths
    }
