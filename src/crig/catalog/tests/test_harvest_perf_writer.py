"""The record writer's own INSERT and UPDATE statements (round 5 of the harvest
performance work) store what the ORM's ``bulk_create`` and ``bulk_update`` stored:
the same value in every column, read back through the ORM."""

from datetime import UTC, date, datetime

import numpy as np
import pytest
import shapely
from django.forms.models import model_to_dict
from shapely.geometry import MultiPolygon, Polygon, box

from crig.catalog.ingest.records import RecordData
from crig.catalog.models import Dataset, DuplicateCandidate
from crig.catalog.services import records
from crig.territory.geometry import for_storage, to_geojson_text

SEEN = datetime(2025, 3, 3, 8, tzinfo=UTC)
# Columns that differ by design: the id, and the time of the call.
SKIPPED = {"id", "identifier", "created_at", "updated_at"}


def _record(**values) -> RecordData:
    base = {
        "identifier": "x",
        "title": "Orthophotographie de l'Aude 2021",
        "abstract": "Prise de vue aérienne à 20 cm, « millésime » 2021.",
        "producer_name": "IGN",
        "producer_email": "contact@ign.fr",
        "created_on": date(2021, 5, 3),
        "revised_on": date(2022, 1, 31),
        "temporal_start": date(2021, 4, 1),
        "temporal_end": None,
        "resolution_m": 0.2,
        "scale_denominator": 5000,
        "licence": "Licence Ouverte 2.0",
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "lineage": "",
        "footprint": box(1.6887654321, 42.6, 3.25, 43.46),
    }
    return RecordData(**(base | values)).finish()


RECORDS = [
    _record(),
    _record(footprint=None, created_on=None, resolution_m=None, year=None),
    _record(
        footprint=Polygon([(1.1, 43.1), (1.4, 43.1), (1.4, 43.3), (1.1, 43.1)]),
        footprint_is_bbox=False,
        level="series",
        lineage="Produit par l'IGN.",
        temporal_end=date(2021, 9, 30),
    ),
    _record(footprint=Polygon()),  # empty: stored as no footprint
]


def _columns(dataset: Dataset) -> dict:
    values = model_to_dict(dataset, fields=[f.name for f in Dataset._meta.fields])
    return {name: value for name, value in values.items() if name not in SKIPPED}


def _orm_rows(record: RecordData, identifier: str) -> Dataset:
    return Dataset(
        identifier=identifier,
        first_seen_at=SEEN,
        last_seen_at=SEEN,
        **records.record_fields(record),
    )


@pytest.mark.django_db
def test_datasets_inserted_as_bulk_create_inserted_them():
    expected = Dataset.objects.bulk_create(
        [_orm_rows(r, f"orm-{i}") for i, r in enumerate(RECORDS)]
    )
    footprints = records.footprints_fields(RECORDS)
    ids = records._datasets_insert(
        [
            {
                "identifier": f"raw-{i}",
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
                **records.record_fields(r, footprint),
            }
            for i, (r, footprint) in enumerate(zip(RECORDS, footprints, strict=True))
        ]
    )

    got = {d.pk: d for d in Dataset.objects.filter(pk__in=ids)}
    assert [got[pk].identifier for pk in ids] == [f"raw-{i}" for i in range(4)]
    for orm, pk in zip(expected, ids, strict=True):
        assert _columns(got[pk]) == _columns(Dataset.objects.get(pk=orm.pk))
    assert got[ids[0]].created_at is not None
    assert got[ids[1]].footprint == ""
    assert got[ids[1]].min_lon is None
    assert got[ids[3]].footprint == ""


def _footprint_fields_one_by_one(record: RecordData) -> dict:
    """``footprint_fields`` as it was before batches (commit 8834fe0)."""
    if record.footprint is None or record.footprint.is_empty:
        return dict.fromkeys(("min_lon", "min_lat", "max_lon", "max_lat")) | {
            "footprint": "",
            "footprint_is_bbox": True,
        }
    geometry = for_storage(record.footprint)
    west, south, east, north = (round(v, 6) for v in shapely.bounds(geometry))
    return {
        "min_lon": west,
        "min_lat": south,
        "max_lon": east,
        "max_lat": north,
        "footprint": str(to_geojson_text(geometry)),
        "footprint_is_bbox": record.footprint_is_bbox,
    }


def test_footprints_of_a_batch_are_those_of_one_record_at_a_time():
    multi = MultiPolygon([box(1, 43, 1.2, 43.2)])  # one part: stored as a Polygon
    clockwise = Polygon([(1, 43), (1, 44), (2, 44), (2, 43)])
    batch_records = [*RECORDS, _record(footprint=multi), _record(footprint=clockwise)]
    batch = records.footprints_fields(batch_records)
    assert batch == [_footprint_fields_one_by_one(r) for r in batch_records]
    assert batch[0]["min_lon"] == 1.688765  # rounded to the stored precision
    assert isinstance(batch[0]["min_lon"], np.float64)


@pytest.mark.django_db
def test_datasets_updated_as_bulk_update_updated_them():
    first, second = Dataset.objects.bulk_create(
        [_orm_rows(RECORDS[1], "a"), _orm_rows(RECORDS[1], "b")]
    )
    for dataset in (first, second):
        for name, value in records.record_fields(RECORDS[2]).items():
            setattr(dataset, name, value)
    Dataset.objects.bulk_update(
        [first], [*records.RECORD_FIELDS, *records.GEOMETRY_FIELDS, "producer"]
    )
    records._datasets_update_from([second])

    first.refresh_from_db()
    second.refresh_from_db()
    assert _columns(second) == _columns(first)
    assert second.level == "series"
    assert second.footprint_is_bbox is False


@pytest.mark.django_db
def test_duplicate_candidates_skip_a_pair_already_listed():
    low, high = Dataset.objects.bulk_create(
        [_orm_rows(RECORDS[0], "a"), _orm_rows(RECORDS[0], "b")]
    )
    row = {"dataset_id": low.pk, "other_id": high.pk, "score": 0.7}
    records._model_insert(
        DuplicateCandidate, [row | {"reasons": {"title": 0.9}}], ignore_conflicts=True
    )
    records._model_insert(
        DuplicateCandidate, [row | {"reasons": {"title": 0.1}}], ignore_conflicts=True
    )

    candidate = DuplicateCandidate.objects.get()
    assert (candidate.reasons, candidate.status) == ({"title": 0.9}, "open")
    assert candidate.created_at is not None
