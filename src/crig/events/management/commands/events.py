"""``crig events``: the events' scheduled work.

``crig events remind`` is meant for cron or a systemd timer once a day::

    0 8 * * * crig events remind

It e-mails the confirmed registrants of the events starting within two days;
each registrant gets one reminder, so running it twice is harmless.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import CrigError
from crig.events.services import registrations_remind


def _moment(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("“%(value)s” is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM).")
            % {"value": value}
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Events: reminders to registrants."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        remind = sub.add_parser(
            "remind",
            help="E-mail the confirmed registrants of events starting within 2 days.",
        )
        remind.add_argument(
            "--now", default="", help="Act as if it were this moment (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if options["subcommand"] == "remind":
                self.remind(options["now"])

    def remind(self, now: str) -> None:
        try:
            count = registrations_remind(now=_moment(now) if now else None)
        except CrigError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            ngettext(
                "%(count)d reminder sent to registrants.",
                "%(count)d reminders sent to registrants.",
                count,
            )
            % {"count": count}
        )
