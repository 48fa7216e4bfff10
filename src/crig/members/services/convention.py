"""The CRIG convention, its signatories and their reviewers."""

from django.db import transaction

from crig.members.models import (
    Convention,
    Organisation,
    ReviewerAssignment,
    Signatory,
    User,
)
from crig.members.services._common import _require


@transaction.atomic
def convention_save(
    *,
    name: str,
    signed_on,
    term_years: int = 3,
    renewed_on=None,
) -> Convention:
    """Create the convention with this name, or update its dates."""
    convention, _created = Convention.objects.update_or_create(
        name=name,
        defaults={
            "signed_on": signed_on,
            "term_years": term_years,
            "renewed_on": renewed_on,
        },
    )
    convention.full_clean()
    return convention


@transaction.atomic
def signatory_save(
    *,
    convention: Convention,
    organisation: Organisation,
    position: int,
    role_fr: str = "",
    role_en: str = "",
    community_fr: str = "",
    community_en: str = "",
) -> Signatory:
    """Make an organisation a signatory of the convention, or update its texts."""
    signatory, _created = Signatory.objects.update_or_create(
        organisation=organisation,
        defaults={
            "convention": convention,
            "position": position,
            "role_fr": role_fr,
            "role_en": role_en,
            "community_fr": community_fr,
            "community_en": community_en,
        },
    )
    return signatory


@transaction.atomic
def reviewer_assign(
    *, person: User, signatory: Signatory, by: User | None = None
) -> ReviewerAssignment:
    """Make a person a reviewer for a signatory (secretariat or administrator)."""
    if by is not None:
        _require(by, "members.add_reviewerassignment")
    assignment, _created = ReviewerAssignment.objects.get_or_create(
        person=person, signatory=signatory
    )
    return assignment
