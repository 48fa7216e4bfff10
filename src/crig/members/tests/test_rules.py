"""The permission matrix, role by role (anonymous, member, referent of the
organisation, reviewer, secretariat, administrator)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from crig.members.tests import factories

# Expected answers for the organisation where member and referent belong.
OWN_ORGANISATION_MATRIX = {
    #                               anon   plain  member referent reviewer secr.  admin
    "members.view_organisation": (True, True, True, True, True, True, True),
    "members.view_membership_list": (False, False, True, True, False, True, True),
    "members.invite_to_organisation": (False, False, False, True, False, True, True),
    "members.manage_memberships": (False, False, False, True, False, True, True),
    "members.change_organisation": (False, False, False, True, False, True, True),
    "members.set_organisation_perimeter": (
        False, False, False, False, False, True, True,
    ),
    "members.delete_organisation": (False, False, False, False, False, False, True),
}  # fmt: skip
ROLES = [
    "anonymous",
    "plain_user",
    "member_user",
    "referent_user",
    "reviewer_user",
    "secretariat_user",
    "admin_user",
]


def _person(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize(
    ("perm", "role", "expected"),
    [
        (perm, role, answers[index])
        for perm, answers in OWN_ORGANISATION_MATRIX.items()
        for index, role in enumerate(ROLES)
    ],
)
def test_permissions_on_own_organisation(request, organisation, perm, role, expected):
    person = _person(request, role)

    assert person.has_perm(perm, organisation) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("member_user", False),
        ("referent_user", False),
        ("reviewer_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
@pytest.mark.parametrize(
    "perm",
    [
        "members.view_membership_list",
        "members.invite_to_organisation",
        "members.manage_memberships",
        "members.change_organisation",
    ],
)
def test_a_referent_has_no_power_over_another_organisation(
    request, other_organisation, perm, role, expected
):
    person = _person(request, role)

    assert person.has_perm(perm, other_organisation) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("member_user", False),
        ("referent_user", False),
        ("reviewer_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
@pytest.mark.parametrize(
    "perm",
    [
        "members.use_admin",
        "members.add_organisation",
        "members.change_signatory",
        "members.add_membership",
        "members.invite_without_organisation",
    ],
)
def test_platform_permissions(request, perm, role, expected):
    assert _person(request, role).has_perm(perm) is expected


def test_granting_platform_roles_is_for_administrators(secretariat_user, admin_user):
    assert not secretariat_user.has_perm("members.grant_platform_roles")
    assert admin_user.has_perm("members.grant_platform_roles")


def test_the_secretariat_cannot_edit_an_administrator(
    secretariat_user, admin_user, member_user
):
    assert secretariat_user.has_perm("members.change_user", member_user)
    assert not secretariat_user.has_perm("members.change_user", admin_user)
    assert admin_user.has_perm("members.change_user", secretariat_user)


def test_a_closed_account_loses_every_permission(organisation, referent_user):
    referent_user.is_active = False
    referent_user.save()

    assert not referent_user.has_perm("members.invite_to_organisation", organisation)
    assert not referent_user.has_perm("members.view_membership_list", organisation)


def test_a_person_revokes_only_their_own_tokens(member_user, referent_user, admin_user):
    token = factories.ApiTokenFactory(person=member_user)

    assert member_user.has_perm("members.revoke_apitoken", token)
    assert not referent_user.has_perm("members.revoke_apitoken", token)
    assert admin_user.has_perm("members.revoke_apitoken", token)
