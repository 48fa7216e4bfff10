"""``crig privacy export EMAIL`` and ``crig privacy erase EMAIL``: a person's data
across the modules, for the secretariat answering a request (GDPR articles 15, 17
and 20) — also for people without an account, such as registrants of the public day.

A person with an account can do both themselves from "My account".
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from crig.core.errors import CrigError
from crig.core.privacy import person_erase, person_export, providers
from crig.members.models import User
from crig.members.services import user_erase


class Command(BaseCommand):
    help = "Export or erase everything the platform holds about a person."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="Print (or write) the person's data.")
        export.add_argument("email")
        export.add_argument("--output", help="Write the JSON to this file.")
        erase = sub.add_parser("erase", help="Erase the person in every module.")
        erase.add_argument("email")
        erase.add_argument(
            "--yes", action="store_true", help="Do it (without, only say what is kept)."
        )

    def handle(self, *args, subcommand, email, **options):
        email = email.strip()
        user = User.objects.filter(email__iexact=email).first()
        with translation.override(settings.LANGUAGE_CODE):
            if subcommand == "export":
                self._export(user, email, options.get("output"))
            else:
                self._erase(user, email, options["yes"])

    def _export(self, user, email, output):
        text = json.dumps(
            person_export(user=user, email=email), ensure_ascii=False, indent=2
        )
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(_("Written to %(path)s.") % {"path": output})
        else:
            self.stdout.write(text)

    def _erase(self, user, email, confirmed):
        if not confirmed:
            self.stdout.write(
                _("Nothing done. What would be kept afterwards, by module:")
            )
            for label, provider in providers().items():
                if provider.kept:
                    self.stdout.write(f"- {label}: {provider.kept}")
            self.stdout.write(
                _("Run again with --yes to erase %(email)s.") % {"email": email}
            )
            return
        try:
            report = (
                user_erase(user=user) if user is not None else person_erase(email=email)
            )
        except CrigError as error:
            raise CommandError(str(error)) from error
        for label, done in report.items():
            for what, count in done.items():
                self.stdout.write(f"{label}\t{what}\t{count}")
        self.stdout.write(self.style.SUCCESS(_("%(email)s erased.") % {"email": email}))
