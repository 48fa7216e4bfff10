"""Every permission of the action plan for every role, on a published plan and
on a draft. The action is led by ``organisation`` (CD31), where ``member_user``
and ``referent_user`` belong."""

import pytest
from django.contrib.auth.models import AnonymousUser

from crig.actionplan.tests.factories import ActionFactory

ROLES = [
    "anonymous",
    "plain_user",
    "member_user",  # member of the lead organisation
    "other_member_user",  # member of another organisation
    "referent_user",  # referent of the lead organisation
    "signatory_member_user",
    "reviewer_user",
    "secretariat_user",
    "admin_user",
]
EDITORS = {"signatory_member_user", "reviewer_user", "secretariat_user", "admin_user"}
LEADS = {"member_user", "referent_user"}

# perm → (roles allowed on a published plan, roles allowed on a draft)
EXPECTED = {
    "actionplan.view_plan": (set(ROLES), EDITORS),
    "actionplan.view_action": (set(ROLES), EDITORS),
    "actionplan.change_plan": (EDITORS, EDITORS),
    "actionplan.change_action": (EDITORS, EDITORS),
    "actionplan.update_progress": (EDITORS | LEADS, EDITORS),
}


def _person(request, role):
    if role == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(role)


@pytest.fixture
def draft_action(draft_plan, organisation):
    return ActionFactory(plan=draft_plan, leads=[organisation])


@pytest.mark.parametrize("perm", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ["published", "draft"])
def test_permission_per_role(request, action, draft_action, perm, role, state):
    # Given the action of the published plan, or one of the draft plan.
    user = _person(request, role)
    target = action if state == "published" else draft_action
    obj = target.plan if perm.endswith("_plan") else target
    allowed = EXPECTED[perm][0 if state == "published" else 1]

    assert user.has_perm(perm, obj) is (role in allowed)


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_plan_needs_no_object(request, role, db):
    user = _person(request, role)

    assert user.has_perm("actionplan.change_plan", None) is (role in EDITORS)


def test_a_closed_account_of_a_lead_passes_no_rule(action, member_user):
    member_user.is_active = False
    member_user.save()

    assert not member_user.has_perm("actionplan.update_progress", action)
