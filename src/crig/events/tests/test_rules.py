"""Every events permission for every role: anonymous, plain user, member, referent,
signatory member, reviewer, secretariat, administrator (and a closed account)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from crig.events.tests.factories import EventFactory, RegistrationFactory
from crig.members.tests.factories import MembershipFactory

ROLES = [
    "anonymous",
    "plain_user",
    "member_user",
    "referent_user",
    "signatory_member",
    "reviewer_user",
    "secretariat_user",
    "admin_user",
]
COUNCIL = {"signatory_member", "reviewer_user", "secretariat_user", "admin_user"}
STAFF = {"secretariat_user", "admin_user"}


@pytest.fixture
def signatory_member(signatory):
    return MembershipFactory(
        organisation=signatory.organisation, person__email="sig@example.org"
    ).person


def _user(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
def test_meetings(request, role, meeting, draft_meeting):
    user = _user(request, role)

    assert user.has_perm("events.view_meeting", meeting) is True
    assert user.has_perm("events.view_meeting", draft_meeting) is (role in COUNCIL)
    assert user.has_perm("events.view_meeting_confidential", meeting) is (
        role in COUNCIL
    )
    assert user.has_perm("events.change_meeting", meeting) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_events(request, role, event):
    user = _user(request, role)
    draft = EventFactory(state="draft")
    cancelled = EventFactory(state="cancelled")

    assert user.has_perm("events.view_event", event) is True
    assert user.has_perm("events.view_event", cancelled) is True
    assert user.has_perm("events.view_event", draft) is (role in STAFF)
    assert user.has_perm("events.view_stats", event) is True
    assert user.has_perm("events.view_stats", draft) is (role in STAFF)
    assert user.has_perm("events.change_event", event) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_personal_data_is_for_the_staff_only(request, role, event):
    user = _user(request, role)

    assert user.has_perm("events.view_registrations", event) is (role in STAFF)
    assert user.has_perm("events.check_in", event) is (role in STAFF)
    assert user.has_perm("events.export_registrations", event) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES[1:])
def test_a_person_sees_their_own_registration_only(request, role, event):
    user = _user(request, role)
    own = RegistrationFactory(event=event, person=user)
    other = RegistrationFactory(event=event)

    assert user.has_perm("events.view_own_registration", own) is True
    assert user.has_perm("events.view_own_registration", other) is (role in STAFF)


def test_an_anonymous_person_has_no_registration_of_their_own(event):
    registration = RegistrationFactory(event=event)

    assert AnonymousUser().has_perm("events.view_own_registration", registration) is (
        False
    )


def test_a_closed_secretariat_account_passes_no_rule(secretariat_user, draft_meeting):
    secretariat_user.is_active = False
    secretariat_user.save()

    assert secretariat_user.has_perm("events.view_meeting", draft_meeting) is False
    assert secretariat_user.has_perm("events.view_registrations") is False
