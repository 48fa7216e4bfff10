"""Reads for harvest sources, runs and possible duplicates (admin, CLI)."""

from django.db.models import Count, Max, QuerySet

from crig.catalog.models import DuplicateCandidate, HarvestRun, HarvestSource


def harvest_sources() -> QuerySet[HarvestSource]:
    """Every source with its record count and last run time."""
    return HarvestSource.objects.annotate(
        record_count=Count("provenances", distinct=True),
        last_run_at=Max("runs__started_at"),
    ).order_by("name")


def harvest_source_by_name(name: str) -> HarvestSource | None:
    return HarvestSource.objects.filter(name=name).first()


def harvest_runs(*, source: HarvestSource | None = None) -> QuerySet[HarvestRun]:
    runs = HarvestRun.objects.select_related("source", "triggered_by")
    return runs.filter(source=source) if source is not None else runs


def harvest_run_last(source: HarvestSource) -> HarvestRun | None:
    return harvest_runs(source=source).order_by("-started_at", "-pk").first()


def duplicate_candidates_open() -> QuerySet[DuplicateCandidate]:
    return DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.OPEN
    ).select_related("dataset", "other")
