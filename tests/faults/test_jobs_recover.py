"""``crig.core.jobs.tasks_recover`` on its own: which RUNNING tasks it requeues,
which it leaves, which it gives up; and a harvest run taken over by a retry."""

import datetime
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crig.catalog.models import HarvestRun
from crig.catalog.services.harvest import harvest_run_execute
from crig.catalog.tasks import coverage_compute_task
from crig.catalog.tests.factories import HarvestSourceFactory
from crig.core import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return process.pid


def _running(worker_ids, *, started_minutes_ago=1):
    result = coverage_compute_task.enqueue([1])
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        worker_ids=worker_ids,
        started_at=timezone.now() - datetime.timedelta(minutes=started_minutes_ago),
    )
    return result.id


def _status(task_id):
    return DBTaskResult.objects.get(pk=task_id).status


def test_a_task_of_a_dead_local_worker_is_requeued(database_tasks, dead_pid):
    task = _running([f"{jobs._host()}:{dead_pid}:abcdefgh"])

    report = jobs.tasks_recover()

    assert report.requeued == [str(DBTaskResult.objects.get(pk=task).pk)]
    assert _status(task) == "READY"
    assert DBTaskResult.objects.get(pk=task).started_at is None


def test_a_live_worker_and_an_unknown_one_are_left_alone(database_tasks):
    alive = _running([jobs.worker_id()])
    elsewhere = _running(["other-host:12345:abcdefgh"], started_minutes_ago=90)
    foreign = _running(["aRandomIdFromAnotherWorker"], started_minutes_ago=90)

    report = jobs.tasks_recover(stale_after=datetime.timedelta(minutes=120))

    assert report.requeued == []
    assert {_status(t) for t in (alive, elsewhere, foreign)} == {"RUNNING"}


def test_a_stale_task_of_another_machine_is_requeued_by_the_command(database_tasks):
    task = _running(["other-host:12345:abcdefgh"], started_minutes_ago=90)

    call_command("tasks", "recover", "--stale-after", "60")

    assert _status(task) == "READY"


def test_a_task_that_killed_its_workers_three_times_is_given_up(
    database_tasks, dead_pid
):
    dead = f"{jobs._host()}:{dead_pid}:abcdefgh"
    task = _running([dead, dead, dead])

    report = jobs.tasks_recover()

    row = DBTaskResult.objects.get(pk=task)
    assert report.failed == [str(row.pk)]
    assert row.status == "FAILED"
    assert row.exception_class_path == "crig.core.jobs.WorkerLost"


def test_worker_ids_name_the_host_and_the_process():
    host, pid, _random = jobs.worker_id().split(":")

    assert (host, int(pid)) == (jobs._host(), os.getpid())
    assert jobs.worker_alive(jobs.worker_id()) is True


def test_a_retried_harvest_takes_over_the_run_left_running():
    run = HarvestRun.objects.create(
        source=HarvestSourceFactory(url="http://127.0.0.1:9/csw", timeout_seconds=1),
        status=HarvestRun.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )

    untouched = harvest_run_execute(run_id=run.pk)
    resumed = harvest_run_execute(run_id=run.pk, resume=True)

    assert untouched.status == HarvestRun.Status.RUNNING
    assert resumed.status == HarvestRun.Status.FAILED
    assert resumed.finished_at is not None
