"""Catalogue demo: the bundled sample metadata, imported as files, and a generated,
clearly labelled catalogue of the six référentiels in Occitanie, with its commune
coverage computed, so the search page, the coverage maps and the gap views have
something to show.

Honest about what is what:

- the samples of ``catalog/samples`` are real records copied from public test
  suites (OWSLib, pycsw, udata, ckanext-dcat; see ``samples/ATTRIBUTION.md``), most
  of them from outside Occitanie. They are imported with ``catalog_import_files``,
  so their provenance says "file:<file name>", not a platform they were not
  harvested from; the broken ones end in the run's report as failures, as they
  would in a real harvest;
- the generated records (``generate.demo_records``) are ``is_demo``, their titles
  start with "[Démo]" and their abstracts say they describe no real data; their
  provenance is the origin "demo";
- the regional platforms are not registered as sources: the demo has no network,
  and a source must point at the platform's real address, which the secretariat
  enters (``crig catalog source add``).

Runs after the territory and the members demo (producers are linked to the demo's
organisations by name). Running it twice changes nothing: records are upserted by
identifier and their documents are the same, so the second run finds them
unchanged.
"""

from pathlib import Path

from django.utils import timezone

from crig.catalog import generate
from crig.catalog.ingest.records import DistributionData, KeywordData, RecordData
from crig.catalog.models import Dataset

SAMPLES = Path(__file__).resolve().parent / "samples"
# Documents that are not metadata records (capabilities, exception, hits-only).
NOT_RECORDS = {
    "pycsw_apiso-inspire_GetCapabilities.xml",
    "pycsw_default_GetCapabilities.xml",
    "pycsw_default_ExceptionReport.xml",
    "pycsw_default_GetRecords-hits.xml",
}
SEED = 2024
_RECORD_FIELDS = [
    "identifier",
    "remote_identifier",
    "resource_identifier",
    "title",
    "abstract",
    "level",
    "language",
    "producer_name",
    "producer_email",
    "referentiel",
    "created_on",
    "published_on",
    "revised_on",
    "temporal_start",
    "temporal_end",
    "year",
    "resolution_m",
    "scale_denominator",
    "licence",
    "licence_url",
    "lineage",
    "footprint",
    "footprint_is_bbox",
]


def sample_paths() -> list[Path]:
    """Every bundled sample that is a metadata document, in a stable order."""
    return sorted(
        path
        for path in SAMPLES.rglob("*")
        if path.is_file() and path.suffix != ".md" and path.name not in NOT_RECORDS
    )


def record_data(record: dict) -> RecordData:
    """A generated record as the harvester's ``RecordData``, its ISO 19139 document
    kept as the verbatim source document."""
    data = RecordData(**{name: record[name] for name in _RECORD_FIELDS})
    data.keywords = [KeywordData(*keyword) for keyword in record["keywords"]]
    data.distributions = [DistributionData(**link) for link in record["distributions"]]
    data.document = generate.iso19139_document(record).decode()
    data.document_format = "iso19139"
    return data


def demo_catalogue_load(*, seed: int = SEED) -> list[int]:
    """Upsert the generated demo records, mark them as demo; their ids."""
    from crig.catalog.services.records import records_upsert

    territory = generate.territory_from_database()
    records = generate.demo_records(territory, seed=seed)
    report = records_upsert(
        records=[record_data(record) for record in records],
        origin=generate.DEMO_ORIGIN,
        seen_at=timezone.now(),
    )
    ids = sorted(set(report.dataset_ids))
    # No service edits the demo flag: it is set here, once, on generated records only.
    Dataset.objects.filter(pk__in=ids, is_demo=False).update(is_demo=True)
    return ids


def load_demo(*, stdout) -> None:
    """Load the catalogue demo (see the module docstring)."""
    from crig.catalog.services.coverage import coverage_compute
    from crig.catalog.services.harvest import catalog_import_files

    run = catalog_import_files(paths=sample_paths())
    stdout.write(
        f"  {len(sample_paths())} sample metadata files: {run.created_count} records "
        f"created, {run.updated_count} updated, {run.unchanged_count} unchanged, "
        f"{run.failed_count} refused (broken samples, Dublin Core records: see "
        "the run's report)"
    )
    ids = demo_catalogue_load()
    stdout.write(f"  {len(ids)} generated demo records of the six référentiels")
    # Now rather than in the background, so the maps are ready; only what was never
    # computed, so a second run does not redo it.
    pending = list(
        Dataset.objects.filter(coverage_computed_at=None)
        .exclude(footprint="")
        .values_list("pk", flat=True)
    )
    if pending:
        report = coverage_compute(dataset_ids=pending)
        stdout.write(
            f"  commune coverage of {report.datasets} records computed "
            f"({report.rows_written} commune rows)"
        )
