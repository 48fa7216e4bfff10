"""Every permission of ``needs/rules.py`` for every role. Administrators pass every
check, as superusers do in Django."""

import pytest
from django.contrib.auth.models import AnonymousUser

from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory
from crig.needs.models import Need, Round
from crig.needs.tests.factories import NeedFactory, RoundFactory, SupportFactory

ROLES = [
    "anonymous",
    "plain",
    "author",  # a member of the need's organisation who wrote it
    "colleague",  # another member of the need's organisation
    "referent",  # a referent of the need's organisation
    "other_member",  # a member of another organisation
    "secretariat",
    "admin",
]


@pytest.fixture
def people(
    plain_user,
    member_user,
    referent_user,
    other_member_user,
    secretariat_user,
    admin_user,
    organisation,
):
    colleague = MembershipFactory(
        person__email="colleague@example.org",
        organisation=organisation,
        role=Membership.Role.MEMBER,
    ).person
    return {
        "anonymous": AnonymousUser(),
        "plain": plain_user,
        "author": member_user,
        "colleague": colleague,
        "referent": referent_user,
        "other_member": other_member_user,
        "secretariat": secretariat_user,
        "admin": admin_user,
    }


def _allowed(people, perm, obj):
    return {role for role in ROLES if people[role].has_perm(perm, obj)}


def _need(organisation, member_user, state):
    return NeedFactory(organisation=organisation, author=member_user, state=state)


EVERYONE = set(ROLES)


@pytest.mark.parametrize(
    ("perm", "state", "expected"),
    [
        ("needs.view_need", "new", EVERYONE),
        ("needs.view_need", "merged", EVERYONE),
        ("needs.view_need", "draft", {"author", "admin"}),
        ("needs.change_need", "draft", {"author", "referent", "admin"}),
        ("needs.change_need", "new", {"author", "referent", "secretariat", "admin"}),
        ("needs.change_need", "qualified", {"secretariat", "admin"}),
        ("needs.submit_need", "draft", {"author", "admin"}),
        ("needs.delete_need", "draft", {"author", "admin"}),
        ("needs.delete_need", "new", {"admin"}),
        (
            "needs.add_attachment",
            "new",
            {"author", "colleague", "referent", "secretariat", "admin"},
        ),
        ("needs.add_attachment", "draft", {"author", "colleague", "referent", "admin"}),
        ("needs.add_attachment", "retained", {"secretariat", "admin"}),
        ("needs.qualify_need", "new", {"secretariat", "admin"}),
        ("needs.qualify_need", "draft", {"admin"}),
        ("needs.merge_need", "qualified", {"secretariat", "admin"}),
        ("needs.merge_need", "draft", {"admin"}),
        ("needs.split_need", "retained", {"secretariat", "admin"}),
        ("needs.split_need", "draft", {"admin"}),
        ("needs.support_need", "new", {"other_member", "admin"}),
        ("needs.support_need", "retained", {"other_member", "admin"}),
        ("needs.support_need", "draft", {"admin"}),
        ("needs.support_need", "satisfied", {"admin"}),
        ("needs.support_need", "rejected", {"admin"}),
    ],
)
def test_need_permissions(people, organisation, member_user, perm, state, expected):
    need = _need(organisation, member_user, state)

    assert _allowed(people, perm, need) == expected


def test_an_organisation_that_supports_already_cannot_support_again(
    people, need, other_organisation
):
    SupportFactory(need=need, organisation=other_organisation)

    assert _allowed(people, "needs.support_need", need) == {"admin"}


def test_add_need_is_for_members_of_an_organisation(people):
    assert _allowed(people, "needs.add_need", None) == {
        "author",
        "colleague",
        "referent",
        "other_member",
        "admin",
    }


def test_change_support(people, need, other_organisation, other_member_user):
    support = SupportFactory(
        need=need, organisation=other_organisation, author=other_member_user
    )
    referent_of_supporter = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.REFERENT
    ).person

    assert _allowed(people, "needs.change_support", support) == {
        "other_member",
        "secretariat",
        "admin",
    }
    assert referent_of_supporter.has_perm("needs.change_support", support)


@pytest.mark.parametrize("perm", ["needs.publish_weights", "needs.manage_rounds"])
def test_weights_and_rounds_are_the_secretariats(people, perm):
    assert _allowed(people, perm, None) == {"secretariat", "admin"}


@pytest.mark.parametrize(
    ("perm", "state", "expected"),
    [
        ("needs.view_round", Round.State.DRAFT, {"secretariat", "admin"}),
        ("needs.view_round", Round.State.OPEN, EVERYONE),
        ("needs.view_round", Round.State.CLOSED, EVERYONE),
        ("needs.vote_round", Round.State.OPEN, {"referent", "admin"}),
        ("needs.vote_round", Round.State.DRAFT, {"admin"}),
        ("needs.vote_round", Round.State.CLOSED, {"admin"}),
    ],
)
def test_round_permissions(people, perm, state, expected):
    assert _allowed(people, perm, RoundFactory(state=state)) == expected


def test_a_closed_account_passes_no_rule(people, need, member_user):
    member_user.is_active = False
    member_user.save()

    assert not member_user.has_perm("needs.change_need", need)
    assert not member_user.has_perm("needs.add_need")


def test_states_cover_every_need_state():
    # A new state would need its row in the tables above.
    assert set(Need.State.values) == {
        "draft",
        "new",
        "qualified",
        "retained",
        "satisfied",
        "rejected",
        "merged",
    }


def test_an_author_who_left_the_organisation_may_no_longer_change_the_need(
    need, member_user
):
    assert member_user.has_perm("needs.change_need", need)

    member_user.memberships.filter(organisation=need.organisation).delete()

    assert not member_user.has_perm("needs.change_need", need)
