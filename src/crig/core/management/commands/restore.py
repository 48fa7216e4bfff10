"""``crig restore ARCHIVE [--force]``: put back what ``crig backup`` saved.

Refuses a database that already holds data unless ``--force``; checks the whole
archive before changing anything. ``--check`` only verifies the archive (every
member against the manifest's checksums), e.g. after copying it elsewhere.
Procedure and archive contents: ``docs/operations.md`` and ``crig.core.backup``.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from crig.core.backup import backup_restore, backup_verify
from crig.core.errors import CrigError


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by “crig backup” into this instance's "
        "database and file storage."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data of a database that is not empty.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the archive; change nothing.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, archive, force, check, no_progress, **options):
        with translation.override(settings.LANGUAGE_CODE):
            archive = Path(archive)
            if check:
                self.verify(archive)
            else:
                self.restore(archive, force, not no_progress)

    def verify(self, archive: Path):
        try:
            manifest = backup_verify(archive=archive)
        except CrigError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Archive intact: made on %(date)s by crig %(version)s "
                    "(%(vendor)s), %(members)d members checked."
                )
                % {
                    "date": manifest.get("created_at", "?"),
                    "version": manifest.get("crig_version", "?"),
                    "vendor": manifest.get("database", {}).get("vendor", "?"),
                    "members": len(manifest["members"]),
                }
            )
        )

    def restore(self, archive: Path, force: bool, show_progress: bool):
        bar = tqdm(
            file=sys.stderr, disable=not show_progress or not sys.stderr.isatty()
        )

        def progress(stage: str, done: int, total) -> None:
            bar.total = total
            bar.set_description(stage)
            bar.update(done - bar.n)

        try:
            report = backup_restore(archive=archive, force=force, progress=progress)
        except CrigError as error:
            raise CommandError(str(error.message)) from error
        finally:
            bar.close()
        manifest = report.manifest
        self.stdout.write(
            _(
                "%(rows)d rows and %(files)d files restored from the backup of "
                "%(date)s (crig %(version)s, %(vendor)s)."
            )
            % {
                "rows": report.rows,
                "files": report.files,
                "date": manifest.get("created_at", "?"),
                "version": manifest.get("crig_version", "?"),
                "vendor": manifest.get("database", {}).get("vendor", "?"),
            }
        )
        if report.migrated_forward:
            self.stdout.write(_("Later migrations of this version applied."))
        self.stdout.write(
            _("Search index rebuilt (%(count)d records).")
            % {"count": report.indexed_datasets}
        )
        self.stdout.write(self.style.SUCCESS(_("Restore complete.")))
