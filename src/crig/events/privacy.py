"""The events part of a person's data: registrations (with or without an account)
and the log of registrant exports the person made.

Erasure cancels the person's live registrations to upcoming events, then blanks
what identifies a registrant and keeps what the public day's statistics count
(status, kind of organisation, département, "came before", presence), so the
yearly figures do not change.
"""

from django.db.models import Q
from django.utils import timezone

from crig.core.privacy import Person, PersonalDataProvider, rows
from crig.events.models import PersonalDataExport, Registration
from crig.events.services import registration_cancel_on_erasure


def _registrations(person: Person):
    mine = Q(email__iexact=person.email) if person.email else Q(pk__in=[])
    if person.user is not None:
        mine |= Q(person=person.user)
    return Registration.objects.filter(mine)


def export(person: Person) -> dict:
    data = {
        "registrations": rows(
            _registrations(person),
            "event__title",
            "event__starts_at",
            "status",
            "full_name",
            "email",
            "organisation__name",
            "organisation_name",
            "category",
            "departement__code",
            "is_openig_member",
            "attended_before",
            "accessibility_needs",
            "dietary_needs",
            "consent_to_list",
            "created_at",
            "cancelled_at",
            "checked_in_at",
        )
    }
    if person.user is not None:
        data["registrant_exports_made"] = rows(
            PersonalDataExport.objects.filter(actor=person.user),
            "event__title",
            "what",
            "rows",
            "at",
        )
    return data


def erase(person: Person) -> dict:
    # A place kept for an upcoming event is given back first (the waiting list
    # moves as for any cancellation); past registrations keep their status.
    upcoming = (
        _registrations(person)
        .filter(
            event__ends_at__gte=timezone.now(),
        )
        .exclude(status=Registration.Status.CANCELLED)
    )
    for registration in upcoming.select_related("event"):
        registration_cancel_on_erasure(registration=registration)
    registrations = list(_registrations(person))
    for registration in registrations:
        registration.person = None
        registration.full_name = "—"
        registration.email = f"erased-{registration.pk}@invalid.invalid"
        registration.organisation_name = ""
        registration.accessibility_needs = ""
        registration.dietary_needs = ""
        registration.consent_to_list = False
    Registration.objects.bulk_update(
        registrations,
        [
            "person",
            "full_name",
            "email",
            "organisation_name",
            "accessibility_needs",
            "dietary_needs",
            "consent_to_list",
        ],
    )
    return {"registrations": len(registrations)} if registrations else {}


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "events.Registration.person",
        "events.Registration.email",
        "events.PersonalDataExport.actor",
    ),
    export=export,
    erase=erase,
    kept="Registrations keep what the statistics count; the log of exports keeps "
    "its (anonymised) author.",
)
