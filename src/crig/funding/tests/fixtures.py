"""Funding fixtures, a pytest plugin registered by the root ``conftest.py``.

Around the members fixtures: ``funding_request`` is a submitted request of
``organisation`` (CD31, where ``member_user`` and ``referent_user`` belong) that
reached ``signatory`` (Région Occitanie, whose reviewer is ``reviewer_user``).
"""

import pytest

from crig.funding.models import ReviewerSeat
from crig.funding.tests import factories
from crig.members.tests.factories import ReviewerAssignmentFactory


@pytest.fixture
def funding_request(territory, organisation, signatory, member_user):
    return factories.FundingRequestFactory(
        title="PCRS de Toulouse",
        applicant=organisation,
        signatory=signatory,
        entered_by=member_user,
    )


@pytest.fixture
def cleared_reviewer_user(funding_request, reviewer_user, signatory):
    """``reviewer_user``, seated on the request, declared no conflict."""
    factories.ReviewerSeatFactory(
        request=funding_request,
        signatory=signatory,
        reviewer=reviewer_user,
        conflict=ReviewerSeat.Conflict.NONE,
    )
    return reviewer_user


@pytest.fixture
def recused_reviewer_user(funding_request, signatory):
    """Another reviewer of the same signatory, seated and recused."""
    person = ReviewerAssignmentFactory(
        person__email="recused@example.org",
        person__full_name="Roger Récusé",
        signatory=signatory,
    ).person
    factories.ReviewerSeatFactory(
        request=funding_request,
        signatory=signatory,
        reviewer=person,
        conflict=ReviewerSeat.Conflict.CONFLICT,
        conflict_statement="Mon organisation co-finance le projet.",
    )
    return person
