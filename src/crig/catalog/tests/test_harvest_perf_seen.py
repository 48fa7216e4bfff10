"""A run keeps no set of every record it has seen: a record listed twice is
caught within its batch by the run, across batches by the writer, from the
run's stamp on the provenance (``RecordWriter(skip_repeated=True)``)."""

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from crig.catalog.ingest.iso import parse_iso
from crig.catalog.models import Dataset, HarvestRun, Provenance
from crig.catalog.services import harvest
from crig.catalog.services.harvest import catalog_import_files
from crig.catalog.services.records import (
    REPEATED,
    UNCHANGED,
    RecordWriter,
    records_upsert,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "iso19139"
NAMES = (
    "fr_extracted_geoide-iso19139-single-dataset_fr-120066022-ldd-3f4cc8c8-5c3e-4a0e-8b56.xml",
    "fr_extracted_geonetwork-iso19139-page-1_fr-120066022-ldd-56fce164-04b2-41ae-be87.xml",
    "fr_extracted_geonetwork-iso19139-page-1_fr-120066022-ldd-777b1c6b-36a7-4650-befa.xml",
)
REPEATED_MESSAGE = "The source lists this record twice; the first copy was kept."


def _files(tmp_path):
    """The three samples, then a copy of the second under the same file name in
    another folder (same origin, same record: listed twice), then the third."""
    paths = []
    for folder, names in (("a", NAMES), ("b", NAMES[1:2])):
        (tmp_path / folder).mkdir()
        for name in names:
            paths.append(tmp_path / folder / name)
            shutil.copy(SAMPLES / name, paths[-1])
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [500, 1])
def test_a_record_listed_twice_is_written_once_within_and_across_batches(
    tmp_path, monkeypatch, batch_size
):
    monkeypatch.setattr(harvest, "BATCH_SIZE", batch_size)
    paths = _files(tmp_path)

    run = catalog_import_files(paths=paths)
    again = catalog_import_files(paths=paths)

    assert (run.status, run.created_count, run.failed_count) == (
        HarvestRun.Status.PARTIAL,
        3,
        1,
    )
    assert [f["reason"] for f in run.report["failures"]] == [REPEATED_MESSAGE]
    assert Dataset.objects.count() == Provenance.objects.count() == 3
    # A later run is another stamp: its records are unchanged, not repeated.
    assert (again.unchanged_count, again.created_count, again.failed_count) == (
        3,
        0,
        1,
    )


@pytest.mark.django_db
def test_only_a_runs_writer_skips_what_it_stamped():
    record = parse_iso((SAMPLES / NAMES[0]).read_bytes())
    seen_at = timezone.now()
    records_upsert(records=[record], origin="here", seen_at=seen_at)

    plain = records_upsert(records=[record], origin="here", seen_at=seen_at)
    repeated = RecordWriter(origin="here", seen_at=seen_at, skip_repeated=True).write(
        [record]
    )
    later = RecordWriter(
        origin="here", seen_at=timezone.now(), skip_repeated=True
    ).write([record])

    assert plain.outcomes == [UNCHANGED]
    assert repeated.outcomes == [REPEATED]
    assert later.outcomes == [UNCHANGED]
