"""Background jobs of the catalogue (django-tasks). Each calls one service and is
safe to run twice."""

from django_tasks import task


@task()
def harvest_run_task(run_id: int) -> None:
    from crig.catalog.services.harvest import harvest_run_execute

    harvest_run_execute(run_id=run_id)


@task()
def coverage_compute_task(dataset_ids: list[int]) -> None:
    from crig.catalog.services.coverage import coverage_compute

    coverage_compute(dataset_ids=dataset_ids)
