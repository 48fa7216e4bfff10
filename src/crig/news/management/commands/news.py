"""``crig news``: the digests' scheduled work, and a preview.

``crig news send --frequency …`` records the digests due and enqueues their
sending (django-tasks; the worker ``crig db_worker`` sends them). Meant for cron
or a systemd timer, e.g.::

    */10 * * * * crig news send --frequency immediate
    0 7 * * *    crig news send --frequency daily
    0 7 * * 1    crig news send --frequency weekly

Running it twice is harmless: a period already recorded is not recorded again
and a sent delivery is never sent again; failed ones are retried by the next run.

``crig news preview --person EMAIL --frequency weekly`` prints the person's next
digest (subject and text) without recording or sending anything.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import CrigError
from crig.members.models import User
from crig.news import selectors
from crig.news.models import Subscription
from crig.news.services import deliveries_run, subscription_unsubscribe_url


class Command(BaseCommand):
    help = "News: send the digests due, or preview a person's next digest."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        send = sub.add_parser(
            "send", help="Record the digests due and enqueue their sending."
        )
        send.add_argument(
            "--frequency", required=True, choices=Subscription.Frequency.values
        )
        preview = sub.add_parser(
            "preview", help="Print a person's next digest without sending it."
        )
        preview.add_argument("--person", required=True, help="The person's e-mail.")
        preview.add_argument(
            "--frequency",
            default=Subscription.Frequency.WEEKLY,
            choices=Subscription.Frequency.values,
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                if options["subcommand"] == "send":
                    self.send(options["frequency"])
                else:
                    self.preview(options["person"], options["frequency"])
            except CrigError as error:
                raise CommandError(str(error.message)) from error

    def send(self, frequency: str) -> None:
        count = deliveries_run(frequency=frequency)
        self.stdout.write(
            ngettext(
                "%(count)d digest to send, handed to the background worker.",
                "%(count)d digests to send, handed to the background worker.",
                count,
            )
            % {"count": count}
        )

    def preview(self, email: str, frequency: str) -> None:
        person = User.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(_("Nobody has the e-mail %(email)s.") % {"email": email})
        subscription = Subscription.objects.filter(person=person).first()
        if subscription is None:
            raise CommandError(
                _("%(email)s has no subscription.") % {"email": person.email}
            )
        start, end = selectors.digest_period(
            person=person, frequency=frequency, now=None
        )
        entries = selectors.digest_entries(person=person, start=start, end=end)
        if not entries:
            self.stdout.write(
                _("Nothing new for %(email)s: no digest would be sent.")
                % {"email": person.email}
            )
            return
        rendered = selectors.digest_render(
            person=person,
            frequency=frequency,
            start=start,
            end=end,
            items=[selectors.entry_record(entry) for entry in entries],
            unsubscribe_url=subscription_unsubscribe_url(subscription),
        )
        self.stdout.write(_("To: %(email)s") % {"email": person.email})
        self.stdout.write(_("Subject: %(subject)s") % {"subject": rendered.subject})
        self.stdout.write("")
        self.stdout.write(rendered.text)
