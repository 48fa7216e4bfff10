"""The catalogue part of a person's data: records created by hand, harvests
started, duplicate decisions, and records whose metadata name the address as the
producer's contact.

Nothing is erased here: the producer's address comes from the source platform's
metadata (it would come back at the next harvest; the person asks the platform),
and the rest is the catalogue's history, kept with the anonymised account.
"""

from crig.catalog.models import Dataset, DuplicateCandidate, HarvestRun
from crig.core.privacy import Person, PersonalDataProvider, rows


def export(person: Person) -> dict:
    data = {}
    if person.email:
        data["records_naming_this_address"] = rows(
            Dataset.objects.filter(producer_email__iexact=person.email),
            "identifier",
            "title",
            "producer_name",
        )
    if person.user is not None:
        data["records_created"] = rows(
            Dataset.objects.filter(created_by=person.user), "identifier", "title"
        )
        data["harvests_started"] = rows(
            HarvestRun.objects.filter(triggered_by=person.user),
            "source__name",
            "started_at",
        )
        data["duplicate_decisions"] = rows(
            DuplicateCandidate.objects.filter(decided_by=person.user),
            "dataset__identifier",
            "other__identifier",
            "status",
        )
    return data


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "catalog.HarvestRun.triggered_by",
        "catalog.Dataset.producer_email",
        "catalog.Dataset.created_by",
        "catalog.DuplicateCandidate.decided_by",
    ),
    export=export,
    kept="Catalogue records and their history stay; a producer's address comes from "
    "the source platform's metadata.",
)
