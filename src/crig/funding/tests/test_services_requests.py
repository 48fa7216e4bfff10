import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.funding.models import AuditEntry, FundingRequest
from crig.funding.services import (
    BudgetLineData,
    CoFunderData,
    request_attachment_add,
    request_attachment_remove,
    request_create,
    request_submit,
    request_update,
    request_withdraw,
)
from crig.funding.tests.conftest import request_data, selection_of
from crig.funding.tests.factories import FundingRequestFactory, ProgrammeFactory
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("english_messages")

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _draft(member_user, organisation, signatory, **overrides):
    return request_create(
        actor=member_user,
        applicant=organisation,
        data=request_data(signatory, **overrides),
        territory=selection_of("31555"),
    )


def test_create_stores_a_draft_with_budget_cofunders_and_territory(
    member_user, organisation, signatory, territory
):
    request = _draft(member_user, organisation, signatory)

    request.refresh_from_db()
    assert request.state == FundingRequest.State.DRAFT
    assert request.reference is None
    assert request.entered_by == member_user
    assert request.total_budget == Decimal("100000.00")
    assert [(c.name, c.amount) for c in request.cofunders.all()] == [
        ("Toulouse Métropole", Decimal("25000.00"))
    ]
    assert list(request.communes.values_list("insee", flat=True)) == ["31555"]
    assert request.territory_description == "Toulouse"
    assert request.min_lon < 1.44 < request.max_lon


def test_create_writes_an_audit_entry_with_the_fields_budget_and_territory(
    member_user, organisation, signatory, territory
):
    request = _draft(member_user, organisation, signatory)

    entry = AuditEntry.objects.get(request=request)
    assert entry.action == "request_create"
    assert entry.actor == member_user
    assert entry.changes["title"] == [None, "Orthophotographie 5 cm de Toulouse"]
    assert entry.changes["amount_requested"] == [None, "60000.00"]
    assert entry.changes["budget_lines"] == [
        None,
        [["Prise de vue", "70000.00"], ["Traitements", "30000.00"]],
    ]
    assert entry.changes["territory"][1]["communes"] == {"31555": 1.0}


def test_create_and_submit_gives_a_reference_of_the_year(
    member_user, organisation, signatory, territory
):
    request = request_create(
        actor=member_user,
        applicant=organisation,
        data=request_data(signatory),
        territory=selection_of("31555"),
        submit=True,
    )

    year = timezone.localdate().year
    assert request.state == FundingRequest.State.SUBMITTED
    assert request.reference == f"FIN-{year}-001"
    assert request.submitted_at is not None


def test_references_follow_each_other_within_the_year(
    member_user, organisation, signatory, territory
):
    year = timezone.localdate().year
    FundingRequestFactory(reference=f"FIN-{year}-041")
    FundingRequestFactory(reference=f"FIN-{year - 1}-090")
    draft = _draft(member_user, organisation, signatory)

    submitted = request_submit(actor=member_user, request=draft)

    assert submitted.reference == f"FIN-{year}-042"


def test_a_second_submission_is_a_conflict_and_changes_nothing(
    member_user, organisation, signatory, territory
):
    draft = _draft(member_user, organisation, signatory)
    submitted = request_submit(actor=member_user, request=draft)

    with pytest.raises(Conflict, match="already “Submitted”"):
        request_submit(actor=member_user, request=draft)

    assert FundingRequest.objects.get(pk=draft.pk).reference == submitted.reference
    assert AuditEntry.objects.filter(action="request_submit").count() == 1


def test_the_signatorys_staff_may_enter_a_request_for_an_applicant(
    organisation, signatory, territory
):
    staff = MembershipFactory(organisation=signatory.organisation).person

    request = _draft(staff, organisation, signatory)

    assert request.applicant == organisation
    assert request.entered_by == staff


def test_a_member_of_another_organisation_may_not_enter_for_the_applicant(
    organisation, other_organisation, signatory, territory
):
    outsider = MembershipFactory(organisation=other_organisation).person

    with pytest.raises(PermissionDenied):
        _draft(outsider, organisation, signatory)

    assert FundingRequest.objects.count() == 0


def test_a_person_in_no_organisation_may_not_enter_a_request(
    plain_user, organisation, signatory, territory
):
    with pytest.raises(PermissionDenied):
        _draft(plain_user, organisation, signatory)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"amount_requested": Decimal("70000")},
            "budget_lines",
            "The amounts do not add up: the budget lines total 100,000.00 €, but the "
            "amount requested, the co-funders and the self-funding total "
            "110,000.00 €.",
        ),
        ({"budget_lines": []}, "budget_lines", "Give at least one budget line."),
        (
            {"budget_lines": [BudgetLineData(label="Tout", amount=Decimal("-5"))]},
            "budget_lines",
            "This amount must be above zero.",
        ),
        ({"amount_requested": Decimal(0)}, "amount_requested", "above zero"),
        ({"self_funding": Decimal(-1)}, "self_funding", "cannot be negative"),
        ({"amount_requested": Decimal("1.234")}, "amount_requested", "two decimals"),
        (
            {"cofunders": [CoFunderData(amount=Decimal("25000"))]},
            "cofunders",
            "Name every co-funder",
        ),
        (
            {
                "starts_on": datetime.date(2025, 6, 1),
                "ends_on": datetime.date(2025, 5, 31),
            },
            "ends_on",
            "The project cannot end before it starts.",
        ),
        ({"theme": "astrologie"}, "theme", "Choose a theme from the list."),
        ({"data_licence": "wtfpl"}, "data_licence", "licence of the data"),
        ({"title": "  "}, "title", "Give the project a title."),
        ({"public_summary": ""}, "public_summary", "public summary"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    member_user, organisation, signatory, territory, overrides, field, message
):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")) as error:
        _draft(member_user, organisation, signatory, **overrides)

    assert error.value.field == field
    assert FundingRequest.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_the_programme_must_belong_to_the_signatory(
    member_user, organisation, signatory, territory
):
    foreign = ProgrammeFactory(name="FEDER")

    with pytest.raises(InvalidInput, match="not one of") as error:
        _draft(member_user, organisation, signatory, programme_id=foreign.pk)

    assert error.value.field == "programme"
    assert FundingRequest.objects.count() == 0


def test_a_programme_of_the_signatory_is_accepted(
    member_user, organisation, signatory, territory
):
    programme = ProgrammeFactory(signatory=signatory, name="Région Numérique")

    request = _draft(member_user, organisation, signatory, programme_id=programme.pk)

    assert request.programme == programme


def test_the_applicant_cannot_be_its_own_cofunder(
    member_user, organisation, signatory, territory
):
    data = {
        "cofunders": [
            CoFunderData(amount=Decimal("25000"), organisation_id=organisation.pk)
        ]
    }

    with pytest.raises(InvalidInput, match="self-funding, not a co-funder"):
        _draft(member_user, organisation, signatory, **data)


def test_an_unknown_commune_is_refused_and_nothing_saved(
    member_user, organisation, signatory, territory
):
    selection = selection_of("31555")
    bad = type(selection)(**{**selection.__dict__, "communes": {"99999": 1.0}})

    with pytest.raises(InvalidInput, match="Unknown commune codes: 99999."):
        request_create(
            actor=member_user,
            applicant=organisation,
            data=request_data(signatory),
            territory=bad,
        )

    assert FundingRequest.objects.count() == 0


def test_update_of_a_draft_audits_the_changed_fields_territory_and_budget(
    member_user, organisation, signatory, territory
):
    draft = _draft(member_user, organisation, signatory)

    request_update(
        actor=member_user,
        request=draft,
        data=request_data(
            signatory,
            title="Orthophotographie 5 cm de Toulouse et Blagnac",
            budget_lines=[BudgetLineData(label="Tout", amount=Decimal("100000"))],
        ),
        territory=selection_of("31555", "31069"),
    )

    entry = AuditEntry.objects.get(action="request_update")
    assert sorted(entry.changes) == ["budget_lines", "territory", "title"]
    assert entry.changes["budget_lines"][1] == [["Tout", "100000.00"]]
    assert entry.changes["territory"][0]["communes"] == {"31555": 1.0}
    assert entry.changes["territory"][1]["communes"] == {"31069": 1.0, "31555": 1.0}
    assert sorted(draft.communes.values_list("insee", flat=True)) == ["31069", "31555"]


def test_update_with_nothing_changed_writes_no_audit_entry(
    member_user, organisation, signatory, territory
):
    draft = _draft(member_user, organisation, signatory)

    request_update(actor=member_user, request=draft, data=request_data(signatory))

    assert AuditEntry.objects.filter(action="request_update").count() == 0


def test_a_submitted_request_can_no_longer_be_changed(
    member_user, funding_request, signatory
):
    with pytest.raises(Conflict, match="Only a draft can be changed"):
        request_update(
            actor=member_user, request=funding_request, data=request_data(signatory)
        )

    funding_request.refresh_from_db()
    assert funding_request.title == "PCRS de Toulouse"


def test_bad_update_changes_nothing(member_user, organisation, signatory, territory):
    draft = _draft(member_user, organisation, signatory)

    with pytest.raises(InvalidInput):
        request_update(
            actor=member_user,
            request=draft,
            data=request_data(signatory, title="Nouveau", amount_requested=Decimal(1)),
        )

    draft.refresh_from_db()
    assert draft.title == "Orthophotographie 5 cm de Toulouse"
    assert draft.budget_lines.count() == 2


def test_withdraw_requires_a_reason(referent_user, funding_request):
    with pytest.raises(InvalidInput, match="Say why the request is withdrawn."):
        request_withdraw(actor=referent_user, request=funding_request, reason=" ")

    funding_request.refresh_from_db()
    assert funding_request.state == FundingRequest.State.SUBMITTED


def test_a_referent_withdraws_with_the_reason_recorded(referent_user, funding_request):
    withdrawn = request_withdraw(
        actor=referent_user, request=funding_request, reason="Projet reporté."
    )

    assert withdrawn.state == FundingRequest.State.WITHDRAWN
    assert withdrawn.state_reason == "Projet reporté."
    entry = AuditEntry.objects.get(action="request_withdraw")
    assert entry.changes == {
        "state": ["submitted", "withdrawn"],
        "state_reason": ["", "Projet reporté."],
    }


def test_a_plain_member_who_did_not_enter_it_may_not_withdraw(
    organisation, funding_request
):
    member = MembershipFactory(
        organisation=organisation, role=Membership.Role.MEMBER
    ).person

    with pytest.raises(PermissionDenied):
        request_withdraw(actor=member, request=funding_request, reason="Non.")


def test_a_pdf_attachment_is_stored(member_user, organisation, signatory, territory):
    draft = _draft(member_user, organisation, signatory)

    attachment = request_attachment_add(
        actor=member_user, request=draft, name="Devis prestataire.PDF", data=PDF
    )

    assert attachment.name == "Devis prestataire.PDF"
    assert attachment.size == len(PDF)
    assert default_storage.exists(attachment.file.name)
    assert attachment.file.name.endswith("-devis-prestataire.pdf")
    assert AuditEntry.objects.get(action="request_attachment_add").changes == {
        "attachments": [None, "Devis prestataire.PDF"]
    }


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("devis.pdf", b"PK\x03\x04 not a pdf", "Only PDF files"),
        ("devis.docx", b"PK\x03\x04 not a pdf", "Only PDF files"),
        ("vide.pdf", b"", "The file is empty."),
        ("gros.pdf", PDF + b"0" * 2048, "The file is too large"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_stored(
    member_user, organisation, signatory, territory, settings, name, data, message
):
    settings.FUNDING_ATTACHMENT_MAX_BYTES = 2048
    draft = _draft(member_user, organisation, signatory)

    with pytest.raises(InvalidInput, match=message):
        request_attachment_add(actor=member_user, request=draft, name=name, data=data)

    assert draft.attachments.count() == 0
    assert not default_storage.exists("funding")


def test_the_file_is_removed_when_the_database_write_fails(
    member_user, organisation, signatory, territory, monkeypatch
):
    from crig.funding.models import RequestAttachment

    draft = _draft(member_user, organisation, signatory)

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(RequestAttachment, "save", failing_save)

    with pytest.raises(RuntimeError):
        request_attachment_add(actor=member_user, request=draft, name="a.pdf", data=PDF)

    _dirs, files = default_storage.listdir(f"funding/{timezone.localdate().year}")
    assert files == []


def test_attachments_only_while_a_draft(member_user, funding_request):
    with pytest.raises(Conflict):
        request_attachment_add(
            actor=member_user, request=funding_request, name="a.pdf", data=PDF
        )


def test_an_outsider_may_not_attach(
    plain_user, member_user, organisation, signatory, territory
):
    draft = _draft(member_user, organisation, signatory)

    with pytest.raises(PermissionDenied):
        request_attachment_add(actor=plain_user, request=draft, name="a.pdf", data=PDF)


def test_removing_an_attachment_deletes_its_file_once_committed(
    member_user, organisation, signatory, territory, django_capture_on_commit_callbacks
):
    draft = _draft(member_user, organisation, signatory)
    attachment = request_attachment_add(
        actor=member_user, request=draft, name="a.pdf", data=PDF
    )
    stored = attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        request_attachment_remove(actor=member_user, attachment=attachment)

    assert not default_storage.exists(stored)
    assert draft.attachments.count() == 0
    assert AuditEntry.objects.get(action="request_attachment_remove").changes == {
        "attachments": ["a.pdf", None]
    }
