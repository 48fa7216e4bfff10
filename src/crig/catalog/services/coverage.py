"""Commune coverage of datasets: which share of each commune a footprint covers.

``coverage_schedule`` is what other services call when footprints change (the
work happens in the background, ``tasks.coverage_compute_task``);
``coverage_compute`` does it: stored footprints and commune outlines go through the
pure ``crig.catalog.coverage`` package and the fractions replace the datasets'
``CommuneCoverage`` rows in one transaction.
"""

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.catalog.coverage import CommuneLayer, coverage_pairs, prepare_footprints
from crig.catalog.models import AreaCoverage, CommuneCoverage, Dataset
from crig.territory.models import Commune

__all__ = [
    "CoverageReport",
    "area_coverage_refresh",
    "commune_layer",
    "coverage_compute",
    "coverage_schedule",
]

#: Rows per INSERT batch; all batches of a run share one transaction.
WRITE_BATCH = 10_000
#: Dataset ids per ``IN (…)`` list when deleting old rows.
ID_BATCH = 900

Progress = Callable[[str, int, int], None]


@dataclass
class CoverageReport:
    """What ``coverage_compute`` did."""

    datasets: int = 0
    without_footprint: list[int] = field(default_factory=list)
    unreadable_footprint: list[int] = field(default_factory=list)
    rows_written: int = 0
    rows_removed: int = 0
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report for a person (the ``crig catalog coverage`` command)."""
        lines = [
            _(
                "%(datasets)d dataset(s): %(written)d commune coverage row(s) "
                "written, %(removed)d replaced."
            )
            % {
                "datasets": self.datasets,
                "written": self.rows_written,
                "removed": self.rows_removed,
            },
            _("Read %(read).1f s, computed %(compute).1f s, wrote %(write).1f s.")
            % {
                "read": self.read_seconds,
                "compute": self.compute_seconds,
                "write": self.write_seconds,
            },
        ]
        if self.without_footprint:
            lines.append(
                _("Without footprint: %(ids)s.")
                % {"ids": ", ".join(map(str, self.without_footprint))}
            )
        if self.unreadable_footprint:
            lines.append(
                _("Unreadable footprint (no coverage): %(ids)s.")
                % {"ids": ", ".join(map(str, self.unreadable_footprint))}
            )
        return lines


def coverage_schedule(dataset_ids: Iterable[int]) -> None:
    """Recompute the coverage of these datasets in the background, once the
    current transaction commits.

    With the database task backend (the default), the task is written now, in
    the caller's transaction: it is committed with the footprints or rolled
    back with them, and a harvest holds no list of ids until its end (its
    memory stays flat). Another backend gets it on commit (at once outside a
    transaction), so no worker reads footprints not yet committed."""
    from django_tasks_db import DatabaseBackend

    from crig.catalog.tasks import coverage_compute_task

    ids = sorted(set(dataset_ids))
    if not ids:
        return
    if isinstance(coverage_compute_task.get_backend(), DatabaseBackend):
        coverage_compute_task.enqueue(ids)
    else:
        transaction.on_commit(lambda: coverage_compute_task.enqueue(ids))


# --- Communes, prepared once per process and territory version ------------------------

_layer_lock = threading.Lock()
_layer_cache: dict[tuple, CommuneLayer] = {}


def commune_layer() -> CommuneLayer:
    """The region's communes ready for coverage, rebuilt only when the territory
    changed (keyed by the communes' count and latest update)."""
    state = Commune.objects.aggregate(communes=Count("insee"), latest=Max("updated_at"))
    key = (connection.alias, connection.settings_dict["NAME"], *state.values())
    with _layer_lock:
        layer = _layer_cache.get(key)
        if layer is None:
            rows = list(
                Commune.objects.exclude(outline="")
                .order_by("insee")
                .values_list("insee", "outline")
            )
            # Stored outlines were checked when loaded: the vectorised parser suffices.
            outlines = shapely.from_geojson([outline for _code, outline in rows])
            layer = CommuneLayer.build([code for code, _outline in rows], outlines)
            _layer_cache.clear()
            _layer_cache[key] = layer
    return layer


# --- Computation ---------------------------------------------------------------------


def coverage_compute(
    *, dataset_ids: Iterable[int] | None = None, progress: Progress | None = None
) -> CoverageReport:
    """Compute and store the share of each commune covered by each dataset.

    ``dataset_ids=None`` recomputes every dataset (and removes rows left by
    datasets that lost their footprint). The rows of the datasets concerned are
    replaced in one transaction, so a reader sees the old or the new coverage,
    never a mix; running it twice gives the same rows. A dataset without a
    footprint, or whose footprint cannot be read, gets no rows. Unknown ids are
    ignored (the dataset may have been deleted since it was scheduled).
    """
    report = CoverageReport()
    started = time.perf_counter()
    ids = None if dataset_ids is None else sorted(set(dataset_ids))
    rows = _footprint_rows(ids)
    report.datasets = len(rows)
    dataset_pks = [pk for pk, _footprint in rows]
    footprint_pks, geometries = [], []
    for pk, text in rows:
        if not text:
            report.without_footprint.append(pk)
            continue
        try:
            geometries.append(shapely.from_geojson(text))
        except shapely.errors.GEOSException:
            report.unreadable_footprint.append(pk)
            continue
        footprint_pks.append(pk)
    layer = commune_layer()
    report.read_seconds = time.perf_counter() - started

    started = time.perf_counter()

    def computed(done: int, total: int) -> None:
        if progress is not None:
            progress(_("commune coverage"), done, total)

    pairs = coverage_pairs(layer, prepare_footprints(geometries), progress=computed)
    report.compute_seconds = time.perf_counter() - started

    started = time.perf_counter()
    footprint_ids = np.asarray(footprint_pks, dtype=np.int64)
    values = zip(
        footprint_ids[pairs.footprint].tolist(),
        layer.codes[pairs.commune].tolist(),
        pairs.fraction.tolist(),
        strict=True,
    )
    with transaction.atomic():
        report.rows_removed = _delete_rows(None if ids is None else dataset_pks)
        report.rows_written = _insert_rows(values, len(pairs))
        area_coverage_refresh(None if ids is None else dataset_pks)
        now = timezone.now()
        for start in range(0, len(dataset_pks), ID_BATCH):
            Dataset.objects.filter(pk__in=dataset_pks[start : start + ID_BATCH]).update(
                coverage_computed_at=now
            )
    report.write_seconds = time.perf_counter() - started
    return report


def _footprint_rows(ids: list[int] | None) -> list[tuple[int, str]]:
    datasets = Dataset.objects.order_by("pk").values_list("pk", "footprint")
    if ids is None:
        return list(datasets)
    return [
        row
        for start in range(0, len(ids), ID_BATCH)
        for row in datasets.filter(pk__in=ids[start : start + ID_BATCH])
    ]


def _delete_rows(dataset_ids: list[int] | None) -> int:
    # Nothing refers to coverage rows and no signal listens: one DELETE each.
    if dataset_ids is None:
        return CommuneCoverage.objects.all().delete()[0]
    removed = 0
    for start in range(0, len(dataset_ids), ID_BATCH):
        removed += CommuneCoverage.objects.filter(
            dataset_id__in=dataset_ids[start : start + ID_BATCH]
        ).delete()[0]
    return removed


#: ``AreaCoverage`` rows of some datasets, from their ``CommuneCoverage`` rows and the
#: communes' EPCI and département (``{kind}``, ``{column}``, ``{where}`` filled in).
AREA_ROWS_SQL = (
    "INSERT INTO {area} (dataset_id, kind, code, fraction) "
    "SELECT c.dataset_id, '{kind}', t.{column}, MAX(c.fraction) "
    "FROM {coverage} c JOIN {commune} t ON t.insee = c.commune_id "
    "WHERE t.{column} IS NOT NULL {where} GROUP BY c.dataset_id, t.{column}"
)


def area_coverage_refresh(dataset_ids: list[int] | None = None) -> None:
    """Rewrite the EPCI and département summary (``AreaCoverage``) of these
    datasets (``None``: all) from their commune rows, in the caller's transaction
    (``coverage_compute``'s, or a territory import that moved communes)."""
    quote = connection.ops.quote_name
    tables = {
        "area": quote(AreaCoverage._meta.db_table),
        "coverage": quote(CommuneCoverage._meta.db_table),
        "commune": quote(Commune._meta.db_table),
    }
    batches = (
        [None]
        if dataset_ids is None
        else [
            dataset_ids[start : start + ID_BATCH]
            for start in range(0, len(dataset_ids), ID_BATCH)
        ]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in batches:
            if batch is None:
                cursor.execute(f"DELETE FROM {tables['area']}")  # noqa: S608
                where, params = "", []
            elif not batch:
                continue
            else:
                placeholders = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f"DELETE FROM {tables['area']} "  # noqa: S608
                    f"WHERE dataset_id IN ({placeholders})",
                    batch,
                )
                where, params = f"AND c.dataset_id IN ({placeholders})", batch
            for kind, column in (
                (AreaCoverage.Kind.EPCI, "epci_id"),
                (AreaCoverage.Kind.DEPARTEMENT, "departement_id"),
            ):
                cursor.execute(
                    AREA_ROWS_SQL.format(
                        **tables, kind=kind.value, column=column, where=where
                    ),
                    params,
                )


def _insert_rows(values: Iterable[tuple[int, str, float]], count: int) -> int:
    """Plain multi-row INSERTs (COPY on PostgreSQL): building 10⁶ model
    instances for ``bulk_create`` would cost more than the computation."""
    meta = CommuneCoverage._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("dataset", "commune", "fraction")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return count
        iterator = iter(values)
        written = 0
        while True:
            batch = list(itertools.islice(iterator, WRITE_BATCH))
            if not batch:
                break
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)",  # noqa: S608
                batch,
            )
            written += len(batch)
    return written
