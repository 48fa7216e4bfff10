"""Pages of funding requests, per role: the list, the file, the entry form and
the steps of the review. The confidential parts (description, budget,
attachments, positions' comments, audit trail) never appear to those who may
not see them; bad input re-renders with the French message and changes
nothing."""

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from crig.funding.models import (
    AuditEntry,
    BudgetLine,
    FundingRequest,
    Opinion,
    RequestAttachment,
    ReviewerSeat,
)
from crig.funding.tests import factories
from crig.members.models import Membership
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ReviewerAssignmentFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db

DESCRIPTION = "Détail confidentiel du projet et du marché envisagé."
BUDGET_LABEL = "Prestation de levé"
ATTACHMENT_NAME = "devis-confidentiel.pdf"
COMMENTS = "Commentaire confidentiel de la Région sur le prix."
AUDIT_HEADING = "Journal des modifications"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

ROLES = [
    "anonymous",
    "plain",
    "applicant_member",
    "other_member",
    "referent",
    "reviewer_not_seated",
    "seated_undeclared",
    "cleared_reviewer",
    "recused_reviewer",
    "secretariat",
    "admin",
]
SEES_FILE = {
    "applicant_member",
    "referent",
    "cleared_reviewer",
    "secretariat",
    "admin",
}
SEES_COMMENTS = {"cleared_reviewer", "secretariat", "admin"}
STAFF = {"secretariat", "admin"}


@pytest.fixture
def file(funding_request, signatory):
    """``funding_request`` with an attachment, a position with comments and an
    audit entry: every confidential part."""
    RequestAttachment.objects.create(
        request=funding_request,
        file=ContentFile(PDF, name="devis.pdf"),
        name=ATTACHMENT_NAME,
        size=len(PDF),
    )
    factories.SignatoryPositionFactory(
        request=funding_request, signatory=signatory, comments=COMMENTS
    )
    AuditEntry.objects.create(
        request=funding_request,
        action="request_submit",
        changes={"state": ["draft", "submitted"]},
    )
    return funding_request


@pytest.fixture
def people(
    funding_request,
    signatory,
    plain_user,
    member_user,
    referent_user,
    other_organisation,
    cleared_reviewer_user,
    recused_reviewer_user,
    secretariat_user,
    admin_user,
):
    """One person per role around ``funding_request``."""
    other_member = MembershipFactory(
        person__email="other@example.org",
        organisation=other_organisation,
        role=Membership.Role.MEMBER,
    ).person
    not_seated = ReviewerAssignmentFactory(
        person__email="notseated@example.org", signatory=signatory
    ).person
    undeclared = ReviewerAssignmentFactory(
        person__email="undeclared@example.org", signatory=signatory
    ).person
    factories.ReviewerSeatFactory(
        request=funding_request, signatory=signatory, reviewer=undeclared
    )
    return {
        "anonymous": None,
        "plain": plain_user,
        "applicant_member": member_user,
        "other_member": other_member,
        "referent": referent_user,
        "reviewer_not_seated": not_seated,
        "seated_undeclared": undeclared,
        "cleared_reviewer": cleared_reviewer_user,
        "recused_reviewer": recused_reviewer_user,
        "secretariat": secretariat_user,
        "admin": admin_user,
    }


def login(client, person):
    if person is not None:
        client.force_login(person)
    return client


# The file ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_file_shows_its_confidential_parts_only_to_those_who_see_it(
    client, file, people, role
):
    # Given a submitted request with every confidential part
    login(client, people[role])

    # When the person opens its page
    response = client.get(reverse("funding:detail", args=[file.pk]))

    # Then only those who see the file get it; the others a 404 (or, for a seated
    # reviewer who has not declared, the declaration form)
    content = response.content.decode()
    if role in SEES_FILE:
        assert response.status_code == HTTPStatus.OK
        assert DESCRIPTION in content
        assert BUDGET_LABEL in content
        assert ATTACHMENT_NAME in content
        assert "Confidentiel" in content
        assert (COMMENTS in content) is (role in SEES_COMMENTS)
        assert (AUDIT_HEADING in content) is (role in STAFF)
        assert ("Demande déposée" in content) is (role in STAFF)
    elif role == "seated_undeclared":
        seat = ReviewerSeat.objects.get(request=file, reviewer=people[role])
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("funding:declare", args=[seat.pk])
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert DESCRIPTION not in content
        assert file.title not in content


@pytest.mark.parametrize("role", ROLES)
def test_attachment_download_only_for_those_who_see_the_file(
    client, file, people, role
):
    attachment = file.attachments.get()
    login(client, people[role])

    response = client.get(
        reverse("funding:attachment_download", args=[file.pk, attachment.pk])
    )

    if role in SEES_FILE:
        assert response.status_code == HTTPStatus.OK
        assert b"".join(response.streaming_content) == PDF
        assert ATTACHMENT_NAME in response["Content-Disposition"]
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_published_request_page_sends_outsiders_to_the_public_opinion(
    client, funding_request, plain_user
):
    # Given a request whose opinion is published
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=FundingRequest.State.PUBLISHED
    )
    opinion = factories.OpinionFactory(
        request=funding_request, published_at=timezone.now()
    )
    client.force_login(plain_user)

    # When someone who may not open the file asks for it
    response = client.get(reverse("funding:detail", args=[funding_request.pk]))

    # Then they are sent to the opinion's public page
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("funding:opinion_detail", args=[opinion.pk])


# The list ---------------------------------------------------------------------


def test_list_asks_anonymous_people_to_log_in(client):
    response = client.get(reverse("funding:list"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("members:login"))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_list_shows_only_the_files_the_person_may_open(client, file, people, role):
    # Given another organisation's request, seen by nobody of the roles but staff
    hidden = factories.FundingRequestFactory(title="Levé LIDAR confidentiel du Gers")
    login(client, people[role])

    response = client.get(reverse("funding:list"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    # A seated reviewer who has not declared sees the title among the
    # declarations awaited, not among the files.
    assert (file.title in content) is (role in SEES_FILE | {"seated_undeclared"})
    assert (hidden.title in content) is (role in STAFF)
    expected = {"secretariat": 2, "admin": 2}.get(role, 1 if role in SEES_FILE else 0)
    assert response.context["count"] == expected
    assert sum(state["count"] for state in response.context["states"]) == expected
    assert DESCRIPTION not in content


def test_list_shows_a_reviewers_pending_declarations_first(client, people, file):
    client.force_login(people["seated_undeclared"])

    response = client.get(reverse("funding:list"))

    content = response.content.decode()
    assert "1 demande attend votre déclaration d’intérêts" in content
    assert file.title in content
    assert file.applicant.name in content
    seat = ReviewerSeat.objects.get(request=file, reviewer=people["seated_undeclared"])
    assert reverse("funding:declare", args=[seat.pk]) in content
    # The file itself is not listed among the files they may open.
    assert response.context["count"] == 0


def test_list_filters_by_state_and_counts_each_state(
    client, funding_request, secretariat_user
):
    factories.FundingRequestFactory(state=FundingRequest.State.ADMISSIBLE)
    factories.FundingRequestFactory(state=FundingRequest.State.ADMISSIBLE)
    client.force_login(secretariat_user)

    response = client.get(reverse("funding:list"), {"state": "admissible"})

    assert response.context["count"] == 2
    counts = {state["value"]: state["count"] for state in response.context["states"]}
    assert counts == {"submitted": 1, "admissible": 2}
    assert funding_request.title not in response.content.decode()


# Entry ------------------------------------------------------------------------


def _entry(signatory, **overrides):
    data = {
        "signatory": signatory.pk,
        "programme": "",
        "title": "Orthophotographie 5 cm de Toulouse",
        "public_summary": "Prise de vue aérienne à 5 cm.",
        "description": "Marché de prise de vue, lot unique.",
        "theme": "orthophotographie",
        "amount_requested": "60000",
        "self_funding": "15000",
        "starts_on": "2025-03-01",
        "ends_on": "2025-12-31",
        "deliverables": "",
        "data_licence": "etalab-2.0",
        "standards": "",
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-0-label": "Prise de vue",
        "budget-0-amount": "70000",
        "budget-1-label": "Traitements",
        "budget-1-amount": "30000",
        "budget-2-label": "",
        "budget-2-amount": "",
        "cofunders-TOTAL_FORMS": "2",
        "cofunders-INITIAL_FORMS": "0",
        "cofunders-0-organisation": "",
        "cofunders-0-name": "Toulouse Métropole",
        "cofunders-0-amount": "25000",
        "cofunders-0-status": "requested",
        "cofunders-1-organisation": "",
        "cofunders-1-name": "",
        "cofunders-1-amount": "",
        "cofunders-1-status": "requested",
        "territory-communes": "31555",
        "draft": "1",
    }
    data.update(overrides)
    return data


def test_create_page_for_a_member(client, member_user, organisation, signatory):
    client.force_login(member_user)

    response = client.get(reverse("funding:create"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Enregistrer le brouillon" in content
    assert "Déposer la demande" in content
    assert "écrivez ici rien de confidentiel" in content or "rien de confidentiel" in (
        content
    )
    assert response.context["form"].fields["applicant"].initial == organisation.pk


def test_create_page_refuses_someone_without_an_organisation(client, plain_user):
    client.force_login(plain_user)

    response = client.get(reverse("funding:create"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "au nom d’un organisme membre" in response.content.decode()


def test_create_saves_a_draft(client, member_user, organisation, signatory, territory):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:create"), _entry(signatory, applicant=organisation.pk)
    )

    created = FundingRequest.objects.get(title="Orthophotographie 5 cm de Toulouse")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("funding:detail", args=[created.pk])
    assert created.state == FundingRequest.State.DRAFT
    assert created.applicant == organisation
    assert list(created.budget_lines.values_list("label", "amount")) == [
        ("Prise de vue", Decimal("70000.00")),
        ("Traitements", Decimal("30000.00")),
    ]
    assert list(created.cofunders.values_list("name", "amount")) == [
        ("Toulouse Métropole", Decimal("25000.00"))
    ]
    assert list(created.commune_links.values_list("commune_id", flat=True)) == ["31555"]


def test_create_and_submit(client, member_user, organisation, signatory, territory):
    client.force_login(member_user)
    data = _entry(signatory, applicant=organisation.pk)
    del data["draft"]
    data["submit"] = "1"

    client.post(reverse("funding:create"), data)

    created = FundingRequest.objects.get(title="Orthophotographie 5 cm de Toulouse")
    assert created.state == FundingRequest.State.SUBMITTED
    assert created.reference


def test_create_refuses_amounts_that_do_not_add_up(
    client, member_user, organisation, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:create"),
        _entry(signatory, applicant=organisation.pk, amount_requested="70000"),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    content = response.content.decode()
    assert "Les montants ne concordent pas." in content
    assert "Ressources au-delà du budget" in content
    assert FundingRequest.objects.count() == 0


def test_create_refuses_a_schedule_out_of_order(
    client, member_user, organisation, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:create"),
        _entry(
            signatory,
            applicant=organisation.pk,
            starts_on="2026-01-01",
            ends_on="2025-01-01",
        ),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "La fin précède le début." in response.content.decode()
    assert FundingRequest.objects.count() == 0


def test_create_refuses_a_budget_line_without_amount(
    client, member_user, organisation, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:create"),
        _entry(signatory, applicant=organisation.pk, **{"budget-2-label": "Contrôle"}),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Indiquez le montant de cette ligne." in response.content.decode()
    assert FundingRequest.objects.count() == 0


def test_create_refuses_a_missing_territory(
    client, member_user, organisation, signatory, territory
):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:create"),
        _entry(signatory, applicant=organisation.pk, **{"territory-communes": ""}),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "La demande n’a pas été enregistrée." in response.content.decode()
    assert FundingRequest.objects.count() == 0


def test_signatory_staff_may_enter_a_request_for_any_organisation(
    client, signatory, other_organisation
):
    staff = MembershipFactory(organisation=signatory.organisation).person
    client.force_login(staff)

    response = client.get(reverse("funding:create"))

    applicants = response.context["form"].fields["applicant"].queryset
    assert other_organisation in applicants


# Edition and submission -------------------------------------------------------


@pytest.fixture
def draft(organisation, signatory, member_user, territory):
    return factories.FundingRequestFactory(
        title="Brouillon PCRS",
        applicant=organisation,
        signatory=signatory,
        entered_by=member_user,
        state=FundingRequest.State.DRAFT,
        reference=None,
        submitted_at=None,
    )


def test_edit_page_shows_the_current_lines_and_empty_rows(client, member_user, draft):
    client.force_login(member_user)

    response = client.get(reverse("funding:edit", args=[draft.pk]))

    assert response.status_code == HTTPStatus.OK
    budget = response.context["budget"]
    assert len(budget.forms) == 1 + 3
    assert budget.forms[0].initial["label"] == BUDGET_LABEL


@pytest.mark.parametrize("role", ["plain", "other_member", "cleared_reviewer"])
def test_edit_refused_to_others(client, draft, people, role):
    client.force_login(people[role])

    response = client.get(reverse("funding:edit", args=[draft.pk]))

    # A draft is seen by the applicant only: a 404 for everyone else.
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_edit_refused_once_submitted(client, member_user, funding_request):
    client.force_login(member_user)

    response = client.get(reverse("funding:edit", args=[funding_request.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_submit_a_draft(client, member_user, draft):
    client.force_login(member_user)

    response = client.post(reverse("funding:submit", args=[draft.pk]))

    draft.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert draft.state == FundingRequest.State.SUBMITTED


def test_submit_twice_is_refused(client, member_user, funding_request):
    client.force_login(member_user)

    response = client.post(reverse("funding:submit", args=[funding_request.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN
    funding_request.refresh_from_db()
    assert funding_request.state == FundingRequest.State.SUBMITTED


def test_submit_needs_a_post(client, member_user, draft):
    client.force_login(member_user)

    response = client.get(reverse("funding:submit", args=[draft.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


# Attachments ------------------------------------------------------------------


def test_attach_a_pdf_to_a_draft(client, member_user, draft):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:attachment_add", args=[draft.pk]),
        {"file": ContentFile(PDF, name="plan.pdf")},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(draft.attachments.values_list("name", flat=True)) == ["plan.pdf"]


def test_attach_refuses_a_file_that_is_not_a_pdf(client, member_user, draft):
    client.force_login(member_user)

    response = client.post(
        reverse("funding:attachment_add", args=[draft.pk]),
        {"file": ContentFile(b"MZ\x90\x00 not a pdf", name="virus.pdf")},
        follow=True,
    )

    assert draft.attachments.count() == 0
    assert "PDF" in response.content.decode()


def test_attach_refuses_a_file_too_large(client, member_user, draft, settings):
    settings.FUNDING_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(member_user)

    response = client.post(
        reverse("funding:attachment_add", args=[draft.pk]),
        {"file": ContentFile(PDF + b"0" * (1024 * 1024), name="gros.pdf")},
        follow=True,
    )

    assert draft.attachments.count() == 0
    assert "dépasse la limite de 1 Mo" in response.content.decode()


# The secretariat's steps ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("applicant_member", HTTPStatus.FORBIDDEN),
        ("cleared_reviewer", HTTPStatus.FORBIDDEN),
        ("other_member", HTTPStatus.NOT_FOUND),
        ("secretariat", HTTPStatus.OK),
    ],
)
def test_admissibility_page_per_role(client, people, funding_request, role, status):
    client.force_login(people[role])

    response = client.get(reverse("funding:admissibility", args=[funding_request.pk]))

    assert response.status_code == status


def test_declare_admissible(client, secretariat_user, funding_request):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:admissibility", args=[funding_request.pk]),
        {"admissible": "yes", "reason": ""},
    )

    funding_request.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert funding_request.state == FundingRequest.State.ADMISSIBLE


def test_inadmissible_needs_a_reason(client, secretariat_user, funding_request):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:admissibility", args=[funding_request.pk]),
        {"admissible": "no", "reason": "  "},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Dites pourquoi la demande est irrecevable." in response.content.decode()
    funding_request.refresh_from_db()
    assert funding_request.state == FundingRequest.State.SUBMITTED


def test_assign_a_reviewer_of_a_signatory(
    client, secretariat_user, funding_request, signatory
):
    assignment = ReviewerAssignmentFactory(
        person__full_name="Irène IGN", signatory=SignatoryFactory()
    )
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:assign", args=[funding_request.pk]),
        {"assignment": assignment.pk},
    )

    assert response.status_code == HTTPStatus.FOUND
    seat = funding_request.reviewer_seats.get()
    assert seat.reviewer == assignment.person
    assert seat.signatory == assignment.signatory
    assert seat.conflict == ReviewerSeat.Conflict.UNDECLARED


def test_assign_suggests_a_conflict_when_the_reviewer_is_of_the_applicant(
    client, secretariat_user, funding_request, organisation
):
    assignment = ReviewerAssignmentFactory(signatory=SignatoryFactory())
    MembershipFactory(person=assignment.person, organisation=organisation)
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:assign", args=[funding_request.pk]),
        {"assignment": assignment.pk},
        follow=True,
    )

    assert "La plateforme suggère un conflit d’intérêts" in response.content.decode()
    assert funding_request.reviewer_seats.get().conflict_suggested is True


def test_start_review_refuses_a_past_deadline(client, secretariat_user, signatory):
    admissible = factories.FundingRequestFactory(
        signatory=signatory, state=FundingRequest.State.ADMISSIBLE
    )
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:start_review", args=[admissible.pk]),
        {"deadline": "2020-01-01"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Indiquez une date à venir." in response.content.decode()
    admissible.refresh_from_db()
    assert admissible.state == FundingRequest.State.ADMISSIBLE


def test_start_review(client, secretariat_user, signatory):
    admissible = factories.FundingRequestFactory(
        signatory=signatory, state=FundingRequest.State.ADMISSIBLE
    )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    client.force_login(secretariat_user)

    client.post(
        reverse("funding:start_review", args=[admissible.pk]),
        {"deadline": deadline.isoformat()},
    )

    admissible.refresh_from_db()
    assert admissible.state == FundingRequest.State.UNDER_REVIEW
    assert admissible.review_deadline == deadline


def test_withdraw_with_a_reason(client, referent_user, funding_request):
    client.force_login(referent_user)

    response = client.post(
        reverse("funding:withdraw", args=[funding_request.pk]),
        {"reason": "Projet abandonné."},
    )

    funding_request.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert funding_request.state == FundingRequest.State.WITHDRAWN
    assert funding_request.state_reason == "Projet abandonné."


def test_withdraw_without_a_reason_changes_nothing(
    client, referent_user, funding_request
):
    client.force_login(referent_user)

    response = client.post(
        reverse("funding:withdraw", args=[funding_request.pk]), {"reason": ""}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ce champ est obligatoire." in response.content.decode()
    funding_request.refresh_from_db()
    assert funding_request.state == FundingRequest.State.SUBMITTED


# Reviewers --------------------------------------------------------------------


@pytest.fixture
def undeclared_seat(funding_request, signatory, reviewer_user):
    return factories.ReviewerSeatFactory(
        request=funding_request, signatory=signatory, reviewer=reviewer_user
    )


def test_declaration_page_shows_only_title_applicant_and_cofunders(
    client, reviewer_user, undeclared_seat, funding_request, other_organisation
):
    funding_request.cofunders.create(
        organisation=other_organisation, amount=Decimal("1000")
    )
    client.force_login(reviewer_user)

    response = client.get(reverse("funding:declare", args=[undeclared_seat.pk]))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert funding_request.title in content
    assert funding_request.applicant.name in content
    assert other_organisation.name in content
    assert DESCRIPTION not in content
    assert BUDGET_LABEL not in content


def test_declaration_page_is_the_seat_holders_only(
    client, undeclared_seat, secretariat_user
):
    client.force_login(secretariat_user)

    response = client.get(reverse("funding:declare", args=[undeclared_seat.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_declare_no_conflict_opens_the_file(
    client, reviewer_user, undeclared_seat, funding_request
):
    client.force_login(reviewer_user)

    response = client.post(
        reverse("funding:declare", args=[undeclared_seat.pk]),
        {"conflict": "no", "statement": ""},
    )

    undeclared_seat.refresh_from_db()
    assert undeclared_seat.conflict == ReviewerSeat.Conflict.NONE
    assert response["Location"] == reverse("funding:detail", args=[funding_request.pk])


def test_declare_a_conflict_needs_a_statement(client, reviewer_user, undeclared_seat):
    client.force_login(reviewer_user)

    response = client.post(
        reverse("funding:declare", args=[undeclared_seat.pk]),
        {"conflict": "yes", "statement": ""},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Dites ce qui vous lie à la demande." in response.content.decode()
    undeclared_seat.refresh_from_db()
    assert undeclared_seat.conflict == ReviewerSeat.Conflict.UNDECLARED


def test_declare_a_conflict_recuses(client, reviewer_user, undeclared_seat):
    client.force_login(reviewer_user)

    client.post(
        reverse("funding:declare", args=[undeclared_seat.pk]),
        {"conflict": "yes", "statement": "Mon organisation co-finance."},
    )

    undeclared_seat.refresh_from_db()
    assert undeclared_seat.conflict == ReviewerSeat.Conflict.CONFLICT
    assert undeclared_seat.conflict_statement == "Mon organisation co-finance."


@pytest.fixture
def under_review(funding_request):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=FundingRequest.State.UNDER_REVIEW,
        review_deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    funding_request.refresh_from_db()
    return funding_request


def _position(**overrides):
    data = {
        "position": "reserves",
        "comments": "Prix élevé.",
        "score_openness": "4",
        "score_standards": "3",
        "score_pooling": "2",
        "score_coverage_gap": "1",
        "score_needs_and_plan": "0",
    }
    data.update(overrides)
    return data


def test_record_a_position(client, cleared_reviewer_user, under_review, signatory):
    client.force_login(cleared_reviewer_user)

    response = client.post(
        reverse("funding:position", args=[under_review.pk]), _position()
    )

    assert response.status_code == HTTPStatus.FOUND
    position = under_review.positions.get()
    assert position.signatory == signatory
    assert position.position == "reserves"
    assert position.scores == {
        "openness": 4,
        "standards": 3,
        "pooling": 2,
        "coverage_gap": 1,
        "needs_and_plan": 0,
    }


def test_position_needs_every_score(client, cleared_reviewer_user, under_review):
    client.force_login(cleared_reviewer_user)

    response = client.post(
        reverse("funding:position", args=[under_review.pk]),
        _position(score_pooling=""),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ce champ est obligatoire." in response.content.decode()
    assert under_review.positions.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("recused_reviewer", HTTPStatus.NOT_FOUND),
        ("seated_undeclared", HTTPStatus.NOT_FOUND),
        ("applicant_member", HTTPStatus.FORBIDDEN),
        ("secretariat", HTTPStatus.FORBIDDEN),
    ],
)
def test_position_page_only_for_cleared_reviewers(
    client, people, under_review, role, status
):
    client.force_login(people[role])

    response = client.get(reverse("funding:position", args=[under_review.pk]))

    assert response.status_code == status


# The opinion ------------------------------------------------------------------


def _opinion(**overrides):
    data = {
        "verdict": "favorable",
        "reasoning": "Projet conforme au standard PCRS.",
        "conditions": "",
        "adopted_on": timezone.localdate().isoformat(),
        "adoption": "meeting",
        "meeting_label": "Comité du 12 mars",
    }
    data.update(overrides)
    return data


def test_issue_then_publish_the_opinion(
    client, secretariat_user, under_review, cleared_reviewer_user, signatory
):
    factories.SignatoryPositionFactory(request=under_review, signatory=signatory)
    client.force_login(secretariat_user)

    client.post(reverse("funding:opinion_issue", args=[under_review.pk]), _opinion())

    opinion = under_review.opinions.get()
    assert opinion.published_at is None
    under_review.refresh_from_db()
    assert under_review.state == FundingRequest.State.OPINION_ISSUED

    response = client.post(reverse("funding:opinion_publish", args=[opinion.pk]))

    opinion.refresh_from_db()
    assert opinion.published_at is not None
    assert response["Location"] == reverse("funding:opinion_detail", args=[opinion.pk])


def test_issue_refused_while_a_signatory_has_no_position(
    client, secretariat_user, under_review, cleared_reviewer_user
):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:opinion_issue", args=[under_review.pk]), _opinion()
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Région Occitanie" in response.content.decode()
    assert under_review.opinions.count() == 0


def test_issue_refuses_a_meeting_without_a_name(client, secretariat_user, under_review):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:opinion_issue", args=[under_review.pk]),
        _opinion(meeting_label=""),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Indiquez la réunion qui l’a adopté." in response.content.decode()
    assert under_review.opinions.count() == 0


def test_correct_a_published_opinion_makes_a_new_version(
    client, secretariat_user, funding_request
):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=FundingRequest.State.PUBLISHED
    )
    first = factories.OpinionFactory(
        request=funding_request, published_at=timezone.now()
    )
    client.force_login(secretariat_user)

    response = client.post(
        reverse("funding:opinion_correct", args=[first.pk]),
        _opinion(
            verdict="reserves",
            conditions="Livrer au format PCRS v2.0.",
            correction_note="Ajout d’une condition.",
        ),
    )

    assert response.status_code == HTTPStatus.FOUND
    versions = list(funding_request.opinions.order_by("version"))
    assert [(o.version, o.verdict) for o in versions] == [
        (1, Opinion.Verdict.FAVORABLE),
        (2, Opinion.Verdict.FAVORABLE_WITH_RESERVATIONS),
    ]
    first.refresh_from_db()
    assert first.verdict == Opinion.Verdict.FAVORABLE


def test_budget_line_unchanged_after_refused_edit(client, member_user, draft):
    client.force_login(member_user)
    data = _entry(
        draft.signatory,
        amount_requested="1",
        **{
            "budget-TOTAL_FORMS": "1",
            "budget-0-label": "Nouvelle ligne",
            "budget-0-amount": "5",
            "cofunders-TOTAL_FORMS": "0",
            "territory-communes": "",
        },
    )

    response = client.post(reverse("funding:edit", args=[draft.pk]), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(BudgetLine.objects.filter(request=draft).values_list("label")) == [
        (BUDGET_LABEL,)
    ]


def test_other_organisation_cannot_guess_a_request(client, funding_request):
    stranger = MembershipFactory(organisation=OrganisationFactory()).person
    client.force_login(stranger)

    for name in ("detail", "edit", "withdraw", "admissibility", "position"):
        response = client.get(reverse(f"funding:{name}", args=[funding_request.pk]))
        assert response.status_code == HTTPStatus.NOT_FOUND, name


# The analysis beside the file ---------------------------------------------------


def test_file_flags_an_overlapping_request_as_a_risk_of_double_funding(
    client, funding_request, secretariat_user, member_user
):
    # Given another pending PCRS request over Toulouse, of another organisation
    other = factories.FundingRequestFactory(
        title="PCRS de la métropole toulousaine",
        state=FundingRequest.State.UNDER_REVIEW,
    )

    # When the secretariat and the applicant's member open the file
    client.force_login(secretariat_user)
    staff = client.get(reverse("funding:detail", args=[funding_request.pk]))
    client.force_login(member_user)
    member = client.get(reverse("funding:detail", args=[funding_request.pk]))

    # Then the secretariat sees the overlap flagged; the member, who may not open
    # the other (unpublished) file, learns nothing of it
    content = staff.content.decode()
    assert "Risque de double financement" in content
    assert other.title in content
    assert reverse("funding:detail", args=[other.pk]) in content
    assert "1 commune en commun" in content
    member_content = member.content.decode()
    assert other.title not in member_content
    assert "Aucune autre demande de même thématique ne recoupe ce territoire." in (
        member_content
    )
