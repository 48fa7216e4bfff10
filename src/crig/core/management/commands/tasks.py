"""``crig tasks recover``: put back in the queue the background tasks whose worker
died (see ``crig.core.jobs``).

``crig db_worker`` already does it at start for the dead workers of its machine;
with workers on several machines, run it from cron with a delay longer than the
longest job::

    */15 * * * * crig tasks recover --stale-after 120
"""

import datetime

from django.core.management.base import BaseCommand

from crig.core.jobs import tasks_recover


class Command(BaseCommand):
    help = "Background tasks: requeue those whose worker died."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        recover = sub.add_parser(
            "recover",
            help="Requeue the running tasks of dead workers of this machine, and "
            "any task running for longer than --stale-after minutes.",
        )
        recover.add_argument("--stale-after", type=int, metavar="MINUTES")

    def handle(self, *args, **options):
        minutes = options["stale_after"]
        report = tasks_recover(
            stale_after=None if minutes is None else datetime.timedelta(minutes=minutes)
        )
        for task_id in report.requeued:
            self.stdout.write(f"requeued {task_id}")
        for task_id in report.failed:
            self.stdout.write(f"failed {task_id} (its workers died too often)")
        self.stdout.write(
            f"{len(report.requeued)} requeued, {len(report.failed)} given up."
        )
