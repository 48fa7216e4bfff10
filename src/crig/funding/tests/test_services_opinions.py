import datetime

import pytest
from django.utils import timezone

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.funding.models import AuditEntry, FundingRequest, Opinion
from crig.funding.services import (
    OpinionData,
    opinion_correct,
    opinion_issue,
    opinion_publish,
)
from crig.funding.tests.factories import ReviewerSeatFactory, SignatoryPositionFactory
from crig.members.tests.factories import SignatoryFactory

pytestmark = pytest.mark.usefixtures("english_messages")

State = FundingRequest.State


def _data(**overrides) -> OpinionData:
    values = {
        "verdict": "reserves",
        "reasoning": "Projet conforme au standard PCRS ; données ouvertes.",
        "adopted_on": timezone.localdate(),
        "adoption": "meeting",
        "conditions": "Livrer au format PCRS v2.0.",
        "meeting_label": "Comité du 12 mars",
    }
    values.update(overrides)
    return OpinionData(**values)


@pytest.fixture
def under_review(
    funding_request, signatory, cleared_reviewer_user, recused_reviewer_user
):
    """The request under review: the Région's cleared reviewer has recorded a
    position with a confidential comment; another of its reviewers is recused."""
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=State.UNDER_REVIEW
    )
    funding_request.refresh_from_db()
    SignatoryPositionFactory(
        request=funding_request,
        signatory=signatory,
        position="reserves",
        comments="Commentaire confidentiel : le prestataire pressenti est cher.",
    )
    return funding_request


def test_issue_snapshots_public_positions_and_recusals(secretariat_user, under_review):
    opinion = opinion_issue(actor=secretariat_user, request=under_review, data=_data())

    assert opinion.version == 1
    assert opinion.published_at is None
    assert opinion.issued_by == secretariat_user
    assert opinion.positions == [
        {
            "signatory_id": under_review.signatory_id,
            "signatory": "Région Occitanie",
            "position": "reserves",
            "scores": {
                "openness": 4,
                "standards": 3,
                "pooling": 3,
                "coverage_gap": 2,
                "needs_and_plan": 3,
            },
        }
    ]
    assert opinion.recusals == [
        {
            "signatory_id": under_review.signatory_id,
            "signatory": "Région Occitanie",
            "reviewer": "Roger Récusé",
        }
    ]
    assert "confidentiel" not in str(opinion.positions)
    assert "co-finance" not in str(opinion.recusals)
    under_review.refresh_from_db()
    assert under_review.state == State.OPINION_ISSUED


def test_issue_is_refused_naming_the_signatories_without_a_position(
    secretariat_user, funding_request, cleared_reviewer_user
):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=State.UNDER_REVIEW
    )
    other = SignatoryFactory(organisation__name="IGN")
    ReviewerSeatFactory(request=funding_request, signatory=other, conflict="none")

    with pytest.raises(
        InvalidInput,
        match="Still waiting for the position of: Région Occitanie, IGN.",
    ):
        opinion_issue(actor=secretariat_user, request=funding_request, data=_data())

    assert Opinion.objects.count() == 0
    funding_request.refresh_from_db()
    assert funding_request.state == State.UNDER_REVIEW


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"verdict": "maybe"}, "verdict"),
        ({"reasoning": " "}, "reasoning"),
        ({"adoption": "oracle"}, "adoption"),
        ({"meeting_label": ""}, "meeting_label"),
        (
            {"adopted_on": timezone.localdate() + datetime.timedelta(days=1)},
            "adopted_on",
        ),
    ],
)
def test_bad_opinion_data_is_refused(secretariat_user, under_review, overrides, field):
    with pytest.raises(InvalidInput) as error:
        opinion_issue(
            actor=secretariat_user, request=under_review, data=_data(**overrides)
        )

    assert error.value.field == field
    assert Opinion.objects.count() == 0


def test_a_written_procedure_needs_no_meeting(secretariat_user, under_review):
    opinion = opinion_issue(
        actor=secretariat_user,
        request=under_review,
        data=_data(adoption="written", meeting_label=""),
    )

    assert opinion.adoption == "written"


def test_only_the_secretariat_issues(cleared_reviewer_user, under_review):
    with pytest.raises(PermissionDenied):
        opinion_issue(actor=cleared_reviewer_user, request=under_review, data=_data())


def test_publish_makes_the_request_public_and_audits_it(
    secretariat_user, under_review, django_capture_on_commit_callbacks
):
    opinion = opinion_issue(actor=secretariat_user, request=under_review, data=_data())

    with django_capture_on_commit_callbacks() as callbacks:
        published = opinion_publish(actor=secretariat_user, opinion=opinion)

    assert len(callbacks) == 1
    assert published.published_at is not None
    under_review.refresh_from_db()
    assert under_review.state == State.PUBLISHED
    entry = AuditEntry.objects.get(action="opinion_publish")
    assert entry.changes["state"] == ["opinion_issued", "published"]


def test_publishing_twice_is_a_conflict(secretariat_user, under_review):
    opinion = opinion_issue(actor=secretariat_user, request=under_review, data=_data())
    opinion_publish(actor=secretariat_user, opinion=opinion)

    with pytest.raises(Conflict, match="already published"):
        opinion_publish(actor=secretariat_user, opinion=opinion)


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(
    secretariat_user, under_review
):
    first = opinion_issue(actor=secretariat_user, request=under_review, data=_data())

    second = opinion_correct(
        actor=secretariat_user,
        opinion=first,
        data=_data(verdict="favorable", conditions=""),
        correction_note="Les réserves ont été levées en séance.",
    )

    first.refresh_from_db()
    assert first.verdict == "reserves"
    assert first.conditions == "Livrer au format PCRS v2.0."
    assert second.version == 2
    assert second.supersedes == first
    assert second.verdict == "favorable"
    assert second.positions == first.positions
    assert second.recusals == first.recusals
    assert second.published_at is None
    entry = AuditEntry.objects.get(action="opinion_correct")
    assert entry.changes["opinion.verdict"] == ["reserves", "favorable"]
    assert entry.changes["opinion.version"] == [1, 2]


def test_a_correction_of_a_published_opinion_is_published_at_once(
    secretariat_user, under_review, django_capture_on_commit_callbacks
):
    first = opinion_issue(actor=secretariat_user, request=under_review, data=_data())
    opinion_publish(actor=secretariat_user, opinion=first)

    with django_capture_on_commit_callbacks() as callbacks:
        second = opinion_correct(
            actor=secretariat_user,
            opinion=first,
            data=_data(reasoning="Motivation corrigée."),
            correction_note="Coquille dans la motivation.",
        )

    assert second.published_at is not None
    assert len(callbacks) == 1
    assert Opinion.objects.filter(request=under_review).count() == 2


def test_only_the_latest_version_is_corrected(secretariat_user, under_review):
    first = opinion_issue(actor=secretariat_user, request=under_review, data=_data())
    opinion_correct(
        actor=secretariat_user,
        opinion=first,
        data=_data(verdict="favorable"),
        correction_note="Réserves levées.",
    )

    with pytest.raises(Conflict, match="correct the latest version \\(2\\)"):
        opinion_correct(
            actor=secretariat_user,
            opinion=first,
            data=_data(verdict="unfavorable"),
            correction_note="Non.",
        )

    assert Opinion.objects.filter(request=under_review).count() == 2


@pytest.mark.parametrize(
    ("note", "data", "message"),
    [
        ("", _data(verdict="favorable"), "Say what this version corrects."),
        ("Rien.", _data(), "changes nothing"),
    ],
)
def test_a_correction_needs_a_note_and_a_change(
    secretariat_user, under_review, note, data, message
):
    first = opinion_issue(actor=secretariat_user, request=under_review, data=_data())

    with pytest.raises(InvalidInput, match=message):
        opinion_correct(
            actor=secretariat_user, opinion=first, data=data, correction_note=note
        )

    assert Opinion.objects.count() == 1


def test_publishing_an_older_version_is_refused(secretariat_user, under_review):
    first = opinion_issue(actor=secretariat_user, request=under_review, data=_data())
    opinion_correct(
        actor=secretariat_user,
        opinion=first,
        data=_data(verdict="favorable"),
        correction_note="Réserves levées.",
    )

    with pytest.raises(Conflict, match="Version 2 of this opinion is the latest"):
        opinion_publish(actor=secretariat_user, opinion=first)
