"""Needs fixtures, a pytest plugin registered by the root ``conftest.py``.

Built around the members fixtures: ``need`` is expressed by ``member_user`` in the
name of ``organisation`` (CD31), over Toulouse.
"""

import pytest

from crig.needs.models import Need
from crig.needs.tests import factories


@pytest.fixture
def need(territory, member_user, organisation) -> Need:
    return factories.NeedFactory(
        title="Orthophotographie 5 cm de Toulouse",
        organisation=organisation,
        author=member_user,
    )


@pytest.fixture
def draft_need(territory, member_user, organisation) -> Need:
    return factories.NeedFactory(
        title="Brouillon : LIDAR de la Garonne",
        organisation=organisation,
        author=member_user,
        state=Need.State.DRAFT,
        submitted_at=None,
    )


@pytest.fixture
def other_member_user(other_organisation):
    """A member of ``other_organisation`` (UM), who may support ``need``."""
    from crig.members.models import Membership
    from crig.members.tests.factories import MembershipFactory

    return MembershipFactory(
        person__email="other-member@example.org",
        person__full_name="Olga Autre",
        organisation=other_organisation,
        role=Membership.Role.MEMBER,
    ).person
