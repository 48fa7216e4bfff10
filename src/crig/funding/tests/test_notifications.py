"""E-mails of the procedure, read in French as people receive them."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crig.funding.models import FundingRequest, Opinion, ReviewerSeat
from crig.funding.services import (
    OpinionData,
    opinion_correct,
    opinion_publish,
    reviewer_assign,
)
from crig.funding.services.notifications import opinion_notify, reviewer_seat_notify
from crig.funding.tasks import opinion_notify_task, reviewer_seat_notify_task
from crig.funding.tests.factories import OpinionFactory, ReviewerSeatFactory
from crig.members.tests.factories import MembershipFactory, ReviewerAssignmentFactory

State = FundingRequest.State


@pytest.fixture
def seat(funding_request, signatory, reviewer_user):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        reference="FIN-2024-007",
        review_deadline=datetime.date(2024, 4, 15),
    )
    return ReviewerSeatFactory(
        request=funding_request, signatory=signatory, reviewer=reviewer_user
    )


def test_assigning_a_reviewer_queues_the_email_task_once_committed(
    secretariat_user,
    funding_request,
    reviewer_user,
    signatory,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        seat = reviewer_assign(
            actor=secretariat_user,
            request=funding_request,
            reviewer=reviewer_user,
            signatory=signatory,
        )

    task = DBTaskResult.objects.get()
    assert task.task_path == "crig.funding.tasks.reviewer_seat_notify_task"
    assert task.args_kwargs == {"args": [seat.pk], "kwargs": {}}


def test_the_reviewer_is_emailed_in_french_with_an_absolute_link(seat, settings):
    settings.SITE_URL = "https://crig.example.org"

    reviewer_seat_notify_task.call(seat.pk)

    (message,) = mail.outbox
    assert message.to == ["reviewer@example.org"]
    assert message.subject == (
        "[CRIG Occitanie] Demande de financement FIN-2024-007 « PCRS de Toulouse » "
        "à examiner"
    )
    assert (
        "vous demande d’examiner, pour Région Occitanie, la demande de financement "
        "FIN-2024-007 « PCRS de Toulouse » de Conseil départemental de la "
        "Haute-Garonne."
    ) in message.body
    assert "Les positions sont attendues pour le 15 avril 2024." in message.body
    assert f"https://crig.example.org/financements/{seat.request_id}/" in message.body
    assert "Détail confidentiel" not in message.body
    html = message.alternatives[0][0]
    assert f'href="https://crig.example.org/financements/{seat.request_id}/"' in html


def test_a_suggested_conflict_is_said(seat):
    ReviewerSeat.objects.filter(pk=seat.pk).update(conflict_suggested=True)

    reviewer_seat_notify(seat_id=seat.pk)

    assert "La plateforme suggère un conflit d’intérêts" in mail.outbox[0].body


def test_the_seat_email_is_sent_once_however_often_the_task_runs(seat):
    assert reviewer_seat_notify(seat_id=seat.pk) == 1
    assert reviewer_seat_notify(seat_id=seat.pk) == 0

    assert len(mail.outbox) == 1


def test_a_mail_server_failure_releases_the_claim(seat):
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("SMTP down"),
    ):
        with pytest.raises(OSError, match="SMTP down"):
            reviewer_seat_notify(seat_id=seat.pk)

    seat.refresh_from_db()
    assert seat.assignment_notified_at is None
    assert reviewer_seat_notify(seat_id=seat.pk) == 1


@pytest.fixture
def issued(funding_request, signatory, referent_user, member_user, reviewer_user):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=State.OPINION_ISSUED, reference="FIN-2024-007"
    )
    funding_request.refresh_from_db()
    return OpinionFactory(
        request=funding_request,
        verdict=Opinion.Verdict.FAVORABLE_WITH_RESERVATIONS,
        conditions="Livrer au format PCRS v2.0.",
    )


def test_publication_emails_the_applicants_members_and_the_signatorys_reviewers(
    issued, secretariat_user, other_organisation, django_capture_on_commit_callbacks
):
    inactive = MembershipFactory(organisation=issued.request.applicant).person
    inactive.is_active = False
    inactive.save()
    MembershipFactory(organisation=other_organisation)
    ReviewerAssignmentFactory()  # a reviewer of another signatory

    with django_capture_on_commit_callbacks(execute=True):
        opinion_publish(actor=secretariat_user, opinion=issued)
    opinion_notify_task.call(issued.pk)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@example.org",
        "referent@example.org",
        "reviewer@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == (
        "[CRIG Occitanie] Avis sur FIN-2024-007 : Favorable avec réserves"
    )
    assert "Le conseil a publié son avis sur la demande de financement" in message.body
    assert "Livrer au format PCRS v2.0." in message.body
    assert f"/financements/avis/{issued.pk}/" in message.body


def test_the_publication_email_is_sent_once(issued):
    Opinion.objects.filter(pk=issued.pk).update(published_at=timezone.now())

    first = opinion_notify(opinion_id=issued.pk)
    second = opinion_notify(opinion_id=issued.pk)

    assert (first, second) == (3, 0)


def test_an_unpublished_opinion_is_not_announced(issued):
    assert opinion_notify(opinion_id=issued.pk) == 0
    assert mail.outbox == []


def test_a_published_correction_is_announced_as_such(
    issued, secretariat_user, django_capture_on_commit_callbacks
):
    opinion_publish(actor=secretariat_user, opinion=issued)
    corrected = opinion_correct(
        actor=secretariat_user,
        opinion=issued,
        data=OpinionData(
            verdict="favorable",
            reasoning="Réserves levées.",
            adopted_on=timezone.localdate(),
            adoption="written",
        ),
        correction_note="Les réserves ont été levées.",
    )

    opinion_notify(opinion_id=corrected.pk)

    message = mail.outbox[0]
    assert message.subject == (
        "[CRIG Occitanie] Avis sur FIN-2024-007 corrigé (version 2)"
    )
    assert "Les réserves ont été levées." in message.body
