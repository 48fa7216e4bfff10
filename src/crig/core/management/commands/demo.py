from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crig.actionplan import demo as actionplan_demo
from crig.catalog import demo as catalog_demo
from crig.core import demo as core_demo
from crig.core.errors import CrigError
from crig.events import demo as events_demo
from crig.funding import demo as funding_demo
from crig.members import demo as members_demo
from crig.members.models import Organisation, User
from crig.needs import demo as needs_demo
from crig.news import demo as news_demo
from crig.territory.models import Commune
from crig.territory.services import territory_load


class Command(BaseCommand):
    help = (
        "Load the CRIG Occitanie demo: territory, home page texts, signatories, "
        "member organisations, one account per role, the reference-data "
        "catalogue and the members' needs with a prioritisation round. Safe to run "
        "twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds people or organisations.",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and (User.objects.exists() or Organisation.objects.exists()):
            self.stdout.write("The database is not empty: demo not loaded.")
            return
        try:
            if not Commune.objects.exists():
                self.stdout.write(
                    "Loading the territory (communes, EPCI, départements)…"
                )
                territory_load()
            with transaction.atomic():
                self.stdout.write("Loading the demo:")
                core_demo.load_demo(stdout=self.stdout)
                accounts = members_demo.load_demo(stdout=self.stdout)
                catalog_demo.load_demo(stdout=self.stdout)
                needs_demo.load_demo(stdout=self.stdout)
                funding_demo.load_demo(stdout=self.stdout)
                actionplan_demo.load_demo(stdout=self.stdout)
                events_demo.load_demo(stdout=self.stdout)
                news_demo.load_demo(stdout=self.stdout)
        except CrigError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(self.style.SUCCESS("CRIG Occitanie demo loaded."))
        self.stdout.write("Demo accounts (demo passwords, for this demo only):")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<28} {account.email:<40} {account.password}"
            )
