"""``crig opendata export DEST``: every public piece of data in open formats.

Meant for cron, e.g. every night into a directory the web server publishes::

    15 3 * * * crig opendata export /var/www/crig/opendata/

What is exported, in which formats and under which licences: ``crig.core.opendata``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from crig.core.opendata import opendata_export


class Command(BaseCommand):
    help = "Export the public data (CSV, GeoJSON, DCAT, Data Package) to a directory."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="Write the public data into DEST.")
        export.add_argument("destination", metavar="DEST")

    def handle(self, *args, destination, **options):
        with translation.override(settings.LANGUAGE_CODE):
            report = opendata_export(destination=Path(destination))
            for name, count in report.counts.items():
                self.stdout.write(f"{name}\t{count}")
            self.stdout.write(
                self.style.SUCCESS(
                    _("Open data written to %(path)s: %(files)d files.")
                    % {"path": report.directory, "files": len(report.files)}
                )
            )
