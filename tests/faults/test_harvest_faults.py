"""Harvest sources that fail, over real sockets: a CSW and a DCAT server (a local
HTTP server in a thread, serving the bundled samples) that dies in mid-page, answers
500, sends garbage or stalls past the source's timeout.

Each time: the run fails with a report naming what failed, the records of the
previous harvest are intact (the same rows with the same content), the
secretariat's pages still answer, and the next harvest, once the source is fixed,
works. ``catalog/tests/test_harvest.py`` covers the CSW 500, truncated-page, stall
and HTML cases on the page-3 request; this covers the rest."""

from http import HTTPStatus

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
from crig.catalog.services.harvest import (
    harvest_source,
    harvest_source_create,
    harvest_start,
)
from tests.faults.sources import (
    BINARY,
    CAPABILITIES,
    CAPABILITIES_PATH,
    CSW_PAGES,
    SAMPLES,
    Answer,
    serve_csw,
)


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


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_command_harvest_does_not_leave_its_source_stuck(
    server, monkeypatch, django_capture_on_commit_callbacks
):
    serve_csw(server)
    source = harvest_source_create(name="geo-ide", kind="csw", url=f"{server.url}/csw")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("crig.catalog.services.harvest.RecordWriter.write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        harvest_source(source=source)
    monkeypatch.undo()

    run = HarvestRun.objects.get()
    assert (run.status, run.error) == (
        HarvestRun.Status.FAILED,
        "The harvest was interrupted.",
    )
    assert Dataset.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        queued = harvest_start(source=source)
    assert (queued.pk != run.pk, queued.status) == (True, HarvestRun.Status.QUEUED)
