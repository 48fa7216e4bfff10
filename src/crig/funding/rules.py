"""Who may see and do what with funding requests — written once, used by pages,
API, exports, maps and the register.

Confidential until its opinion is published: a request's file (everything but the
public summary and the opinion) is seen only by the members of the applicant
organisation, the person who entered it, the reviewers seated on it who declared
no conflict of interest, the secretariat and administrators. A reviewer seated but
not yet declared sees only the declaration form; a recused reviewer sees nothing
more than the public. Once published, the request's title, public summary, theme,
territory, signatory, amount and the opinion enter the public register; the rest
of the file stays confidential.

Predicates receive ``(user, obj)``; ``obj`` is a ``FundingRequest``, a
``ReviewerSeat`` or an ``Opinion`` as the permission says.
"""

import rules

from crig.funding.models import FundingRequest, ReviewerSeat
from crig.members.models import Membership
from crig.members.rules import is_active_person, is_administrator, is_secretariat

is_staff_role = is_secretariat | is_administrator

BEFORE_OPINION = (
    FundingRequest.State.SUBMITTED,
    FundingRequest.State.ADMISSIBLE,
    FundingRequest.State.UNDER_REVIEW,
)


@rules.predicate
def is_applicant_member(user, request) -> bool:
    return (
        is_active_person(user)
        and request is not None
        and user.memberships.filter(organisation_id=request.applicant_id).exists()
    )


@rules.predicate
def is_applicant_referent(user, request) -> bool:
    return (
        is_active_person(user)
        and request is not None
        and user.memberships.filter(
            organisation_id=request.applicant_id, role=Membership.Role.REFERENT
        ).exists()
    )


@rules.predicate
def entered_it(user, request) -> bool:
    return (
        is_active_person(user)
        and request is not None
        and request.entered_by_id == user.pk
    )


@rules.predicate
def is_cleared_reviewer(user, request) -> bool:
    """Seated on the request and declared no conflict of interest."""
    return (
        is_active_person(user)
        and request is not None
        and request.reviewer_seats.filter(
            reviewer=user, conflict=ReviewerSeat.Conflict.NONE
        ).exists()
    )


@rules.predicate
def is_seated_reviewer(user, request) -> bool:
    return (
        is_active_person(user)
        and request is not None
        and request.reviewer_seats.filter(reviewer=user).exists()
    )


@rules.predicate
def is_seat_holder(user, seat) -> bool:
    return is_active_person(user) and seat is not None and seat.reviewer_id == user.pk


@rules.predicate
def is_draft(user, request) -> bool:
    return request is not None and request.state == FundingRequest.State.DRAFT


@rules.predicate
def is_under_review(user, request) -> bool:
    return request is not None and request.state == FundingRequest.State.UNDER_REVIEW


@rules.predicate
def is_withdrawable(user, request) -> bool:
    return request is not None and request.state in (
        FundingRequest.State.DRAFT,
        *BEFORE_OPINION,
    )


@rules.predicate
def is_published_request(user, request) -> bool:
    return request is not None and request.state == FundingRequest.State.PUBLISHED


@rules.predicate
def is_published_opinion(user, opinion) -> bool:
    return opinion is not None and opinion.published_at is not None


@rules.predicate
def belongs_to_an_organisation(user) -> bool:
    return is_active_person(user) and user.memberships.exists()


@rules.predicate
def is_seat_undeclared(user, seat) -> bool:
    return seat is not None and seat.conflict == ReviewerSeat.Conflict.UNDECLARED


can_see_file = is_applicant_member | entered_it | is_cleared_reviewer | is_staff_role

# Requests
rules.add_perm("funding.view_request", can_see_file)
rules.add_perm("funding.view_public_summary", can_see_file | is_published_request)
rules.add_perm("funding.add_request", belongs_to_an_organisation)
rules.add_perm("funding.change_request", is_draft & (is_applicant_member | entered_it))
rules.add_perm("funding.submit_request", is_draft & (is_applicant_member | entered_it))
rules.add_perm(
    "funding.withdraw_request",
    is_withdrawable & (is_applicant_referent | entered_it | is_staff_role),
)
rules.add_perm("funding.add_attachment", is_draft & (is_applicant_member | entered_it))
rules.add_perm("funding.view_audit", is_staff_role)
# The secretariat runs the procedure
rules.add_perm("funding.decide_admissibility", is_staff_role)
rules.add_perm("funding.assign_reviewers", is_staff_role)
rules.add_perm("funding.start_review", is_staff_role)
rules.add_perm("funding.issue_opinion", is_staff_role)
rules.add_perm("funding.publish_opinion", is_staff_role)
rules.add_perm("funding.correct_opinion", is_staff_role)
# Reviewers
rules.add_perm("funding.declare_conflict", is_seat_holder & is_seat_undeclared)
rules.add_perm("funding.record_position", is_under_review & is_cleared_reviewer)
rules.add_perm("funding.view_analysis", can_see_file)


# Opinions: a published opinion is public; an unpublished one goes with its file.
@rules.predicate
def sees_request_file(user, opinion) -> bool:
    return opinion is not None and can_see_file.test(user, opinion.request)


rules.add_perm("funding.view_opinion", is_published_opinion | sees_request_file)
