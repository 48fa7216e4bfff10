"""Writes to the territory tables: loading the official reference data."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import Conflict
from crig.territory import geometry
from crig.territory.models import EPCI, Commune, Departement, Region
from crig.territory.names import search_key
from crig.territory.sources import (
    Progress,
    SourceIncomplete,
    SourceInvalid,
    SourceUnreadable,
    TerritoryDataset,
    TerritorySourceError,
    read_territory,
)

__all__ = [
    "KindReport",
    "LoadReport",
    "SourceIncomplete",
    "SourceInvalid",
    "SourceUnreadable",
    "TerritoryInUse",
    "TerritorySourceError",
    "territory_load",
]

BATCH_SIZE = 500


class TerritoryInUse(Conflict):
    """A unit to remove is still referenced by other data; nothing was written."""


@dataclass
class KindReport:
    """What a load did to one kind of unit (primary keys, sorted)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass
class LoadReport:
    region: KindReport
    departements: KindReport
    epci: KindReport
    communes: KindReport
    #: EPCI with members in another region: SIREN → codes of those members.
    straddling_epci: dict[str, list[str]]
    sources: list[str]
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(kind.changed for _label, kind in self.kinds())

    def kinds(self) -> list[tuple[str, KindReport]]:
        return [
            (_("region"), self.region),
            (_("départements"), self.departements),
            (_("EPCI"), self.epci),
            (_("communes"), self.communes),
        ]

    def lines(self) -> list[str]:
        """The report for a person, one line per kind, then the straddling EPCI."""
        lines = [
            _(
                "%(kind)s: %(created)d created, %(updated)d updated, "
                "%(removed)d removed, %(unchanged)d unchanged."
            )
            % {
                "kind": label,
                "created": len(kind.created),
                "updated": len(kind.updated),
                "removed": len(kind.removed),
                "unchanged": kind.unchanged,
            }
            for label, kind in self.kinds()
        ]
        for siren, codes in sorted(self.straddling_epci.items()):
            lines.append(
                ngettext(
                    "EPCI %(siren)s straddles the region: %(count)d member commune "
                    "outside it (%(codes)s) is left out of its outline.",
                    "EPCI %(siren)s straddles the region: %(count)d member communes "
                    "outside it (%(codes)s) are left out of its outline.",
                    len(codes),
                )
                % {"siren": siren, "count": len(codes), "codes": ", ".join(codes)}
            )
        return lines


def _outline_fields(outline) -> dict:
    west, south, east, north = geometry.rounded_bounds(outline).tolist()
    return {
        "outline": geometry.to_geojson_text(outline),
        "min_lon": west,
        "min_lat": south,
        "max_lon": east,
        "max_lat": north,
        "area_km2": round(float(geometry.area_km2(outline)), 4),
    }


def _rows(dataset: TerritoryDataset) -> dict[type[models.Model], dict[str, dict]]:
    """Field values of every row to store, by model and primary key."""
    cog = dataset.cog
    communes = {}
    commune_codes = list(dataset.commune_outlines)
    labels = geometry.label_points(list(dataset.commune_outlines.values()))
    for code, (label_lon, label_lat) in zip(commune_codes, labels, strict=True):
        record = cog.communes[code]
        communes[code] = {
            "name": record.name,
            "search_name": search_key(record.name),
            "departement_id": record.departement,
            "epci_id": record.epci,
            "siren": record.siren,
            "population": record.population,
            "postcodes": " ".join(record.postcodes),
            "former_codes": " ".join(record.former_codes),
            "label_lon": float(label_lon),
            "label_lat": float(label_lat),
            **_outline_fields(dataset.commune_outlines[code]),
        }
    epcis = {
        siren: {
            "name": record.name,
            "search_name": search_key(record.name),
            "kind": record.kind,
            "financing": record.financing,
            "population": record.population,
            "outside_member_codes": " ".join(record.outside_member_codes),
            **_outline_fields(dataset.epci_outlines[siren]),
        }
        for siren, record in cog.epcis.items()
    }
    departement_population: dict[str, int] = {}
    for record in cog.communes.values():
        departement_population[record.departement] = (
            departement_population.get(record.departement, 0) + record.population
        )
    departements = {
        code: {
            "name": record.name,
            "region_id": cog.region_code,
            "chef_lieu": record.chef_lieu,
            "population": departement_population.get(code, 0),
            **_outline_fields(dataset.departement_outlines[code]),
        }
        for code, record in cog.departements.items()
    }
    regions = {
        cog.region_code: {
            "name": cog.region_name,
            "population": sum(departement_population.values()),
            **_outline_fields(dataset.region_outline),
        }
    }
    return {
        Region: regions,
        Departement: departements,
        EPCI: epcis,
        Commune: communes,
    }


def _upsert(model: type[models.Model], rows: dict[str, dict], now) -> KindReport:
    report = KindReport()
    existing = model.objects.in_bulk()
    to_create = []
    # Rows to update, grouped by the fields that changed: bulk_update writes one
    # CASE expression per field, so unchanged fields are not sent.
    to_update: dict[tuple[str, ...], list[models.Model]] = {}
    for key, values in sorted(rows.items()):
        instance = existing.get(key)
        if instance is None:
            to_create.append(model(pk=key, **values))
            report.created.append(key)
            continue
        changed = tuple(
            name for name, value in values.items() if getattr(instance, name) != value
        )
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(instance, name, values[name])
        instance.updated_at = now
        to_update.setdefault(changed, []).append(instance)
        report.updated.append(key)
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    for changed, instances in to_update.items():
        model.objects.bulk_update(
            instances, [*changed, "updated_at"], batch_size=BATCH_SIZE
        )
    report.removed = sorted(set(existing) - set(rows))
    return report


def _remove(model: type[models.Model], keys: list[str]) -> None:
    if not keys:
        return
    try:
        model.objects.filter(pk__in=keys).delete()
    except ProtectedError as exc:
        raise TerritoryInUse(
            _(
                "Cannot remove %(kind)s %(keys)s: other data still refer to them. "
                "Nothing was changed."
            )
            % {"kind": model._meta.verbose_name, "keys": ", ".join(keys[:10])}
        ) from exc


def territory_load(
    paths: Sequence[Path | str] | None = None,
    *,
    progress: Progress | None = None,
    region_code: str | None = None,
) -> LoadReport:
    """Load the region's communes, EPCI, départements and the region itself.

    Attributes come from the bundled COG 2024 tables; outlines from ``paths`` (any
    commune layer GDAL reads: IGN ADMIN EXPRESS shapefile or GeoPackage, GeoJSON…)
    or, without paths, from the bundled 2018 outlines. Every file is read and
    checked before anything is written, and the writes happen in one transaction:
    on any error (``TerritorySourceError``, ``TerritoryInUse``) the database is
    left as it was. Running it twice changes nothing the second time.
    """
    started = time.perf_counter()
    region_code = region_code or settings.CRIG_REGION_CODE
    dataset = read_territory(paths, region_code=region_code, progress=progress)
    rows = _rows(dataset)
    now = timezone.now()
    with transaction.atomic():
        reports = {model: _upsert(model, rows[model], now) for model in rows}
        for model in reversed(rows):
            _remove(model, reports[model].removed)
    return LoadReport(
        region=reports[Region],
        departements=reports[Departement],
        epci=reports[EPCI],
        communes=reports[Commune],
        straddling_epci={
            siren: list(record.outside_member_codes)
            for siren, record in dataset.cog.epcis.items()
            if record.outside_member_codes
        },
        sources=dataset.outline_sources,
        seconds=time.perf_counter() - started,
    )
