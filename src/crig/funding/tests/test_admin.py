from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from crig.funding.models import AuditEntry, Opinion
from crig.funding.tests.factories import OpinionFactory


@pytest.fixture
def opinion(funding_request):
    AuditEntry.objects.create(
        request=funding_request,
        action="request_submit",
        changes={"state": ["draft", "submitted"]},
    )
    return OpinionFactory(request=funding_request, published_at=timezone.now())


@pytest.mark.parametrize("who", ["secretariat_user", "admin_user"])
def test_the_staff_read_requests_and_opinions(client, request, opinion, who):
    client.force_login(request.getfixturevalue(who))

    pages = [
        reverse("admin:funding_fundingrequest_changelist"),
        reverse("admin:funding_fundingrequest_change", args=[opinion.request_id]),
        reverse("admin:funding_opinion_change", args=[opinion.pk]),
        reverse("admin:funding_auditentry_changelist"),
    ]

    for url in pages:
        assert client.get(url).status_code == HTTPStatus.OK, url
    detail = client.get(pages[1]).content.decode()
    assert "request_submit" in detail


@pytest.mark.parametrize("who", ["secretariat_user", "admin_user"])
def test_an_issued_opinion_cannot_be_changed_even_in_the_admin(
    client, request, opinion, who
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("admin:funding_opinion_change", args=[opinion.pk])

    response = client.post(url, {"verdict": "unfavorable", "reasoning": "Autre."})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Opinion.objects.get(pk=opinion.pk).verdict == "favorable"
    assert (
        client.get(reverse("admin:funding_opinion_add")).status_code
        == HTTPStatus.FORBIDDEN
    )
    assert (
        client.post(
            reverse("admin:funding_opinion_delete", args=[opinion.pk])
        ).status_code
        == HTTPStatus.FORBIDDEN
    )


def test_people_without_a_staff_role_do_not_enter(client, member_user, opinion):
    member_user.is_staff = True  # even with the flag, no staff role
    member_user.save()
    client.force_login(member_user)

    response = client.get(reverse("admin:funding_fundingrequest_changelist"))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_secretariat_adds_a_programme(client, secretariat_user, signatory):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("admin:funding_programme_add"),
        {"signatory": signatory.pk, "name": "FEDER 2021-2027", "is_active": "on"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert signatory.programmes.get().name == "FEDER 2021-2027"
