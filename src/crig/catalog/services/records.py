"""Writing harvested records: one ``Dataset`` per real dataset, one ``Provenance``
per platform (or file) that publishes it.

A record is matched, in order, on its provenance (same origin and identifier at
the source), then on the dataset identifier (metadata file identifier), then on the
resource identifier, then on the similarity rule of ``services.matching``.

Outcomes are counted per record of the source: ``created`` (the source publishes
it for the first time — attached to an existing dataset when it matched one,
``merged`` says how many), ``updated`` (its document changed, or it was withdrawn
and is back), ``unchanged`` (same content hash: only the "last seen" dates move).

Work is done per batch: a few queries per batch, not per record, one call to the
search index and one coverage scheduling per batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.catalog.ingest.records import RecordData
from crig.catalog.models import (
    Dataset,
    Distribution,
    DuplicateCandidate,
    Keyword,
    Provenance,
)
from crig.catalog.services import matching
from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.core.sql import rows_in
from crig.members.models import Organisation
from crig.members.search import normalise_for_search
from crig.territory.geometry import for_storage, to_geojson_text

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
#: A record a run's writer already wrote earlier in the run (``skip_repeated``).
REPEATED = "repeated"

# Dataset fields a record sets (the others belong to the catalogue: visibility,
# status, demo flag, author, coverage date, search text).
RECORD_FIELDS = (
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
)
GEOMETRY_FIELDS = (
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "footprint",
    "footprint_is_bbox",
)
_CHUNK = 500  # identifiers per IN (…) query: well under SQLite's variable limit


@dataclass
class UpsertReport:
    """What a batch did, record by record (same order as the records given)."""

    outcomes: list[str] = field(default_factory=list)
    dataset_ids: list[int] = field(default_factory=list)
    merged: int = 0
    duplicates: int = 0

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)


# -- Producers ----


class ProducerLinker:
    """Finds the ``members.Organisation`` a producer name designates: same
    normalised name, or same acronym, or an acronym in brackets ("Institut … (IGN)")."""

    def __init__(self):
        self.by_key: dict[str, int] = {}
        rows = Organisation.objects.values_list("pk", "search_name", "acronym")
        for pk, search_name, acronym in rows:
            self.by_key.setdefault(search_name, pk)
            if acronym:
                self.by_key.setdefault(normalise_for_search(acronym), pk)

    def find(self, producer_name: str) -> int | None:
        if not producer_name or not self.by_key:
            return None
        key = normalise_for_search(producer_name)
        if key in self.by_key:
            return self.by_key[key]
        for inner in re.findall(r"\(([^()]+)\)", producer_name):
            found = self.by_key.get(normalise_for_search(inner))
            if found:
                return found
        head = normalise_for_search(re.sub(r"\([^()]*\)", "", producer_name))
        return self.by_key.get(head)


# -- Field values ----


_NO_FOOTPRINT = dict.fromkeys(("min_lon", "min_lat", "max_lon", "max_lat")) | {
    "footprint": "",
    "footprint_is_bbox": True,
}


def footprint_fields(record: RecordData) -> dict:
    return footprints_fields([record])[0]


def footprints_fields(records: Sequence[RecordData]) -> list[dict]:
    """``footprint_fields`` of each record, the geometry work done on one array
    for the batch (``for_storage``, the bounds and the GeoJSON text are element
    by element: the same values as one record at a time, without numpy's cost
    per call)."""
    result = [dict(_NO_FOOTPRINT) for _record in records]
    placed = [
        (position, record.footprint)
        for position, record in enumerate(records)
        if record.footprint is not None and not record.footprint.is_empty
    ]
    if not placed:
        return result
    geometries = for_storage(np.array([g for _p, g in placed], dtype=object))
    texts = to_geojson_text(geometries)
    for (position, _geometry), bounds, text in zip(
        placed, shapely.bounds(geometries), texts, strict=True
    ):
        west, south, east, north = (round(v, 6) for v in bounds)
        result[position] = {
            "min_lon": west,
            "min_lat": south,
            "max_lon": east,
            "max_lat": north,
            "footprint": str(text),
            "footprint_is_bbox": records[position].footprint_is_bbox,
        }
    return result


@cache
def _not_null_record_fields() -> tuple[str, ...]:
    return tuple(
        name for name in RECORD_FIELDS if not Dataset._meta.get_field(name).null
    )


def record_fields(record: RecordData, footprint: dict | None = None) -> dict:
    """The ``Dataset`` field values a record sets (``footprint``: its
    ``footprint_fields`` when already computed for a batch)."""
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    for name in _not_null_record_fields():
        if values[name] is None:
            values[name] = ""
    return values | (footprint if footprint is not None else footprint_fields(record))


def _related_rows(dataset_id: int, record: RecordData):
    keywords = [
        Keyword(
            dataset_id=dataset_id,
            kind=k.kind,
            code=k.code,
            label=k.label,
            thesaurus=k.thesaurus,
        )
        for k in record.keywords
    ]
    distributions = [
        Distribution(
            dataset_id=dataset_id,
            kind=d.kind,
            url=d.url,
            name=d.name,
            title=d.title,
            media_type=d.media_type,
            protocol=d.protocol,
            position=position,
        )
        for position, d in enumerate(record.distributions)
    ]
    return keywords, distributions


KEYWORD_COLUMNS = ("dataset_id", "kind", "code", "label", "thesaurus")
DISTRIBUTION_COLUMNS = (
    "dataset_id",
    "kind",
    "url",
    "name",
    "title",
    "media_type",
    "protocol",
    "position",
)
PROVENANCE_COLUMNS = (
    "dataset_id",
    "source_id",
    "origin",
    "remote_identifier",
    "document_format",
    "document",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
)


def _related_values(dataset_id: int, record: RecordData):
    """The keyword and link rows of a record, as ``_insert`` takes them."""
    keywords = [
        (dataset_id, k.kind, k.code, k.label, k.thesaurus) for k in record.keywords
    ]
    distributions = [
        (dataset_id, d.kind, d.url, d.name, d.title, d.media_type, d.protocol, i)
        for i, d in enumerate(record.distributions)
    ]
    return keywords, distributions


def _insert(
    model,
    columns: Sequence[str],
    rows: list[tuple],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT rows whose values are already in database form (text, numbers,
    adapted datetimes), ``_CHUNK`` rows per ``executemany``. For the rows whose ids
    nobody needs (keywords, links, provenances): the ORM's ``bulk_create`` builds a
    model instance and prepares every value through its field, which cost more than
    the database's own work. ``ignore_conflicts``: rows breaking a unique
    constraint are skipped, as ``bulk_create(ignore_conflicts=True)`` does."""
    if not rows:
        return
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = "{} {} ({}) VALUES ({}) {}".format(  # noqa: S608 (names from _meta)
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
        connection.ops.on_conflict_suffix_sql(
            [model._meta.get_field(column) for column in columns],
            on_conflict,
            None,
            None,
        ),
    ).strip()
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)


def _chunks(items: Sequence, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _preparer(field):
    """A function giving the database form of a value of ``field``: what
    ``field.get_db_prep_save`` gives (as the ORM's inserts and updates do), a
    string of a text field as it is."""
    prepare = field.get_db_prep_save
    if field.get_internal_type() in ("CharField", "TextField"):
        return lambda value: value if type(value) is str else prepare(value, connection)
    return lambda value: prepare(value, connection)


@cache
def _model_columns(model) -> tuple[tuple, ...]:
    """(attname, column, field, preparer) of every column of ``model`` but the id."""
    return tuple(
        (field.attname, field.column, field, _preparer(field))
        for field in model._meta.concrete_fields
        if not field.primary_key
    )


def _model_insert(model, rows: list[dict], *, ignore_conflicts: bool = False):
    """INSERT new rows of ``model`` (attname → value; a missing field takes its
    default, ``created_at`` / ``updated_at`` the time of the call): what
    ``bulk_create`` stores, without a model instance per row and the ORM's
    compiling of every value."""
    if not rows:
        return
    columns = _model_columns(model)
    now = timezone.now()
    stamps = {
        attname
        for attname, _c, column_field, _p in columns
        if getattr(column_field, "auto_now", False)
        or getattr(column_field, "auto_now_add", False)
    }
    # Prepared once per call: the stamps, the constant defaults, and each
    # distinct date or datetime (a batch's "seen" dates are all the same); None
    # is None in every column's database form.
    constant = {
        attname: prepare(now)
        if attname in stamps
        else prepare(column_field.get_default())
        for attname, _c, column_field, prepare in columns
        if attname in stamps or not callable(column_field.default)
    }
    memos = {
        attname: {}
        for attname, _c, column_field, _p in columns
        if column_field.get_internal_type() in ("DateField", "DateTimeField")
    }
    values = []
    for row in rows:
        line = []
        for attname, _column, column_field, prepare in columns:
            if attname not in row:
                line.append(
                    constant[attname]
                    if attname in constant
                    else prepare(column_field.get_default())
                )
                continue
            value = row[attname]
            if value is None:
                line.append(None)
                continue
            memo = memos.get(attname)
            if memo is None:
                line.append(prepare(value))
            else:
                prepared = memo.get(value)
                if prepared is None:
                    prepared = memo[value] = prepare(value)
                line.append(prepared)
        values.append(tuple(line))
    _insert(
        model,
        [column for _a, column, _f, _p in columns],
        values,
        ignore_conflicts=ignore_conflicts,
    )


def _datasets_insert(rows: list[dict]) -> list[int]:
    """INSERT new datasets (``_model_insert``) and return their ids, in order,
    read back by identifier (unique): the same way on SQLite and PostgreSQL."""
    if not rows:
        return []
    _model_insert(Dataset, rows)
    ids = {}
    for chunk in _chunks([row["identifier"] for row in rows]):
        ids.update(
            Dataset.objects.filter(identifier__in=chunk).values_list("identifier", "pk")
        )
    return [ids[row["identifier"]] for row in rows]


_WRITTEN_FIELDS = (*RECORD_FIELDS, *GEOMETRY_FIELDS, "producer_id")


def _datasets_update_from(datasets: Sequence[Dataset]) -> None:
    """Write the fields a record sets (and the producer) of these instances."""
    _datasets_update(
        [
            (dataset.pk, {name: getattr(dataset, name) for name in _WRITTEN_FIELDS})
            for dataset in datasets
        ],
        _WRITTEN_FIELDS,
    )


def _datasets_update(rows: list[tuple[int, dict]], names: Sequence[str]) -> None:
    """UPDATE the fields ``names`` (attnames) of datasets, from (id, values)
    pairs: one ``executemany``, where ``bulk_update`` builds a CASE expression per
    field (the same values: ``get_db_prep_save`` of each)."""
    if not rows:
        return
    by_attname = {
        attname: (column, prepare)
        for attname, column, _f, prepare in _model_columns(Dataset)
    }
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from _meta)
        quote(Dataset._meta.db_table),
        ", ".join(f"{quote(by_attname[name][0])} = %s" for name in names),
        quote(Dataset._meta.pk.column),
    )
    preparers = [by_attname[name][1] for name in names]
    params = [
        (
            *(
                prepare(values[name])
                for name, prepare in zip(names, preparers, strict=True)
            ),
            pk,
        )
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


# -- Batch upsert ----


class RecordWriter:
    """Upserts batches of records of one origin; keeps what it learns between
    batches (the organisations producers link to) for the length of a run;
    nothing of the catalogue: similar datasets are looked up in the database
    (``matching.CandidateSearch``)."""

    def __init__(
        self,
        *,
        origin: str,
        source=None,
        seen_at: datetime,
        skip_repeated: bool = False,
    ):
        self.origin = origin
        self.source = source
        self.seen_at = seen_at
        # A run's writer: a record whose provenance was already stamped
        # ``seen_at`` (written by an earlier batch of this run, since the stamp
        # is the run's start) is left alone, outcome ``REPEATED``. What a run
        # has seen is in the database, not in a set growing with the source.
        self.skip_repeated = skip_repeated
        self.producers = ProducerLinker()

    def origin_of(self, record: RecordData) -> str:
        return record.origin or self.origin

    def _same_origin(self, dataset_ids: list[int], new_records) -> set[int]:
        """Of these datasets, those with a record of the writer's origin (the
        rule never merges two records of one platform)."""
        if not any(self.origin_of(r) == self.origin for _p, r in new_records):
            return set()
        found = set()
        for chunk in _chunks(dataset_ids):
            found.update(
                Provenance.objects.filter(
                    origin=self.origin, dataset_id__in=chunk
                ).values_list("dataset_id", flat=True)
            )
        return found

    @transaction.atomic
    def write(self, records: Sequence[RecordData]) -> UpsertReport:
        from crig.catalog.search.index import dataset_index
        from crig.catalog.services.coverage import coverage_schedule

        report = UpsertReport(
            outcomes=[""] * len(records), dataset_ids=[0] * len(records)
        )
        wanted = {(self.origin_of(r), r.remote_identifier) for r in records}
        known: dict[tuple[str, str], Provenance] = {}
        for chunk in _chunks(sorted(wanted), _CHUNK // 2):
            for provenance in Provenance.objects.filter(
                origin__in={origin for origin, _r in chunk},
                remote_identifier__in={remote for _o, remote in chunk},
            ).only(
                "pk",
                "dataset_id",
                "origin",
                "remote_identifier",
                "content_hash",
                "withdrawn_at",
                "last_seen_at",
            ):
                key = (provenance.origin, provenance.remote_identifier)
                if key in wanted:
                    known[key] = provenance
        unchanged_provenances, unchanged_datasets = [], set()
        changed: dict[int, RecordData] = {}  # dataset id → record to apply
        changed_provenances: list[tuple[Provenance, RecordData]] = []
        new_records: list[tuple[int, RecordData]] = []
        for position, record in enumerate(records):
            provenance = known.get((self.origin_of(record), record.remote_identifier))
            if provenance is None:
                new_records.append((position, record))
                continue
            report.dataset_ids[position] = provenance.dataset_id
            if self.skip_repeated and provenance.last_seen_at == self.seen_at:
                report.outcomes[position] = REPEATED
                continue
            if (
                provenance.content_hash == record.content_hash
                and not provenance.withdrawn_at
            ):
                report.outcomes[position] = UNCHANGED
                unchanged_provenances.append(provenance.pk)
                unchanged_datasets.add(provenance.dataset_id)
            else:
                report.outcomes[position] = UPDATED
                changed[provenance.dataset_id] = record
                changed_provenances.append((provenance, record))

        # Fast path: two UPDATE statements for every unchanged record of the batch.
        for chunk in _chunks(unchanged_provenances):
            Provenance.objects.filter(pk__in=chunk).update(last_seen_at=self.seen_at)
        for chunk in _chunks(sorted(unchanged_datasets)):
            Dataset.objects.filter(pk__in=chunk).update(last_seen_at=self.seen_at)

        attach, created_ids, candidates = self._place_new(new_records, report)

        footprint_changed: set[int] = set(created_ids)
        self._apply_changes(changed, footprint_changed)
        self._enrich(attach)

        provenances = []
        for provenance, record in changed_provenances:
            provenance.document = record.document
            provenance.document_format = record.document_format
            provenance.content_hash = record.content_hash
            provenance.last_seen_at = self.seen_at
            provenance.withdrawn_at = None
        Provenance.objects.bulk_update(
            [p for p, _r in changed_provenances],
            [
                "document",
                "document_format",
                "content_hash",
                "last_seen_at",
                "withdrawn_at",
            ],
            batch_size=_CHUNK,
        )
        seen_at = connection.ops.adapt_datetimefield_value(self.seen_at)
        source_id = self.source.pk if self.source is not None else None
        for position, record in new_records:
            provenances.append(
                (
                    report.dataset_ids[position],
                    source_id,
                    self.origin_of(record),
                    record.remote_identifier,
                    record.document_format,
                    record.document,
                    record.content_hash,
                    seen_at,
                    seen_at,
                )
            )
        _insert(Provenance, PROVENANCE_COLUMNS, provenances)
        reactivated = {dataset_id for dataset_id, _r in attach} | set(changed)
        for chunk in _chunks(sorted(reactivated)):
            Dataset.objects.filter(pk__in=chunk).update(
                status=Dataset.Status.ACTIVE, last_seen_at=self.seen_at
            )
        self._save_candidates(candidates, report)

        touched = set(changed) | set(created_ids) | reactivated
        if touched:
            dataset_index(sorted(touched))
        if footprint_changed:
            coverage_schedule(sorted(footprint_changed))
        return report

    def _place_new(self, new_records, report):
        """Find the dataset of each record new to this origin, or create it."""
        identifiers = [r.identifier for _p, r in new_records]
        resource_ids = [
            r.resource_identifier for _p, r in new_records if r.resource_identifier
        ]
        table = connection.ops.quote_name(Dataset._meta.db_table)
        by_identifier = dict(
            rows_in(
                f"SELECT identifier, id FROM {table} WHERE identifier IN ({{}})",  # noqa: S608
                identifiers,
            )
        )
        by_resource = {}
        for resource_id, pk in rows_in(
            f"SELECT resource_identifier, id FROM {table} "  # noqa: S608
            "WHERE resource_identifier IN ({}) ORDER BY id",
            resource_ids,
        ):
            by_resource.setdefault(resource_id, pk)

        attach: list[tuple[int, RecordData]] = []
        to_create: list[tuple[int, RecordData, matching.Similarity | None]] = []
        batch_identifiers: dict[str, int] = {}
        # The dataset each record's identifiers designate, if any.
        identified: dict[int, int | None] = {
            position: by_identifier.get(record.identifier)
            or (
                by_resource.get(record.resource_identifier)
                if record.resource_identifier
                else None
            )
            for position, record in new_records
        }
        # The records that match no identifier are compared with the datasets
        # the catalogue held before this batch (those of the batch are written
        # after): one candidate search for them all, read from the database.
        probes: dict[int, _Probe] = {
            position: _Probe(record)
            for position, record in new_records
            if identified[position] is None
        }
        search = same_origin = None
        if probes:
            search = matching.CandidateSearch(probe.key for probe in probes.values())
            same_origin = self._same_origin(search.dataset_ids(), new_records)
        for position, record in new_records:
            dataset_id = identified[position]
            if dataset_id is None and record.identifier in batch_identifiers:
                # Same identifier twice in one batch under two remote identifiers.
                to_create.append((position, record, None))
                continue
            if dataset_id is None:
                probe = probes[position]
                found = matching.best(
                    probe,
                    search.candidates(probe.key),
                    same_origin_ids=(
                        same_origin if self.origin_of(record) == self.origin else ()
                    ),
                )
                if found is not None and found.mergeable:
                    dataset_id = found.dataset_id
                    report.merged += 1
                else:
                    batch_identifiers[record.identifier] = position
                    to_create.append((position, record, found))
                    continue
            report.dataset_ids[position] = dataset_id
            report.outcomes[position] = CREATED
            attach.append((dataset_id, record))

        rows, keywords, distributions, candidates = [], [], [], []
        used = set(by_identifier)
        footprints = footprints_fields([record for _p, record, _f in to_create])
        for (_position, record, _found), footprint in zip(
            to_create, footprints, strict=True
        ):
            identifier = record.identifier
            if identifier in used:  # keep Dataset.identifier unique
                identifier = (
                    f"{self.origin_of(record)[-120:]}:{record.remote_identifier}"[:255]
                )
            used.add(identifier)
            rows.append(
                {
                    "identifier": identifier,
                    "producer_id": self.producers.find(record.producer_name),
                    "first_seen_at": self.seen_at,
                    "last_seen_at": self.seen_at,
                    **record_fields(record, footprint),
                }
            )
        created_ids = _datasets_insert(rows)
        for dataset_id, (position, record, found) in zip(
            created_ids, to_create, strict=True
        ):
            report.dataset_ids[position] = dataset_id
            report.outcomes[position] = CREATED
            more_keywords, more_distributions = _related_values(dataset_id, record)
            keywords += more_keywords
            distributions += more_distributions
            if found is not None:
                candidates.append((dataset_id, found))
        _insert(Keyword, KEYWORD_COLUMNS, keywords)
        _insert(Distribution, DISTRIBUTION_COLUMNS, distributions)
        return attach, created_ids, candidates

    def _apply_changes(
        self, changed: dict[int, RecordData], footprint_changed: set[int]
    ):
        """A changed document rewrites its dataset's fields, keywords and links
        (the most recently changed document of a dataset is the one shown)."""
        if not changed:
            return
        datasets = []
        for chunk in _chunks(sorted(changed)):
            datasets += list(Dataset.objects.filter(pk__in=chunk))
        keywords, distributions = [], []
        footprints = footprints_fields([changed[dataset.pk] for dataset in datasets])
        for dataset, footprint in zip(datasets, footprints, strict=True):
            record = changed[dataset.pk]
            values = record_fields(record, footprint)
            if values["footprint"] != dataset.footprint:
                footprint_changed.add(dataset.pk)
            for name, value in values.items():
                setattr(dataset, name, value)
            dataset.producer_id = self.producers.find(record.producer_name)
            more_keywords, more_distributions = _related_values(dataset.pk, record)
            keywords += more_keywords
            distributions += more_distributions
        _datasets_update_from(datasets)
        for chunk in _chunks(sorted(changed)):
            Keyword.objects.filter(dataset_id__in=chunk).delete()
            Distribution.objects.filter(dataset_id__in=chunk).delete()
        _insert(Keyword, KEYWORD_COLUMNS, keywords)
        _insert(Distribution, DISTRIBUTION_COLUMNS, distributions)

    def _enrich(self, attach: list[tuple[int, RecordData]]):
        """A second platform's record fills what the dataset lacks (empty fields,
        new keywords and links) and changes nothing else."""
        if not attach:
            return
        by_dataset = {}
        for dataset_id, record in attach:
            by_dataset.setdefault(dataset_id, []).append(record)
        datasets = list(Dataset.objects.filter(pk__in=list(by_dataset)))
        existing_keywords = set(
            Keyword.objects.filter(dataset_id__in=list(by_dataset)).values_list(
                "dataset_id", "kind", "code"
            )
        )
        existing_links = set(
            Distribution.objects.filter(dataset_id__in=list(by_dataset)).values_list(
                "dataset_id", "url"
            )
        )
        keywords, distributions = [], []
        footprints = iter(
            footprints_fields(
                [record for dataset in datasets for record in by_dataset[dataset.pk]]
            )
        )
        for dataset in datasets:
            for record in by_dataset[dataset.pk]:
                for name, value in record_fields(record, next(footprints)).items():
                    if value not in (None, "") and getattr(dataset, name) in (None, ""):
                        setattr(dataset, name, value)
                if dataset.producer_id is None:
                    dataset.producer_id = self.producers.find(dataset.producer_name)
                more_keywords, more_distributions = _related_rows(dataset.pk, record)
                for keyword in more_keywords:
                    key = (dataset.pk, keyword.kind, keyword.code)
                    if key not in existing_keywords:
                        existing_keywords.add(key)
                        keywords.append(keyword)
                for distribution in more_distributions:
                    key = (dataset.pk, distribution.url)
                    if key not in existing_links:
                        existing_links.add(key)
                        distribution.position += 100
                        distributions.append(distribution)
        _datasets_update_from(datasets)
        Keyword.objects.bulk_create(keywords, batch_size=_CHUNK)
        Distribution.objects.bulk_create(distributions, batch_size=_CHUNK)

    def _save_candidates(self, candidates, report: UpsertReport):
        rows = []
        for dataset_id, found in candidates:
            low, high = sorted((dataset_id, found.dataset_id))
            if low == high:
                continue
            rows.append(
                {
                    "dataset_id": low,
                    "other_id": high,
                    "score": round(found.score, 4),
                    "reasons": found.reasons(),
                }
            )
        _model_insert(DuplicateCandidate, rows, ignore_conflicts=True)
        report.duplicates += len(rows)


class _Probe:
    """A record as the similarity rule sees it."""

    def __init__(self, record: RecordData):
        self.title = record.title
        self.producer_name = record.producer_name
        self.bbox = record.bbox
        self.year = record.year
        self.key = matching.title_key(record.title)
        self.producer = matching.producer_key(record.producer_name)


def records_upsert(
    *, records: Sequence[RecordData], origin: str, source=None, seen_at: datetime
) -> UpsertReport:
    """Upsert a batch of records of one origin (see the module docstring)."""
    return RecordWriter(origin=origin, source=source, seen_at=seen_at).write(records)


def dataset_upsert(
    *, record: RecordData, origin: str, source=None, seen_at: datetime
) -> tuple[Dataset, str]:
    """Upsert one record: its dataset and the outcome (created/updated/unchanged)."""
    report = records_upsert(
        records=[record], origin=origin, source=source, seen_at=seen_at
    )
    return Dataset.objects.get(pk=report.dataset_ids[0]), report.outcomes[0]


# -- Withdrawal ----


@transaction.atomic
def provenances_withdraw(
    *,
    origin: str,
    seen_at: datetime,
    keep_remote_ids: set[str] | frozenset = frozenset(),
) -> list[int]:
    """Mark withdrawn the provenances of ``origin`` not seen at ``seen_at`` (the
    run that just read the whole source), except ``keep_remote_ids`` (records the
    source still lists but that could not be read this time), and withdraw the
    datasets left with no live provenance. Returns the withdrawn provenance ids."""
    gone = [
        (pk, dataset_id)
        for pk, dataset_id, remote_id in Provenance.objects.filter(
            origin=origin, withdrawn_at__isnull=True, last_seen_at__lt=seen_at
        ).values_list("pk", "dataset_id", "remote_identifier")
        if remote_id not in keep_remote_ids
    ]
    if not gone:
        return []
    provenance_ids = [pk for pk, _d in gone]
    for chunk in _chunks(provenance_ids):
        Provenance.objects.filter(pk__in=chunk).update(withdrawn_at=seen_at)
    dataset_ids = sorted({d for _p, d in gone})
    still_live = set(
        Provenance.objects.filter(
            dataset_id__in=dataset_ids, withdrawn_at__isnull=True
        ).values_list("dataset_id", flat=True)
    )
    orphaned = [d for d in dataset_ids if d not in still_live]
    for chunk in _chunks(orphaned):
        Dataset.objects.filter(pk__in=chunk).update(status=Dataset.Status.WITHDRAWN)
    if orphaned:
        from crig.catalog.search.index import dataset_index

        dataset_index(orphaned)
    return provenance_ids


# -- Duplicates ----


def _check_can_manage(by) -> None:
    if by is not None and not by.has_perm("catalog.manage_duplicates"):
        raise PermissionDenied(_("Only the secretariat settles possible duplicates."))


@transaction.atomic
def dataset_merge(*, keep: Dataset, other: Dataset, by=None) -> Dataset:
    """Fold ``other`` into ``keep``: its provenances, keywords and links move over,
    empty fields of ``keep`` are filled from it, and ``other`` is deleted with its
    possible-duplicate pair (other pairs naming ``other`` are moved to ``keep``)."""
    _check_can_manage(by)
    if keep.pk == other.pk:
        raise InvalidInput(_("A dataset cannot be merged into itself."))
    keep = Dataset.objects.select_for_update().get(pk=keep.pk)
    other = Dataset.objects.select_for_update().get(pk=other.pk)
    for name in (*RECORD_FIELDS, *GEOMETRY_FIELDS):
        if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(keep, name, getattr(other, name))
    if keep.producer_id is None:
        keep.producer_id = other.producer_id
    keep.first_seen_at = min(
        filter(None, [keep.first_seen_at, other.first_seen_at]), default=None
    )
    keep.last_seen_at = max(
        filter(None, [keep.last_seen_at, other.last_seen_at]), default=None
    )
    Provenance.objects.filter(dataset=other).update(dataset=keep)
    if Provenance.objects.filter(dataset=keep, withdrawn_at__isnull=True).exists():
        keep.status = Dataset.Status.ACTIVE
    kept_keywords = set(keep.keywords.values_list("kind", "code"))
    moving = [
        k.pk for k in other.keywords.all() if (k.kind, k.code) not in kept_keywords
    ]
    Keyword.objects.filter(pk__in=moving).update(dataset=keep)
    kept_urls = set(keep.distributions.values_list("url", flat=True))
    other.distributions.exclude(url__in=kept_urls).update(dataset=keep)
    pair = sorted((keep.pk, other.pk))
    # Other pairs involving ``other`` now concern ``keep`` (or vanish with it).
    for candidate in DuplicateCandidate.objects.filter(
        Q(dataset=other) | Q(other=other)
    ).exclude(dataset_id=pair[0], other_id=pair[1]):
        third = (
            candidate.other_id
            if candidate.dataset_id == other.pk
            else candidate.dataset_id
        )
        low, high = sorted((keep.pk, third))
        if (
            low != high
            and not DuplicateCandidate.objects.filter(
                dataset_id=low, other_id=high
            ).exists()
        ):
            DuplicateCandidate.objects.create(
                dataset_id=low,
                other_id=high,
                score=candidate.score,
                reasons=candidate.reasons,
                status=candidate.status,
            )
    keep.save()
    # The pair's own row goes with ``other`` (both its keys cascade).
    other.delete()
    from crig.catalog.search.index import dataset_index
    from crig.catalog.services.coverage import coverage_schedule

    dataset_index([keep.pk])
    coverage_schedule([keep.pk])
    return keep


@transaction.atomic
def duplicate_mark_distinct(
    *, candidate: DuplicateCandidate, by=None
) -> DuplicateCandidate:
    """The secretariat says the two records are different datasets."""
    _check_can_manage(by)
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == DuplicateCandidate.Status.MERGED:
        raise Conflict(_("These records were already merged."))
    candidate.status = DuplicateCandidate.Status.DISTINCT
    candidate.decided_by = by
    candidate.save(update_fields=["status", "decided_by", "updated_at"])
    return candidate
