"""Commune coverage of datasets (interim: the coverage work replaces this module)."""

from collections.abc import Iterable

from django.db import transaction


def coverage_schedule(dataset_ids: Iterable[int]) -> None:
    """Recompute the coverage of these datasets in the background, once committed."""
    from crig.catalog.tasks import coverage_compute_task

    ids = sorted(set(dataset_ids))
    if ids:
        transaction.on_commit(lambda: coverage_compute_task.enqueue(ids))


def coverage_compute(*, dataset_ids: Iterable[int] | None = None, progress=None):
    raise NotImplementedError("Written by the coverage work in progress.")
