"""The permission matrix of ``crig.funding.rules``: every permission, for every
role, in the states where it matters.

Administrators are superusers: Django grants them every permission (the services
that need a specific role — a seated reviewer, the seat holder — check it with the
predicates themselves, see test_services_review.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.funding.models import FundingRequest, ReviewerSeat
from crig.funding.tests.factories import (
    FundingRequestFactory,
    OpinionFactory,
    ReviewerSeatFactory,
)
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory, ReviewerAssignmentFactory

State = FundingRequest.State
ROLES = [
    "anonymous",
    "plain",
    "member",
    "other_member",
    "referent",
    "entered_it",
    "reviewer_not_seated",
    "seated_undeclared",
    "cleared",
    "recused",
    "secretariat",
    "admin",
]
FILE_SEERS = {"member", "referent", "entered_it", "cleared", "secretariat", "admin"}
STAFF = {"secretariat", "admin"}
# Drafts are changed by the applicant's members and whoever entered them.
EDITORS = {"member", "referent", "entered_it", "admin"}


@pytest.fixture
def world(
    territory,
    organisation,
    other_organisation,
    signatory,
    plain_user,
    member_user,
    referent_user,
    secretariat_user,
    admin_user,
):
    """A request of ``organisation`` entered by a member of the signatory's
    organisation (its staff), and one person per role."""
    staff = MembershipFactory(
        organisation=signatory.organisation, person__full_name="Solène Signataire"
    ).person
    request = FundingRequestFactory(
        applicant=organisation, signatory=signatory, entered_by=staff
    )

    def reviewer(conflict=None):
        person = ReviewerAssignmentFactory(signatory=signatory).person
        if conflict is not None:
            ReviewerSeatFactory(
                request=request, signatory=signatory, reviewer=person, conflict=conflict
            )
        return person

    people = {
        "anonymous": AnonymousUser(),
        "plain": plain_user,
        "member": member_user,
        "other_member": MembershipFactory(organisation=other_organisation).person,
        "referent": referent_user,
        "entered_it": staff,
        "reviewer_not_seated": reviewer(),
        "seated_undeclared": reviewer(ReviewerSeat.Conflict.UNDECLARED),
        "cleared": reviewer(ReviewerSeat.Conflict.NONE),
        "recused": reviewer(ReviewerSeat.Conflict.CONFLICT),
        "secretariat": secretariat_user,
        "admin": admin_user,
    }
    assert member_user.memberships.get().role == Membership.Role.MEMBER
    return request, people


def _in_state(request, state):
    FundingRequest.objects.filter(pk=request.pk).update(state=state)
    request.refresh_from_db()
    return request


def _matrix(people, perm, obj):
    return {role: people[role].has_perm(perm, obj) for role in ROLES}


def _expected(allowed):
    return {role: role in allowed for role in ROLES}


REQUEST_PERMS = [
    ("funding.view_request", State.DRAFT, FILE_SEERS),
    ("funding.view_request", State.SUBMITTED, FILE_SEERS),
    ("funding.view_request", State.PUBLISHED, FILE_SEERS),
    ("funding.view_analysis", State.UNDER_REVIEW, FILE_SEERS),
    ("funding.view_public_summary", State.UNDER_REVIEW, FILE_SEERS),
    ("funding.view_public_summary", State.PUBLISHED, set(ROLES)),
    (
        "funding.change_request",
        State.DRAFT,
        {"member", "referent", "entered_it", "admin"},
    ),
    ("funding.change_request", State.SUBMITTED, {"admin"}),
    (
        "funding.submit_request",
        State.DRAFT,
        {"member", "referent", "entered_it", "admin"},
    ),
    ("funding.submit_request", State.SUBMITTED, {"admin"}),
    (
        "funding.add_attachment",
        State.DRAFT,
        {"member", "referent", "entered_it", "admin"},
    ),
    ("funding.add_attachment", State.UNDER_REVIEW, {"admin"}),
    (
        "funding.withdraw_request",
        State.UNDER_REVIEW,
        {"referent", "entered_it", "secretariat", "admin"},
    ),
    ("funding.withdraw_request", State.OPINION_ISSUED, {"admin"}),
    ("funding.view_audit", State.SUBMITTED, STAFF),
    ("funding.decide_admissibility", State.SUBMITTED, STAFF),
    ("funding.assign_reviewers", State.SUBMITTED, STAFF),
    ("funding.start_review", State.ADMISSIBLE, STAFF),
    ("funding.issue_opinion", State.UNDER_REVIEW, STAFF),
    ("funding.publish_opinion", State.OPINION_ISSUED, STAFF),
    ("funding.correct_opinion", State.PUBLISHED, STAFF),
    ("funding.record_position", State.UNDER_REVIEW, {"cleared", "admin"}),
    ("funding.record_position", State.ADMISSIBLE, {"admin"}),
]


@pytest.mark.parametrize(("perm", "state", "allowed"), REQUEST_PERMS)
def test_request_permissions_per_role(world, perm, state, allowed):
    request, people = world
    _in_state(request, state)

    assert _matrix(people, perm, request) == _expected(allowed)


def test_adding_a_request_takes_an_organisation(world):
    _request, people = world

    assert _matrix(people, "funding.add_request", None) == _expected(
        {"member", "other_member", "referent", "entered_it", "admin"}
    )


def test_only_the_seat_holder_declares_and_only_once(world):
    request, people = world
    undeclared = request.reviewer_seats.get(reviewer=people["seated_undeclared"])
    cleared = request.reviewer_seats.get(reviewer=people["cleared"])

    assert _matrix(people, "funding.declare_conflict", undeclared) == _expected(
        {"seated_undeclared", "admin"}
    )
    assert _matrix(people, "funding.declare_conflict", cleared) == _expected({"admin"})


def test_an_unpublished_opinion_goes_with_its_file(world):
    request, people = world
    opinion = OpinionFactory(request=_in_state(request, State.OPINION_ISSUED))

    assert _matrix(people, "funding.view_opinion", opinion) == _expected(FILE_SEERS)


def test_a_published_opinion_is_public(world):
    request, people = world
    opinion = OpinionFactory(
        request=_in_state(request, State.PUBLISHED), published_at=timezone.now()
    )

    assert _matrix(people, "funding.view_opinion", opinion) == _expected(set(ROLES))


def test_a_closed_account_sees_nothing(world):
    request, people = world
    member = people["member"]
    member.is_active = False
    member.save()

    assert not member.has_perm("funding.view_request", request)
    assert not member.has_perm("funding.add_request")
