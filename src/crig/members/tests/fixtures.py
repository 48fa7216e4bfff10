"""Members fixtures, a pytest plugin registered by the root ``conftest.py``.

One person per role, around two organisations: ``organisation`` (where the member and
the referent belong) and ``other_organisation`` (where nobody of these belongs).
"""

import pytest

from crig.members.models import Membership, Organisation
from crig.members.tests import factories

PASSWORD = factories.PASSWORD


@pytest.fixture
def organisation(db) -> Organisation:
    return factories.OrganisationFactory(
        name="Conseil départemental de la Haute-Garonne",
        slug="conseil-departemental-de-la-haute-garonne",
        acronym="CD31",
        category=Organisation.Category.COLLECTIVITE,
    )


@pytest.fixture
def other_organisation(db) -> Organisation:
    return factories.OrganisationFactory(
        name="Université de Montpellier",
        slug="universite-de-montpellier",
        acronym="UM",
        category=Organisation.Category.ACADEMIQUE,
    )


@pytest.fixture
def signatory(db):
    return factories.SignatoryFactory(
        organisation__name="Région Occitanie",
        organisation__slug="region-occitanie",
        organisation__category=Organisation.Category.COLLECTIVITE,
    )


@pytest.fixture
def plain_user(db):
    """Signed up, in no organisation and with no role."""
    return factories.UserFactory(email="plain@example.org", full_name="Paul Plain")


@pytest.fixture
def member_user(organisation):
    return factories.MembershipFactory(
        person__email="member@example.org",
        person__full_name="Marie Membre",
        organisation=organisation,
        role=Membership.Role.MEMBER,
    ).person


@pytest.fixture
def referent_user(organisation):
    return factories.MembershipFactory(
        person__email="referent@example.org",
        person__full_name="Rémi Référent",
        organisation=organisation,
        role=Membership.Role.REFERENT,
    ).person


@pytest.fixture
def reviewer_user(signatory):
    return factories.ReviewerAssignmentFactory(
        person__email="reviewer@example.org",
        person__full_name="Rita Relectrice",
        signatory=signatory,
    ).person


@pytest.fixture
def secretariat_user(db):
    return factories.UserFactory(
        email="secretariat@example.org",
        full_name="Sophie Secrétariat",
        is_secretariat=True,
        is_staff=True,
    )


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(
        email="admin@example.org",
        full_name="Adam Admin",
        is_superuser=True,
        is_staff=True,
    )
