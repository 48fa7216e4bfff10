"""``crig territory load [PATH…]`` and ``crig territory info``."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from crig.territory import selectors
from crig.territory.services import (
    TerritoryInUse,
    TerritorySourceError,
    territory_load,
)


class Command(BaseCommand):
    help = "Load the region's communes, EPCI and départements, or show what is loaded."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{load,info}"
        )
        load = subcommands.add_parser(
            "load",
            help=(
                "Load the COG 2024 communes, EPCI, départements and region. Without "
                "PATH, uses the bundled 2018 outlines; with PATH, reads commune "
                "outlines from IGN ADMIN EXPRESS (shapefile, GeoPackage) or GeoJSON."
            ),
        )
        load.add_argument("paths", nargs="*", metavar="PATH")
        load.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )
        subcommands.add_parser("info", help="Count what is loaded.")

    def handle(self, *args, **options):
        # Messages follow the site's language, French for CRIG Occitanie.
        with translation.override(settings.LANGUAGE_CODE):
            if options["subcommand"] == "load":
                self.load(options["paths"], show_progress=not options["no_progress"])
            else:
                self.info()

    def load(self, paths, *, show_progress: bool):
        bar = tqdm(
            file=sys.stderr,
            disable=not show_progress or not sys.stderr.isatty(),
            unit=_("step"),
        )

        def progress(stage: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_description(stage)
            bar.update(done - bar.n)

        try:
            report = territory_load(paths or None, progress=progress)
        except (TerritorySourceError, TerritoryInUse) as exc:
            raise CommandError(
                _("%(error)s Nothing was changed.") % {"error": exc.message}
            ) from exc
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            message = _("Territory loaded in %(seconds).1f s.")
        else:
            message = _("Territory already up to date (checked in %(seconds).1f s).")
        self.stdout.write(self.style.SUCCESS(message % {"seconds": report.seconds}))

    def info(self):
        summary = selectors.region_summary()
        if summary.region is None:
            self.stdout.write(_("The territory is not loaded yet."))
            return
        self.stdout.write(
            _(
                "%(region)s (%(code)s): %(departements)d départements, %(epci)d EPCI "
                "(%(straddling)d straddling the region), %(communes)d communes."
            )
            % {
                "region": summary.region.name,
                "code": summary.region.code,
                "departements": summary.departement_count,
                "epci": summary.epci_count,
                "straddling": summary.straddling_epci_count,
                "communes": summary.commune_count,
            }
        )
