"""Harvest sources that fail, over real sockets: a CSW and a DCAT server (a local
HTTP server in a thread, serving the bundled samples) that dies in mid-page, answers
500, sends garbage or stalls past the source's timeout.

Each time: the run fails with a report naming what failed, the records of the
previous harvest are intact (the same rows with the same content), the
secretariat's pages still answer, and the next harvest, once the source is fixed,
works. ``catalog/tests/test_harvest.py`` covers the CSW 500, truncated-page, stall
and HTML cases on the page-3 request; this covers the rest."""

import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from rdflib import Graph

from crig.catalog.models import (
    Dataset,
    Distribution,
    HarvestRun,
    Keyword,
    Provenance,
)
from crig.catalog.services.harvest import harvest_source, harvest_source_create

SAMPLES = Path(__file__).resolve().parents[2] / "src/crig/catalog/samples"
CAPABILITIES = (SAMPLES / "csw/pycsw_apiso-inspire_GetCapabilities.xml").read_bytes()
CSW_PAGES = {
    1: (SAMPLES / "csw/udata_geonetwork-iso19139-page-1.xml").read_bytes(),
    3: (SAMPLES / "csw/udata_geonetwork-iso19139-page-3.xml").read_bytes(),
    5: (SAMPLES / "csw/udata_geonetwork-iso19139-page-5.xml").read_bytes(),
}
CAPABILITIES_PATH = "/csw?service=CSW&version=2.0.2&request=GetCapabilities"
BINARY = bytes(range(256)) * 64


class Answer:
    """What the server does for one request: ``status`` and ``body``; ``cut``
    sends that many bytes of the body (the Content-Length announcing all of it)
    then closes the connection; ``delay`` sleeps before answering."""

    def __init__(self, body, *, status=200, content_type=None, cut=None, delay=0):
        self.body, self.status, self.cut, self.delay = body, status, cut, delay
        self.content_type = content_type or (
            "application/xml" if body[:1] == b"<" else "application/ld+json"
        )


class Source:
    def __init__(self):
        self.answers: dict[tuple, Answer] = {}
        self.url = ""


class Handler(BaseHTTPRequestHandler):
    source: Source

    def log_message(self, *args):
        pass

    def _answer(self, key):
        answer = self.source.answers.get(key) or Answer(b"not found", status=404)
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        try:
            if answer.cut is None:
                self.wfile.write(answer.body)
            else:
                self.wfile.write(answer.body[: answer.cut])
                self.wfile.flush()
                # Dies in mid-page: the peer sees the connection close.
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
        except OSError:
            pass

    def do_GET(self):  # noqa: N802
        self._answer(("GET", self.path))

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        marker = b'startPosition="'
        start = int(body.split(marker)[1].split(b'"')[0]) if marker in body else 1
        self._answer(("POST", start))


@pytest.fixture
def server():
    source = Source()
    handler = type("BoundHandler", (Handler,), {"source": source})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    source.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield source
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def serve_csw(server):
    server.answers[("GET", CAPABILITIES_PATH)] = Answer(CAPABILITIES)
    for start, body in CSW_PAGES.items():
        server.answers[("POST", start)] = Answer(body)


def dcat_pages(server) -> tuple[bytes, bytes]:
    """The two pages of the bundled hydra-paged collection as N-Triples (valid
    Turtle, one statement a line: a page cut at a line end still parses)."""
    pages = []
    for number in (1, 2):
        graph = Graph().parse(
            data=(
                SAMPLES / f"dcat/udata_paged-collection-{number}.jsonld"
            ).read_bytes(),
            format="json-ld",
        )
        text = graph.serialize(format="nt", encoding="utf-8")
        text = text.replace(
            b"http://data.test.org/catalog.jsonld?page=2",
            f"{server.url}/catalog.ttl?page=2".encode(),
        )
        pages.append(b"".join(sorted(text.splitlines(keepends=True))))
    return pages[0], pages[1]


def serve_dcat(server):
    first, second = dcat_pages(server)
    server.answers[("GET", "/catalog.ttl")] = Answer(first, content_type="text/turtle")
    server.answers[("GET", "/catalog.ttl?page=2")] = Answer(
        second, content_type="text/turtle"
    )


def cut_at_a_line_end(body: bytes) -> int:
    """A cut that leaves a well-formed N-Triples document."""
    return body.rindex(b"\n", 0, len(body) // 2) + 1


def catalogue_state():
    """Every record of the catalogue with all its content."""

    def rows(model):
        return sorted(
            (model_to_dict(row) | {"pk": row.pk} for row in model.objects.all()),
            key=lambda row: row["pk"],
        )

    return {
        "datasets": rows(Dataset),
        "provenances": rows(Provenance),
        "distributions": rows(Distribution),
        "keywords": sorted(Keyword.objects.values_list("pk", "kind", "label")),
    }


def assert_secretariat_pages_answer(client, secretariat_user, run):
    client.force_login(secretariat_user)
    for url in (
        reverse("admin:catalog_harvestrun_changelist"),
        reverse("admin:catalog_harvestrun_change", args=[run.pk]),
        reverse("admin:catalog_harvestsource_changelist"),
        reverse("admin:catalog_harvestsource_change", args=[run.source_id]),
        reverse("admin:catalog_dataset_changelist"),
        reverse("catalog:search"),
    ):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
    page = client.get(reverse("admin:catalog_harvestrun_change", args=[run.pk]))
    assert run.error.split(":")[0] in page.content.decode()


CSW_FAULTS = [
    pytest.param(
        ("POST", 3),
        Answer(CSW_PAGES[3], cut=len(CSW_PAGES[3]) // 2),
        "closed the connection",
        1,
        id="dies-mid-page",
    ),
    pytest.param(
        ("POST", 1),
        Answer(b"Internal Server Error", status=500, content_type="text/plain"),
        "answered HTTP 500",
        0,
        id="500-on-first-page",
    ),
    pytest.param(
        ("POST", 5),
        Answer(BINARY, content_type="application/octet-stream"),
        "cannot be read",
        2,
        id="binary-garbage",
    ),
    pytest.param(
        ("POST", 3),
        Answer(CSW_PAGES[3][:-200]),
        "cannot be read",
        1,
        id="truncated-xml",
    ),
    pytest.param(
        ("GET", CAPABILITIES_PATH),
        Answer(CAPABILITIES, delay=3),
        "did not answer within 1 s",
        0,
        id="stalls-on-capabilities",
    ),
    pytest.param(
        ("GET", CAPABILITIES_PATH),
        Answer(b"<html><body><h1>502 Bad Gateway</h1></body></html>", status=200),
        "is not a CSW 2.0.2 server",
        0,
        id="html-capabilities",
    ),
]


@pytest.mark.parametrize(("key", "fault", "error", "pages_read"), CSW_FAULTS)
@pytest.mark.django_db(transaction=True)
def test_csw_fault_keeps_the_previous_records(
    server, client, secretariat_user, key, fault, error, pages_read
):
    serve_csw(server)
    source = harvest_source_create(
        name="geo-ide",
        kind="csw",
        url=f"{server.url}/csw",
        page_size=2,
        timeout_seconds=1,
    )
    assert harvest_source(source=source).created_count == 6
    before = catalogue_state()
    server.answers[key] = fault

    run = harvest_source(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert error in run.error
    assert f"Nothing was changed ({pages_read} pages read)." in run.error
    assert (run.created_count, run.updated_count, run.withdrawn_count) == (0, 0, 0)
    assert catalogue_state() == before
    assert_secretariat_pages_answer(client, secretariat_user, run)
    serve_csw(server)
    again = harvest_source(source=source)
    assert (again.status, again.unchanged_count) == (HarvestRun.Status.SUCCEEDED, 6)


def dcat_faults(server):
    first, second = dcat_pages(server)
    return {
        "dies-mid-page": (
            "/catalog.ttl?page=2",
            Answer(second, content_type="text/turtle", cut=cut_at_a_line_end(second)),
            "closed the connection",
            1,
        ),
        "dies-mid-first-page": (
            "/catalog.ttl",
            Answer(first, content_type="text/turtle", cut=cut_at_a_line_end(first)),
            "closed the connection",
            0,
        ),
        "500": (
            "/catalog.ttl?page=2",
            Answer(b"<h1>Internal Server Error</h1>", status=500),
            "answered HTTP 500",
            1,
        ),
        "html-garbage": (
            "/catalog.ttl?page=2",
            Answer(
                b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                content_type="text/html",
            ),
            "cannot be read",
            1,
        ),
        "truncated-json-ld": (
            "/catalog.ttl?page=2",
            Answer(
                (SAMPLES / "dcat/udata_paged-collection-2.jsonld").read_bytes()[:300],
                content_type="application/ld+json",
            ),
            "cannot be read",
            1,
        ),
        "binary-garbage": (
            "/catalog.ttl?page=2",
            Answer(BINARY, content_type="text/turtle"),
            "cannot be read",
            1,
        ),
        "stalls": (
            "/catalog.ttl?page=2",
            Answer(second, content_type="text/turtle", delay=3),
            "did not answer within 1 s",
            1,
        ),
    }


@pytest.mark.parametrize(
    "fault_name",
    [
        "dies-mid-page",
        "dies-mid-first-page",
        "500",
        "html-garbage",
        "truncated-json-ld",
        "binary-garbage",
        "stalls",
    ],
)
@pytest.mark.django_db(transaction=True)
def test_dcat_fault_keeps_the_previous_records(
    server, client, secretariat_user, fault_name
):
    serve_dcat(server)
    source = harvest_source_create(
        name="open-data",
        kind="dcat",
        url=f"{server.url}/catalog.ttl",
        timeout_seconds=1,
    )
    first = harvest_source(source=source)
    assert (first.status, first.created_count) == (HarvestRun.Status.SUCCEEDED, 4)
    before = catalogue_state()
    path, fault, error, pages_read = dcat_faults(server)[fault_name]
    server.answers[("GET", path)] = fault

    run = harvest_source(source=source)

    assert run.status == HarvestRun.Status.FAILED, run.error
    assert error in run.error
    assert f"Nothing was changed ({pages_read} pages read)." in run.error
    assert (run.created_count, run.updated_count, run.withdrawn_count) == (0, 0, 0)
    assert catalogue_state() == before
    assert_secretariat_pages_answer(client, secretariat_user, run)
    serve_dcat(server)
    again = harvest_source(source=source)
    assert (again.status, again.unchanged_count) == (HarvestRun.Status.SUCCEEDED, 4)
