"""``crig funding``: the funding procedure's scheduled work.

``crig funding remind`` is meant for cron or a systemd timer once a day::

    0 8 * * * crig funding remind

It e-mails the reviewers who have not declared their interests, and those of
the signatories without a position, on requests whose deadline is within a week
or past; a seat gets at most one reminder a day, so running it twice is harmless.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import CrigError
from crig.funding.services import reviewers_remind


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = "The funding procedure: reminders to reviewers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        remind = sub.add_parser(
            "remind", help="E-mail the reviewers whose deadline is near or past."
        )
        remind.add_argument(
            "--today", default="", help="Act as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if options["subcommand"] == "remind":
                self.remind(options["today"])

    def remind(self, today: str) -> None:
        try:
            count = reviewers_remind(today=_date(today) if today else None)
        except CrigError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", count)
            % {"count": count}
        )
