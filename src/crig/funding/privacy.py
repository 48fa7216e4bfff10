"""The funding part of a person's data: requests entered, attachments, reviewer
seats, positions recorded, opinions issued and audit entries.

Nothing is erased here: opinions and their audit trail are the council's record
and must say who acted; they keep the anonymised account ("closed account").
"""

from crig.core.privacy import Person, PersonalDataProvider, rows
from crig.funding.models import (
    AuditEntry,
    FundingRequest,
    Opinion,
    RequestAttachment,
    ReviewerSeat,
    SignatoryPosition,
)


def export(person: Person) -> dict:
    user = person.user
    if user is None:
        return {}
    return {
        "requests_entered": rows(
            FundingRequest.objects.filter(entered_by=user), "reference", "title"
        ),
        "attachments_uploaded": rows(
            RequestAttachment.objects.filter(uploaded_by=user),
            "request__reference",
            "name",
            "size",
        ),
        "reviewer_seats": rows(
            ReviewerSeat.objects.filter(reviewer=user),
            "request__reference",
            "signatory__organisation__name",
            "conflict",
            "conflict_statement",
            "declared_at",
        ),
        "reviewer_seats_assigned": rows(
            ReviewerSeat.objects.filter(assigned_by=user), "request__reference"
        ),
        "positions_recorded": rows(
            SignatoryPosition.objects.filter(recorded_by=user),
            "request__reference",
            "signatory__organisation__name",
            "position",
            "comments",
            "scores",
        ),
        "opinions_issued": rows(
            Opinion.objects.filter(issued_by=user),
            "request__reference",
            "version",
            "issued_at",
        ),
        "audit_entries": rows(
            AuditEntry.objects.filter(actor=user), "request__reference", "action", "at"
        ),
    }


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "funding.FundingRequest.entered_by",
        "funding.RequestAttachment.uploaded_by",
        "funding.ReviewerSeat.reviewer",
        "funding.ReviewerSeat.assigned_by",
        "funding.SignatoryPosition.recorded_by",
        "funding.Opinion.issued_by",
        "funding.AuditEntry.actor",
    ),
    export=export,
    kept="Opinions, positions, reviewer seats and the audit trail are the council's "
    "record: they keep the anonymised account.",
)
