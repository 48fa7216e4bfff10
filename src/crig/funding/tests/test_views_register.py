"""The public register of opinions and the public page of an opinion: what a
published opinion shows to everyone, and what never leaves the file."""

# The shared fixtures (people per role, a file with every confidential part, a
# published opinion) are imported from the page tests: pytest sees them here,
# ruff takes them for redefinitions.
# ruff: noqa: F811

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from crig.funding import services
from crig.funding.models import FundingRequest
from crig.funding.tests import factories
from crig.funding.tests.test_views_requests import (  # noqa: F401 - fixtures
    ATTACHMENT_NAME,
    BUDGET_LABEL,
    COMMENTS,
    DESCRIPTION,
    ROLES,
    file,
    login,
    people,
)

pytestmark = pytest.mark.django_db

REASONING = "Projet conforme au standard PCRS du CNIG, données ouvertes."


def publish(funding_request, secretariat_user, **opinion):
    """Through the services: under review → opinion issued → published."""
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=FundingRequest.State.UNDER_REVIEW
    )
    funding_request.refresh_from_db()
    if not funding_request.positions.exists():
        factories.SignatoryPositionFactory(
            request=funding_request, signatory=funding_request.signatory
        )
    issued = services.opinion_issue(
        actor=secretariat_user,
        request=funding_request,
        data=services.OpinionData(
            verdict=opinion.get("verdict", "favorable"),
            reasoning=opinion.get("reasoning", REASONING),
            conditions=opinion.get("conditions", ""),
            adopted_on=opinion.get("adopted_on", datetime.date(2024, 3, 12)),
            adoption="meeting",
            meeting_label="Comité du 12 mars",
        ),
    )
    return services.opinion_publish(actor=secretariat_user, opinion=issued)


@pytest.fixture
def published(file, people, secretariat_user):
    """``file`` (every confidential part, a recused reviewer) with its opinion
    published."""
    return publish(file, secretariat_user)


@pytest.mark.parametrize("role", ROLES)
def test_register_lists_the_published_opinion_and_nothing_confidential(
    client, published, people, role
):
    # Given a published opinion and an opinion issued but not published
    unpublished = factories.OpinionFactory(
        request__title="Orthophotographie non publiée"
    )
    login(client, people[role])

    response = client.get(reverse("funding:register"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert published.request.title in content
    assert "Favorable" in content
    assert "Adopté le 12 mars 2024 par la réunion « Comité du 12 mars »" in content
    assert unpublished.request.title not in content
    assert response.context["count"] == 1
    for secret in (DESCRIPTION, BUDGET_LABEL, ATTACHMENT_NAME, COMMENTS):
        assert secret not in content


@pytest.mark.parametrize("role", ROLES)
def test_opinion_page_is_public_without_the_confidential_parts(
    client, published, people, role
):
    login(client, people[role])

    response = client.get(reverse("funding:opinion_detail", args=[published.pk]))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert REASONING in content
    assert escape(published.request.public_summary) in content
    assert "60\xa0000,00 €" in content
    assert "Région Occitanie" in content
    assert "4/4" in content  # the scores are published with the positions
    assert "Roger Récusé (Région Occitanie) a déclaré un conflit d’intérêts" in content
    for secret in (
        DESCRIPTION,
        BUDGET_LABEL,
        ATTACHMENT_NAME,
        COMMENTS,
        "Mon organisation co-finance le projet.",
    ):
        assert secret not in content


def test_unpublished_opinion_is_a_404_to_the_public(
    client, plain_user, secretariat_user
):
    opinion = factories.OpinionFactory()

    anonymous = client.get(reverse("funding:opinion_detail", args=[opinion.pk]))
    client.force_login(plain_user)
    plain = client.get(reverse("funding:opinion_detail", args=[opinion.pk]))
    client.force_login(secretariat_user)
    staff = client.get(reverse("funding:opinion_detail", args=[opinion.pk]))

    assert anonymous.status_code == HTTPStatus.NOT_FOUND
    assert plain.status_code == HTTPStatus.NOT_FOUND
    assert staff.status_code == HTTPStatus.OK
    assert "Non publié" in staff.content.decode()


def test_a_corrected_opinion_lists_its_versions(client, published, secretariat_user):
    second = services.opinion_correct(
        actor=secretariat_user,
        opinion=published,
        data=services.OpinionData(
            verdict="reserves",
            reasoning=REASONING,
            conditions="Livrer au format PCRS v2.0.",
            adopted_on=datetime.date(2024, 4, 2),
            adoption="written",
        ),
        correction_note="Ajout d’une condition de format.",
    )

    old = client.get(reverse("funding:opinion_detail", args=[published.pk]))
    new = client.get(reverse("funding:opinion_detail", args=[second.pk]))
    listed = client.get(reverse("funding:register"))

    assert "la version 2 la remplace" in old.content.decode()
    content = new.content.decode()
    assert "Adopté par procédure écrite le 2 avril 2024" in content
    assert "Ajout d’une condition de format." in content
    assert reverse("funding:opinion_detail", args=[published.pk]) in content
    # The register shows the latest version only.
    assert [o.pk for o in listed.context["page"].object_list] == [second.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["PCRS de Toulouse", "LIDAR de Montpellier"]),
        ({"verdict": "unfavorable"}, ["LIDAR de Montpellier"]),
        ({"theme": "lidar"}, ["LIDAR de Montpellier"]),
        ({"commune": "31555"}, ["PCRS de Toulouse"]),
        ({"departement": "34"}, ["LIDAR de Montpellier"]),
        ({"q": "montpellier"}, ["LIDAR de Montpellier"]),
        ({"year": "2023"}, []),
    ],
)
def test_register_filters(
    client, funding_request, secretariat_user, signatory, query, expected
):
    publish(funding_request, secretariat_user)
    other = factories.FundingRequestFactory(
        title="LIDAR de Montpellier",
        theme="lidar",
        signatory=signatory,
        communes=["34172"],
    )
    publish(other, secretariat_user, verdict="unfavorable")

    response = client.get(reverse("funding:register"), query)

    titles = [o.request.title for o in response.context["page"].object_list]
    assert sorted(titles) == sorted(expected)


def test_register_ignores_an_invalid_filter_and_says_so(client, published):
    response = client.get(reverse("funding:register"), {"commune": "Toulouse"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    content = response.content.decode()
    assert "Un code INSEE a cinq caractères : 31555." in content
    assert response.context["count"] == 1


def test_register_links_to_its_exports(client, published):
    response = client.get(reverse("funding:register"), {"theme": "pcrs"})

    content = response.content.decode()
    assert "/api/v1/opinions?theme=pcrs&amp;format=csv" in content
    assert "/api/v1/opinions?theme=pcrs&amp;format=xlsx" in content


def test_applicant_sees_positions_without_comments_once_published(
    client, published, member_user
):
    client.force_login(member_user)

    response = client.get(reverse("funding:detail", args=[published.request_id]))

    content = response.content.decode()
    assert "Positions des signataires" in content
    assert "Favorable" in content
    assert COMMENTS not in content


def test_applicant_does_not_see_positions_before_publication(client, file, member_user):
    client.force_login(member_user)

    response = client.get(reverse("funding:detail", args=[file.pk]))

    content = response.content.decode()
    assert "Positions des signataires" not in content
    assert COMMENTS not in content


def test_published_opinion_page_names_the_adoption(client, published):
    published.request.refresh_from_db()

    response = client.get(reverse("funding:opinion_detail", args=[published.pk]))

    assert published.published_at <= timezone.now()
    assert "publié le" in response.content.decode()
