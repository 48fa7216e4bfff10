"""The members part of a person's data: the account, roles, invitations, tokens.

Erased last (``order``): the other apps find the person's rows through the account
and its address before the account is anonymised.
"""

from django.apps import apps

from crig.core.privacy import Person, PersonalDataProvider, iso
from crig.members.models import Invitation
from crig.members.services.accounts import user_anonymise, user_export_data

ERASED_INVITATION_EMAIL = "erased-invitation@invalid.invalid"


def export(person: Person) -> dict:
    data = user_export_data(user=person.user) if person.user else {}
    received = Invitation.objects.filter(email__iexact=person.email).select_related(
        "organisation"
    )
    data["sign_in_records"] = [
        {
            "ip_address": record.ip_address,
            "user_agent": record.user_agent,
            "at": iso(record.attempt_time),
        }
        for records in _sign_in_records(person)
        for record in records
    ]
    data["invitations_received"] = [
        {
            "organisation": invitation.organisation.name
            if invitation.organisation
            else None,
            "role": invitation.role,
            "sent_at": iso(invitation.created_at),
            "accepted_at": iso(invitation.accepted_at),
        }
        for invitation in received.order_by("created_at")
    ]
    return data


def _sign_in_records(person: Person) -> list:
    """The login lockout's records of the address (django-axes: failed attempts,
    with the IP address and browser)."""
    if not person.email or not apps.is_installed("axes"):
        return []
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [
        model.objects.filter(username__iexact=person.email)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    ]


def erase(person: Person) -> dict:
    records = _sign_in_records(person)
    done = {"sign_in_records": sum(found.delete()[0] for found in records)}
    if person.user is not None:
        done |= user_anonymise(user=person.user)
    else:
        done["invitations_received"] = Invitation.objects.filter(
            email__iexact=person.email
        ).update(email=ERASED_INVITATION_EMAIL)
    return {what: count for what, count in done.items() if count}


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "members.User.email",
        "members.Membership.person",
        "members.ReviewerAssignment.person",
        "members.Invitation.email",
        "members.Invitation.invited_by",
        "members.Invitation.accepted_by",
        "members.ApiToken.person",
    ),
    export=export,
    erase=erase,
    kept="Invitations sent keep their (anonymised) author.",
    order=1000,
)
