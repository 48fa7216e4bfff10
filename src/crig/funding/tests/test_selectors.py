import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.core.errors import NotFound
from crig.funding.models import FundingRequest, Opinion, ReviewerSeat
from crig.funding.selectors.register import (
    RegisterFilters,
    register_get,
    register_list,
)
from crig.funding.selectors.requests import (
    RequestFilters,
    request_get,
    requests_list,
    requests_visible_to,
    seats_awaiting,
)
from crig.funding.tests.factories import (
    FundingRequestFactory,
    OpinionFactory,
    ReviewerSeatFactory,
)
from crig.members.tests.factories import MembershipFactory, ReviewerAssignmentFactory

pytestmark = pytest.mark.usefixtures("english_messages")

State = FundingRequest.State


# --- Requests ------------------------------------------------------------------


@pytest.fixture
def seated(funding_request, signatory):
    """Three reviewers of the signatory seated on the request: undeclared,
    cleared, recused; and one not seated."""

    def seat(conflict):
        person = ReviewerAssignmentFactory(signatory=signatory).person
        ReviewerSeatFactory(
            request=funding_request,
            signatory=signatory,
            reviewer=person,
            conflict=conflict,
        )
        return person

    return {
        "undeclared": seat(ReviewerSeat.Conflict.UNDECLARED),
        "cleared": seat(ReviewerSeat.Conflict.NONE),
        "recused": seat(ReviewerSeat.Conflict.CONFLICT),
        "not_seated": ReviewerAssignmentFactory(signatory=signatory).person,
    }


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("plain", False),
        ("member", True),
        ("other_member", False),
        ("referent", True),
        ("not_seated", False),
        ("undeclared", False),
        ("cleared", True),
        ("recused", False),
        ("secretariat", True),
        ("admin", True),
    ],
)
def test_visibility_and_counts_per_role(
    funding_request,
    seated,
    plain_user,
    member_user,
    referent_user,
    other_organisation,
    secretariat_user,
    admin_user,
    role,
    sees,
):
    # Another organisation's request nobody of these sees but the staff.
    FundingRequestFactory(title="Autre demande")
    people = {
        "anonymous": AnonymousUser(),
        "plain": plain_user,
        "member": member_user,
        "other_member": MembershipFactory(organisation=other_organisation).person,
        "referent": referent_user,
        "secretariat": secretariat_user,
        "admin": admin_user,
        **seated,
    }
    user = people[role]

    visible = list(requests_visible_to(user).values_list("title", flat=True))

    if role in ("secretariat", "admin"):
        assert sorted(visible) == ["Autre demande", "PCRS de Toulouse"]
    else:
        assert visible == (["PCRS de Toulouse"] if sees else [])
    assert requests_list(user=user).count() == len(visible)
    assert user.has_perm("funding.view_request", funding_request) is sees
    if sees:
        assert request_get(user=user, pk=funding_request.pk) == funding_request
    else:
        with pytest.raises(NotFound, match="No such funding request."):
            request_get(user=user, pk=funding_request.pk)


def test_visibility_is_one_query_without_duplicates(
    funding_request, member_user, organisation, signatory, django_assert_num_queries
):
    # The member is also a cleared reviewer and a member twice over (applicant
    # and entered it): the request is still listed once.
    ReviewerAssignmentFactory(person=member_user, signatory=signatory)
    ReviewerSeatFactory(
        request=funding_request,
        signatory=signatory,
        reviewer=member_user,
        conflict=ReviewerSeat.Conflict.NONE,
    )

    with django_assert_num_queries(1):
        titles = list(requests_visible_to(member_user).values_list("title", flat=True))

    assert titles == ["PCRS de Toulouse"]


def test_the_person_who_entered_it_sees_it(funding_request, other_organisation):
    staff = MembershipFactory(organisation=other_organisation).person
    FundingRequest.objects.filter(pk=funding_request.pk).update(entered_by=staff)

    assert list(requests_visible_to(staff)) == [funding_request]


def test_unknown_pk_is_not_found(secretariat_user, territory):
    with pytest.raises(NotFound):
        request_get(user=secretariat_user, pk=999999)


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        (RequestFilters(), ["Lidar Hérault", "PCRS Toulouse"]),
        (RequestFilters(q="lidar"), ["Lidar Hérault"]),
        (RequestFilters(q="FIN-2023"), ["Lidar Hérault"]),
        (RequestFilters(state="under_review"), ["Lidar Hérault"]),
        (RequestFilters(theme="pcrs"), ["PCRS Toulouse"]),
        (RequestFilters(year=2024), ["PCRS Toulouse"]),
        (RequestFilters(departement="34"), ["Lidar Hérault"]),
        (RequestFilters(departement="31"), ["PCRS Toulouse"]),
        (RequestFilters(applicant="universite-de-montpellier"), ["Lidar Hérault"]),
    ],
)
def test_request_filters(
    secretariat_user, organisation, other_organisation, territory, filters, titles
):
    FundingRequestFactory(
        title="PCRS Toulouse",
        reference="FIN-2024-001",
        applicant=organisation,
        submitted_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),
    )
    FundingRequestFactory(
        title="Lidar Hérault",
        reference="FIN-2023-004",
        theme="lidar",
        state=State.UNDER_REVIEW,
        applicant=other_organisation,
        communes=["34172"],
        submitted_at=datetime.datetime(2023, 5, 1, tzinfo=datetime.UTC),
    )

    found = requests_list(user=secretariat_user, filters=filters)

    assert sorted(found.values_list("title", flat=True)) == titles


def test_request_filter_by_signatory(secretariat_user, funding_request, territory):
    FundingRequestFactory(title="Autre")

    found = requests_list(
        user=secretariat_user,
        filters=RequestFilters(signatory=funding_request.signatory_id),
    )

    assert list(found) == [funding_request]


def test_seats_awaiting_lists_undeclared_seats_of_requests_under_way(
    funding_request, seated, signatory
):
    reviewer = seated["undeclared"]
    withdrawn = FundingRequestFactory(state=State.WITHDRAWN)
    ReviewerSeatFactory(request=withdrawn, signatory=signatory, reviewer=reviewer)

    seats = list(seats_awaiting(reviewer))

    assert [seat.request for seat in seats] == [funding_request]
    assert list(seats_awaiting(seated["cleared"])) == []
    assert list(seats_awaiting(AnonymousUser())) == []


# --- Register ------------------------------------------------------------------


def _published(**request_fields):
    request = FundingRequestFactory(state=State.PUBLISHED, **request_fields)
    return OpinionFactory(request=request, published_at=timezone.now())


def test_the_register_holds_the_latest_published_version_only(territory):
    first = _published(title="Orthophoto Montpellier")
    second = OpinionFactory(
        request=first.request,
        version=2,
        supersedes=first,
        verdict=Opinion.Verdict.UNFAVORABLE,
        published_at=timezone.now(),
    )
    issued = FundingRequestFactory(state=State.OPINION_ISSUED)
    OpinionFactory(request=issued)

    assert list(register_list()) == [second]


def test_the_register_does_not_load_the_confidential_columns(territory):
    _published()

    opinion = register_list().get()

    assert opinion.request.get_deferred_fields() >= {
        "description",
        "deliverables",
        "state_reason",
        "self_funding",
        "outline",
    }


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        (RegisterFilters(), ["Adresses Toulouse", "Lidar Montpellier"]),
        (RegisterFilters(q="lidar"), ["Lidar Montpellier"]),
        (RegisterFilters(q="balcons"), ["Adresses Toulouse"]),
        (RegisterFilters(theme="adresses"), ["Adresses Toulouse"]),
        (RegisterFilters(verdict="unfavorable"), ["Lidar Montpellier"]),
        (RegisterFilters(year=2023), ["Lidar Montpellier"]),
        (RegisterFilters(departement="31"), ["Adresses Toulouse"]),
        (RegisterFilters(epci="243100518"), ["Adresses Toulouse"]),
        (RegisterFilters(commune="34172"), ["Lidar Montpellier"]),
        (RegisterFilters(commune="31069"), []),
    ],
)
def test_register_filters(territory, filters, titles):
    _published(
        title="Adresses Toulouse",
        public_summary="Numérotation des balcons et des voies.",
        theme="adresses",
    )
    lidar = _published(title="Lidar Montpellier", theme="lidar", communes=["34172"])
    Opinion.objects.filter(pk=lidar.pk).update(
        verdict=Opinion.Verdict.UNFAVORABLE, adopted_on=datetime.date(2023, 6, 1)
    )

    found = register_list(filters=filters)

    assert sorted(o.request.title for o in found) == titles


def test_register_filter_by_signatory(territory):
    opinion = _published()
    _published()

    found = register_list(
        filters=RegisterFilters(signatory=opinion.request.signatory_id)
    )

    assert list(found) == [opinion]


def test_register_get_of_a_published_version_is_public(territory):
    opinion = _published()

    assert register_get(user=AnonymousUser(), pk=opinion.pk) == opinion


def test_register_get_of_an_unpublished_opinion_goes_with_the_file(
    funding_request, member_user, plain_user
):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=State.OPINION_ISSUED
    )
    opinion = OpinionFactory(request=funding_request)

    assert register_get(user=member_user, pk=opinion.pk) == opinion
    with pytest.raises(NotFound, match="No such opinion."):
        register_get(user=plain_user, pk=opinion.pk)
    with pytest.raises(NotFound):
        register_get(user=AnonymousUser(), pk=opinion.pk)
