"""``crig db_worker``: django-tasks-db's worker, which first recovers the tasks
left RUNNING by dead workers of this machine (``crig.core.jobs``), and names
itself ``<host>:<pid>:<random>`` so that the next worker can tell whether it is
still alive. Options are django-tasks-db's."""

import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from crig.core.jobs import tasks_recover, worker_id

logger = logging.getLogger("django_tasks_db")


class Command(db_worker.Command):
    help = (
        "Run a database background worker, after requeueing the tasks of this "
        "machine's dead workers."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(self, *args, **options):
        options["worker_id"] = options.get("worker_id") or worker_id()
        # With --reload the parent only watches files; its child runs the tasks.
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV):
            self.configure_logging(options["verbosity"])
            report = tasks_recover()
            if report.requeued or report.failed:
                logger.warning(
                    "Recovered tasks of dead workers: %d requeued, %d given up.",
                    len(report.requeued),
                    len(report.failed),
                )
        return super().handle(*args, **options)
