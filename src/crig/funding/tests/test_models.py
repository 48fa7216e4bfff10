import pytest

from crig.funding.models import FundingRequest
from crig.funding.tests.factories import FundingRequestFactory, OpinionFactory


@pytest.mark.django_db
def test_factories_give_a_request_over_toulouse_with_a_balanced_budget(territory):
    request = FundingRequestFactory()

    assert list(request.communes.values_list("insee", flat=True)) == ["31555"]
    assert request.total_budget == request.amount_requested + request.self_funding


@pytest.mark.django_db
def test_an_opinion_factory_issues_on_its_request(territory):
    opinion = OpinionFactory()

    assert opinion.request.state == FundingRequest.State.OPINION_ISSUED
    assert opinion.version == 1
