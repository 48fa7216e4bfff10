"""``crig catalog`` end to end on the bundled samples."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crig.catalog.models import Dataset, HarvestRun, HarvestSource

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def run(*args) -> str:
    out = StringIO()
    call_command("catalog", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_source_add_and_list():
    output = run(
        "source",
        "add",
        "geo-occitanie",
        "--kind",
        "csw",
        "--url",
        "https://www.geo.example.org/csw",
        "--title",
        "Géo-Occitanie",
        "--page-size",
        "20",
        "--constraint",
        "AnyText LIKE '%ortho%'",
        "--schedule",
        "daily",
    )

    source = HarvestSource.objects.get(name="geo-occitanie")
    assert "Source “geo-occitanie” added." in output
    assert (source.kind, source.page_size, source.schedule) == ("csw", 20, "daily")
    assert source.constraint == "AnyText LIKE '%ortho%'"
    assert source.next_run_at is not None
    listing = run("source", "list")
    assert listing.startswith(
        "geo-occitanie\tcsw\tEvery day\t0\t-\thttps://www.geo.example.org/csw"
    )


@pytest.mark.django_db
def test_source_add_twice_is_an_error():
    run(
        "source",
        "add",
        "a",
        "--kind",
        "dcat",
        "--url",
        "https://a.example.org/catalog.ttl",
    )

    with pytest.raises(CommandError, match="already exists"):
        run("source", "add", "a", "--kind", "dcat", "--url", "https://a.example.org/x")


@pytest.mark.django_db
def test_import_files_prints_the_report_and_is_idempotent():
    files = [
        str(SAMPLES / "iso19139/fr_rennes_metropole_53056e53.xml"),
        str(SAMPLES / "dcat/udata_catalog.xml"),
    ]

    first = run("import", *files, "--no-progress")
    second = run("import", *files, "--no-progress")

    assert "created 5, updated 0, unchanged 0, withdrawn 0, failed 0" in first
    assert "created 0, updated 0, unchanged 5, withdrawn 0, failed 0" in second
    assert Dataset.objects.count() == 5
    assert HarvestRun.objects.count() == 2


@pytest.mark.django_db
def test_import_of_a_broken_file_reports_it_and_fails():
    broken = SAMPLES / "dcat/ckanext-dcat_dataset_INVALID-upstream-turtle-syntax.ttl"

    with pytest.raises(CommandError, match="Nothing could be imported."):
        run("import", str(broken), "--no-progress")
    assert Dataset.objects.count() == 0


@pytest.mark.django_db
def test_harvest_unknown_source_is_an_error():
    with pytest.raises(CommandError, match="No harvest source named “nope”."):
        run("harvest", "nope")


@pytest.mark.django_db
def test_schedule_queues_due_sources(django_capture_on_commit_callbacks):
    run(
        "source",
        "add",
        "daily-one",
        "--kind",
        "dcat",
        "--url",
        "https://d.example.org/c.ttl",
        "--schedule",
        "daily",
    )
    run(
        "source",
        "add",
        "manual-one",
        "--kind",
        "dcat",
        "--url",
        "https://m.example.org/c.ttl",
    )

    with django_capture_on_commit_callbacks(execute=False):
        output = run("schedule")

    assert "Queued: daily-one" in output
    assert "1 source(s) queued." in output
    assert HarvestRun.objects.get().status == HarvestRun.Status.QUEUED
