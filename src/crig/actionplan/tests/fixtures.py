"""Action-plan fixtures, a pytest plugin registered by the root ``conftest.py``.

``action`` is led by ``organisation`` (CD31, where member_user and referent_user
belong) in the published 2024 plan; ``draft_plan`` is the 2025 draft.
"""

import pytest

from crig.actionplan.models import Plan
from crig.actionplan.tests import factories


@pytest.fixture
def plan(db):
    return factories.PlanFactory(year=2024)


@pytest.fixture
def draft_plan(db):
    return factories.PlanFactory(year=2025, state=Plan.State.DRAFT)


@pytest.fixture
def action(plan, organisation):
    return factories.ActionFactory(
        plan=plan, number=1, title="Orthophotographies", leads=[organisation]
    )


@pytest.fixture
def signatory_member_user(signatory):
    """A member of a signatory's organisation (Région Occitanie)."""
    from crig.members.models import Membership
    from crig.members.tests.factories import MembershipFactory

    return MembershipFactory(
        person__email="signataire@example.org",
        person__full_name="Sam Signataire",
        organisation=signatory.organisation,
        role=Membership.Role.MEMBER,
    ).person
