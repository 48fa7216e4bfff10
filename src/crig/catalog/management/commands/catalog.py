"""``crig catalog``: harvest sources, harvests, imports, the schedule, coverage.

``crig catalog schedule`` is meant for cron or a systemd timer every few minutes::

    */5 * * * * crig catalog schedule

It queues a background run of every scheduled source whose time has come; the
django-tasks worker (``crig db_worker``) executes them.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from crig.catalog.models import HarvestRun, HarvestSource
from crig.catalog.selectors.harvest import harvest_source_by_name, harvest_sources
from crig.catalog.services.harvest import (
    catalog_import_files,
    harvest_due,
    harvest_source,
    harvest_source_create,
)
from crig.core.errors import CrigError


class Command(BaseCommand):
    help = "Manage the catalogue: harvest sources, harvests, imports, coverage."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        source = sub.add_parser("source", help="Add or list harvest sources.")
        source_sub = source.add_subparsers(dest="source_command", required=True)
        add = source_sub.add_parser("add", help="Register a harvest source.")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=HarvestSource.Kind.values)
        add.add_argument("--url", required=True)
        add.add_argument("--title", default="")
        add.add_argument("--page-size", type=int, default=50)
        add.add_argument("--constraint", default="", help="CSW: an OGC CQL constraint.")
        add.add_argument(
            "--schedule",
            choices=HarvestSource.Schedule.values,
            default=HarvestSource.Schedule.MANUAL,
        )
        add.add_argument("--timeout", type=int, default=30, help="Seconds per request.")
        source_sub.add_parser("list", help="List the harvest sources.")

        harvest = sub.add_parser("harvest", help="Harvest a source now.")
        harvest.add_argument("name")
        harvest.add_argument("--no-progress", action="store_true")

        imports = sub.add_parser("import", help="Import ISO or DCAT files.")
        imports.add_argument("paths", nargs="+", metavar="FILE")
        imports.add_argument("--no-progress", action="store_true")

        sub.add_parser("schedule", help="Queue the runs of the sources that are due.")

        coverage = sub.add_parser("coverage", help="Compute commune coverage.")
        coverage.add_argument("--dataset", type=int, action="append", dest="datasets")
        coverage.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            command = options["subcommand"]
            if command == "source":
                if options["source_command"] == "add":
                    self.source_add(options)
                else:
                    self.source_list()
            elif command == "harvest":
                self.harvest(options["name"], not options["no_progress"])
            elif command == "import":
                self.import_files(options["paths"], not options["no_progress"])
            elif command == "schedule":
                self.schedule()
            else:
                self.coverage(options["datasets"], not options["no_progress"])

    def progress_bar(self, show: bool):
        bar = tqdm(file=sys.stderr, disable=not show or not sys.stderr.isatty())

        def progress(stage: str, done: int, total) -> None:
            bar.total = total
            bar.set_description(stage)
            bar.update(done - bar.n)

        return bar, progress

    def source_add(self, options):
        try:
            source = harvest_source_create(
                name=options["name"],
                kind=options["kind"],
                url=options["url"],
                title=options["title"],
                page_size=options["page_size"],
                constraint=options["constraint"],
                schedule=options["schedule"],
                timeout_seconds=options["timeout"],
            )
        except CrigError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(_("Source “%(name)s” added.") % {"name": source.name})
        )

    def source_list(self):
        sources = list(harvest_sources())
        if not sources:
            self.stdout.write(_("No harvest source yet."))
        for source in sources:
            last = (
                source.last_run_at.strftime("%Y-%m-%d %H:%M")
                if source.last_run_at
                else "-"
            )
            self.stdout.write(
                f"{source.name}\t{source.kind}\t{source.get_schedule_display()}\t"
                f"{source.record_count}\t{last}\t{source.url}"
            )

    def report(self, run: HarvestRun):
        self.stdout.write(
            _(
                "created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                "withdrawn %(withdrawn)d, failed %(failed)d"
            )
            % {
                "created": run.created_count,
                "updated": run.updated_count,
                "unchanged": run.unchanged_count,
                "withdrawn": run.withdrawn_count,
                "failed": run.failed_count,
            }
        )
        report = run.report or {}
        if report.get("merged") or report.get("duplicates"):
            self.stdout.write(
                _(
                    "merged into existing records %(merged)d, "
                    "possible duplicates %(dup)d"
                )
                % {
                    "merged": report.get("merged", 0),
                    "dup": report.get("duplicates", 0),
                }
            )
        for warning in report.get("warnings", []):
            self.stdout.write(_("warning: %(text)s") % {"text": warning})
        for failure in report.get("failures", []):
            self.stdout.write(
                _("failed: %(id)s: %(reason)s")
                % {"id": failure.get("id") or "-", "reason": failure.get("reason")}
            )
        if run.status == HarvestRun.Status.FAILED:
            raise CommandError(run.error)
        self.stdout.write(self.style.SUCCESS(run.get_status_display()))

    def harvest(self, name: str, show_progress: bool):
        source = harvest_source_by_name(name)
        if source is None:
            raise CommandError(
                _("No harvest source named “%(name)s”.") % {"name": name}
            )
        bar, progress = self.progress_bar(show_progress)
        try:
            run = harvest_source(source=source, progress=progress)
        finally:
            bar.close()
        self.report(run)

    def import_files(self, paths, show_progress: bool):
        bar, progress = self.progress_bar(show_progress)
        try:
            run = catalog_import_files(paths=paths, progress=progress)
        except CrigError as exc:
            raise CommandError(str(exc.message)) from exc
        finally:
            bar.close()
        self.report(run)
        if run.failed_count and not (
            run.created_count or run.updated_count or run.unchanged_count
        ):
            raise CommandError(_("Nothing could be imported."))

    def schedule(self):
        runs = harvest_due()
        for run in runs:
            self.stdout.write(_("Queued: %(source)s") % {"source": run.source.name})
        self.stdout.write(
            ngettext("%(count)d source queued.", "%(count)d sources queued.", len(runs))
            % {"count": len(runs)}
        )

    def coverage(self, dataset_ids, show_progress: bool):
        from crig.catalog.services.coverage import coverage_compute

        bar, progress = self.progress_bar(show_progress)
        try:
            report = coverage_compute(dataset_ids=dataset_ids, progress=progress)
        except CrigError as exc:
            raise CommandError(str(exc.message)) from exc
        finally:
            bar.close()
        lines = report.lines() if hasattr(report, "lines") else [str(report)]
        for line in lines:
            self.stdout.write(line)
