"""Background jobs whose worker died: found and run again, or given up.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or
FAILED when the task returns; a worker killed in between (SIGKILL, out of memory,
a machine that stops) leaves the task RUNNING for ever, and nothing runs it again.
``tasks_recover`` puts such a task back in the queue (READY), or marks it FAILED
once it has been tried ``MAX_ATTEMPTS`` times (a task that kills its worker every
time must not kill every worker after it).

A task is known to be abandoned when its worker is:

- on this machine and its process is gone: ``crig db_worker`` names each worker
  ``<host>:<pid>:<random>`` (``worker_id``), so a worker starting on a machine
  recovers, at once, the tasks of the dead workers of that machine;
- or anywhere, when the task has been RUNNING for longer than ``stale_after``
  (``crig tasks recover --stale-after MINUTES``, for workers on other machines:
  choose a value longer than the longest job).

Every task is safe to run again (see each app's ``tasks.py``): the run that died
committed all of its work or none of it.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

#: A task whose workers died this many times is marked failed, not retried.
MAX_ATTEMPTS = 3
#: django-tasks-db's limit on a worker id.
WORKER_ID_MAX = 64


class WorkerLost(Exception):  # noqa: N818 (the name says what the operator sees)
    """The class recorded on a task given up after its workers died."""


def _host() -> str:
    return socket.gethostname().split(".")[0][:40] or "localhost"


def worker_id() -> str:
    """A worker id that says where the worker runs: ``<host>:<pid>:<random>``."""
    return f"{_host()}:{os.getpid()}:{get_random_string(8)}"[:WORKER_ID_MAX]


def worker_alive(identifier: str) -> bool | None:
    """Whether the worker named ``identifier`` still runs: True or False for a
    worker of this machine, None (unknown) for another machine's or an id not
    made by ``worker_id``."""
    parts = identifier.split(":")
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return None
    pid = int(parts[1])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: the pid is in use
    # The pid may have been given to another program since.
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"db_worker" in cmdline.read_bytes()
    except OSError:
        return True


@dataclass
class RecoveryReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_recover(
    *,
    stale_after: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> RecoveryReport:
    """Requeue (or give up) the RUNNING tasks whose worker died: a worker of this
    machine whose process is gone, or any task RUNNING for longer than
    ``stale_after``. Each change is a conditional UPDATE on the state that was
    read, so a worker finishing the task meanwhile wins."""
    now = now or timezone.now()
    report = RecoveryReport()
    for task in DBTaskResult.objects.running().order_by("started_at"):
        last_worker = task.worker_ids[-1] if task.worker_ids else ""
        abandoned = worker_alive(last_worker) is False or (
            stale_after is not None
            and task.started_at is not None
            and task.started_at < now - stale_after
        )
        if not abandoned:
            continue
        same_state = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        attempts = len(task.worker_ids)
        with transaction.atomic():
            if attempts >= MAX_ATTEMPTS:
                changed = same_state.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{__name__}.{WorkerLost.__name__}",
                    traceback=(
                        f"{WorkerLost.__name__}: the worker died {attempts} times "
                        f"while running this task (last: {last_worker})."
                    ),
                )
                if changed:
                    report.failed.append(str(task.pk))
            else:
                changed = same_state.update(
                    status=TaskResultStatus.READY, started_at=None
                )
                if changed:
                    report.requeued.append(str(task.pk))
        if changed:
            logger.warning(
                "Task %s (%s) abandoned by worker %s: %s",
                task.pk,
                task.task_path,
                last_worker or "?",
                "given up" if attempts >= MAX_ATTEMPTS else "requeued",
            )
    return report
