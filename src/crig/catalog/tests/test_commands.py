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
    assert "Source « geo-occitanie » ajoutée." in output
    assert (source.kind, source.page_size, source.schedule) == ("csw", 20, "daily")
    assert source.constraint == "AnyText LIKE '%ortho%'"
    assert source.next_run_at is not None
    listing = run("source", "list")
    assert listing.startswith(
        "geo-occitanie\tcsw\tChaque jour\t0\t-\thttps://www.geo.example.org/csw"
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

    with pytest.raises(CommandError, match="existe déjà"):
        run("source", "add", "a", "--kind", "dcat", "--url", "https://a.example.org/x")


@pytest.mark.django_db
def test_import_files_prints_the_report_and_is_idempotent():
    files = [
        str(SAMPLES / "iso19139/fr_rennes_metropole_53056e53.xml"),
        str(SAMPLES / "dcat/udata_catalog.xml"),
    ]

    first = run("import", *files, "--no-progress")
    second = run("import", *files, "--no-progress")

    assert "créées 5, mises à jour 0, inchangées 0, retirées 0, en échec 0" in first
    assert "créées 0, mises à jour 0, inchangées 5, retirées 0, en échec 0" in second
    assert Dataset.objects.count() == 5
    assert HarvestRun.objects.count() == 2


@pytest.mark.django_db
def test_import_of_a_broken_file_reports_it_and_fails():
    broken = SAMPLES / "dcat/ckanext-dcat_dataset_INVALID-upstream-turtle-syntax.ttl"

    with pytest.raises(CommandError, match="Rien n'a pu être importé."):
        run("import", str(broken), "--no-progress")
    assert Dataset.objects.count() == 0


@pytest.mark.django_db
def test_harvest_unknown_source_is_an_error():
    message = "Aucune source de moissonnage nommée « nope »."
    with pytest.raises(CommandError, match=message):
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

    assert "Mise en attente : daily-one" in output
    assert "1 source mise en attente." in output
    assert HarvestRun.objects.get().status == HarvestRun.Status.QUEUED
