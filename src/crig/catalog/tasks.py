"""Background jobs of the catalogue (django-tasks). Each calls one service and is
safe to run twice."""

from django_tasks import task


@task(takes_context=True)
def harvest_run_task(context, run_id: int) -> None:
    from crig.catalog.services.harvest import harvest_run_execute

    # A second attempt means the worker of the first died during the run (see
    # crig.core.jobs): the run it left "running" is taken over.
    harvest_run_execute(run_id=run_id, resume=context.attempt > 1)


@task()
def coverage_compute_task(dataset_ids: list[int]) -> None:
    from crig.catalog.services.coverage import coverage_compute

    coverage_compute(dataset_ids=dataset_ids)
