"""``crig backup [DEST]``: the database and the uploaded files in one archive.

Meant for cron, e.g. every night at 02:30, keeping the archives of 30 days::

    30 2 * * * crig backup /var/backups/crig/ && \
        find /var/backups/crig/ -name 'crig-backup-*.tar.gz' -mtime +30 -delete

What is in the archive and how it is restored: ``crig.core.backup``.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from crig.core.backup import backup_create, backup_verify
from crig.core.errors import CrigError


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz) of the database and the uploaded files. "
        "DEST is the archive's path or a directory (default: var/backups/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", metavar="DEST")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, destination, no_progress, **options):
        with translation.override(settings.LANGUAGE_CODE):
            destination = Path(destination or settings.VAR_DIR / "backups")
            if destination.suffix == "" and not destination.exists():
                destination.mkdir(parents=True)
            show = not no_progress and sys.stderr.isatty()
            bar = tqdm(file=sys.stderr, disable=not show)

            def progress(stage: str, done: int, total) -> None:
                bar.total = total
                bar.set_description(stage)
                bar.update(done - bar.n)

            try:
                archive = backup_create(destination=destination, progress=progress)
                manifest = backup_verify(archive=archive)
            except CrigError as error:
                raise CommandError(str(error.message)) from error
            finally:
                bar.close()
            rows = sum(entry["count"] for entry in manifest["models"])
            self.stdout.write(
                _(
                    "%(rows)d rows of %(models)d tables and %(files)d files "
                    "(%(bytes)s bytes) saved."
                )
                % {
                    "rows": rows,
                    "models": len(manifest["models"]),
                    "files": manifest["files"]["count"],
                    "bytes": manifest["files"]["bytes"],
                }
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _("Backup written to %(path)s (%(size)d kB), checked.")
                    % {"path": archive, "size": archive.stat().st_size // 1024}
                )
            )
