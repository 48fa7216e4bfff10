"""Records entered and edited by hand: by the secretariat for any record, by an
organisation's referent for the records of their own organisation.

A manual record gets an identifier of its own (``crig-<uuid>``) and one provenance
``manual``, so the search's source facet shows it as entered by hand. After every
write the record is reindexed and, when its footprint changed, its commune coverage
is recomputed in the background.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry

from crig.catalog.models import Dataset, Distribution, Keyword, Provenance
from crig.catalog.rules import is_staff_role
from crig.core.errors import InvalidInput, PermissionDenied
from crig.territory import geometry

MANUAL_ORIGIN = "manual"

#: The fields of a record a person types in the form.
EDITABLE_FIELDS = (
    "title",
    "abstract",
    "producer",
    "producer_name",
    "producer_email",
    "referentiel",
    "created_on",
    "published_on",
    "revised_on",
    "temporal_start",
    "temporal_end",
    "resolution_m",
    "scale_denominator",
    "licence",
    "licence_url",
    "lineage",
    "visibility",
)


@dataclass
class ManualRecord:
    """What a person enters: the fields, keywords (free, one label each),
    distributions (dicts with kind, url, name, title) and the footprint (WGS84)."""

    fields: dict
    keywords: list[str] = field(default_factory=list)
    distributions: list[dict] = field(default_factory=list)
    footprint: BaseGeometry | None = None


def _keyword_code(label: str) -> str:
    from crig.territory.names import search_words

    return "-".join(search_words(label))[:200]


def record_year(fields: dict) -> int | None:
    """The vintage: end of the temporal extent, else the latest date given."""
    if fields.get("temporal_end"):
        return fields["temporal_end"].year
    dates = [
        value
        for name in ("revised_on", "published_on", "created_on", "temporal_start")
        if isinstance(value := fields.get(name), date)
    ]
    return max(dates).year if dates else None


def _check_may_set_producer(by, organisation) -> None:
    if is_staff_role(by):
        return
    if (
        organisation is None
        or not by.memberships.filter(
            organisation=organisation, role="referent"
        ).exists()
    ):
        raise PermissionDenied(
            _("You may only enter records of an organisation you are referent of."),
            field="producer",
        )


def _apply_footprint(dataset: Dataset, footprint: BaseGeometry | None) -> bool:
    """Store the footprint and its bbox; True when it changed."""
    before = (dataset.footprint, dataset.min_lon, dataset.min_lat)
    if footprint is None:
        dataset.footprint = ""
        dataset.min_lon = dataset.min_lat = dataset.max_lon = dataset.max_lat = None
        dataset.footprint_is_bbox = True
    else:
        if footprint.geom_type not in geometry.POLYGONAL_TYPES:
            raise InvalidInput(
                _("The footprint must be a polygon or a bounding box."),
                field="footprint",
            )
        stored = geometry.for_storage(np.array([footprint], dtype=object))[0]
        try:
            geometry.check_within_france([stored], source="footprint")
        except geometry.GeometryError as error:
            raise InvalidInput(
                _("The footprint is outside metropolitan France."),
                field="footprint",
            ) from error
        west, south, east, north = (float(v) for v in geometry.rounded_bounds(stored))
        dataset.footprint = str(geometry.to_geojson_text(stored))
        dataset.min_lon, dataset.min_lat = west, south
        dataset.max_lon, dataset.max_lat = east, north
        dataset.footprint_is_bbox = bool(stored.equals(stored.envelope))
    return before != (dataset.footprint, dataset.min_lon, dataset.min_lat)


def _write_children(dataset: Dataset, record: ManualRecord) -> None:
    dataset.keywords.filter(kind=Keyword.Kind.FREE).delete()
    seen = set()
    keywords = []
    for label in record.keywords:
        code = _keyword_code(label)
        if code and code not in seen:
            seen.add(code)
            keywords.append(
                Keyword(dataset=dataset, kind=Keyword.Kind.FREE, code=code, label=label)
            )
    Keyword.objects.bulk_create(keywords)
    dataset.distributions.all().delete()
    Distribution.objects.bulk_create(
        Distribution(dataset=dataset, position=position, **distribution)
        for position, distribution in enumerate(record.distributions)
    )


def _document(dataset: Dataset, record: ManualRecord) -> str:
    """The record as entered, kept as the manual provenance's document."""
    fields = {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name, value in record.fields.items()
        if name != "producer"
    }
    fields["producer_organisation"] = dataset.producer_id
    return json.dumps(
        {
            "fields": fields,
            "keywords": record.keywords,
            "distributions": record.distributions,
            "footprint": json.loads(dataset.footprint) if dataset.footprint else None,
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def _save_provenance(dataset: Dataset, record: ManualRecord) -> None:
    now = timezone.now()
    document = _document(dataset, record)
    Provenance.objects.update_or_create(
        origin=MANUAL_ORIGIN,
        remote_identifier=dataset.identifier,
        defaults={
            "dataset": dataset,
            "source": None,
            "document_format": Provenance.Format.MANUAL,
            "document": document,
            "content_hash": hashlib.sha256(document.encode()).hexdigest(),
            "last_seen_at": now,
        },
        create_defaults={
            "dataset": dataset,
            "document_format": Provenance.Format.MANUAL,
            "document": document,
            "content_hash": hashlib.sha256(document.encode()).hexdigest(),
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )


def _after_write(dataset: Dataset, *, footprint_changed: bool) -> None:
    from crig.catalog.search.index import dataset_index
    from crig.catalog.services.coverage import coverage_schedule

    dataset_index([dataset.pk])
    if footprint_changed:
        coverage_schedule([dataset.pk])


def _set_fields(dataset: Dataset, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by hand: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(dataset, name, "" if value is None and name in _TEXT_FIELDS else value)
    dataset.year = record_year(fields)


_TEXT_FIELDS = {
    f.name
    for f in Dataset._meta.get_fields()
    if getattr(f, "get_internal_type", lambda: "")()
    in ("CharField", "TextField", "EmailField", "URLField")
}


@transaction.atomic
def dataset_create_manual(*, by, record: ManualRecord) -> Dataset:
    """Create a record entered by hand; ``PermissionDenied`` unless ``by`` is the
    secretariat, an administrator or a referent of the producer organisation."""
    if not by.has_perm("catalog.add_dataset"):
        raise PermissionDenied(_("You may not enter records."))
    _check_may_set_producer(by, record.fields.get("producer"))
    now = timezone.now()
    dataset = Dataset(
        identifier=f"crig-{uuid.uuid4()}",
        created_by=by,
        first_seen_at=now,
        last_seen_at=now,
    )
    _set_fields(dataset, record.fields)
    footprint_changed = _apply_footprint(dataset, record.footprint)
    dataset.full_clean(exclude=["search_text", "search_title"])
    dataset.save()
    _write_children(dataset, record)
    _save_provenance(dataset, record)
    _after_write(
        dataset, footprint_changed=footprint_changed and record.footprint is not None
    )
    return dataset


@transaction.atomic
def dataset_update_manual(*, dataset: Dataset, by, record: ManualRecord) -> Dataset:
    """Edit a record by hand (any record for the secretariat; a referent edits the
    records of their organisation and cannot give them to another one)."""
    if not by.has_perm("catalog.change_dataset", dataset):
        raise PermissionDenied(_("You may not edit this record."))
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if "producer" in record.fields:
        _check_may_set_producer(by, record.fields["producer"])
    _set_fields(dataset, record.fields)
    footprint_changed = _apply_footprint(dataset, record.footprint)
    dataset.last_seen_at = timezone.now()
    dataset.full_clean(exclude=["search_text", "search_title"])
    dataset.save()
    _write_children(dataset, record)
    _save_provenance(dataset, record)
    _after_write(dataset, footprint_changed=footprint_changed)
    return dataset
