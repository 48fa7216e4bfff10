import datetime

import pytest
from django.core import mail
from django.utils import timezone

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.funding.models import (
    AuditEntry,
    CoFunder,
    FundingRequest,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.funding.services import (
    OpinionData,
    conflict_declare,
    opinion_issue,
    opinion_publish,
    position_record,
    request_decide_admissibility,
    request_set_deadline,
    request_start_review,
    request_submit,
    request_withdraw,
    reviewer_assign,
    reviewer_unassign,
    reviewers_remind,
)
from crig.funding.services.review import TRANSITIONS, _transition
from crig.funding.tests.factories import (
    FundingRequestFactory,
    OpinionFactory,
    ReviewerSeatFactory,
    SignatoryPositionFactory,
)
from crig.members.tests.factories import (
    MembershipFactory,
    ReviewerAssignmentFactory,
)

pytestmark = pytest.mark.usefixtures("english_messages")

State = FundingRequest.State
ALL_STATES = list(State)
SCORES = {
    "openness": 4,
    "standards": 3,
    "pooling": 2,
    "coverage_gap": 1,
    "needs_and_plan": 0,
}
ALLOWED = {
    (State.DRAFT, State.SUBMITTED),
    (State.DRAFT, State.WITHDRAWN),
    (State.SUBMITTED, State.ADMISSIBLE),
    (State.SUBMITTED, State.INADMISSIBLE),
    (State.SUBMITTED, State.WITHDRAWN),
    (State.ADMISSIBLE, State.UNDER_REVIEW),
    (State.ADMISSIBLE, State.WITHDRAWN),
    (State.UNDER_REVIEW, State.OPINION_ISSUED),
    (State.UNDER_REVIEW, State.WITHDRAWN),
    (State.OPINION_ISSUED, State.PUBLISHED),
}


def _in_future(days=20):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_the_transition_table_is_the_documented_state_machine():
    arrows = {
        (source, target)
        for source, targets in TRANSITIONS.items()
        for target in targets
    }
    assert arrows == ALLOWED
    assert set(TRANSITIONS) == set(State.values)


@pytest.mark.parametrize("target", ALL_STATES)
@pytest.mark.parametrize("source", ALL_STATES)
def test_every_arrow_of_the_state_machine(source, target, secretariat_user, territory):
    request = FundingRequestFactory(state=source)

    if (source, target) in ALLOWED:
        moved = _transition(request, target, secretariat_user, action="test")
        assert moved.state == target
        assert AuditEntry.objects.get(request=request).changes == {
            "state": [source.value, target.value]
        }
    else:
        with pytest.raises(Conflict):
            _transition(request, target, secretariat_user, action="test")
        request.refresh_from_db()
        assert request.state == source
        assert AuditEntry.objects.filter(request=request).count() == 0


def _act(action, request, people):
    if action == "submit":
        return request_submit(actor=people["member"], request=request)
    if action == "admissible":
        return request_decide_admissibility(
            actor=people["secretariat"], request=request, admissible=True
        )
    if action == "inadmissible":
        return request_decide_admissibility(
            actor=people["secretariat"],
            request=request,
            admissible=False,
            reason="Hors du champ des programmes.",
        )
    if action == "start_review":
        return request_start_review(
            actor=people["secretariat"], request=request, deadline=_in_future()
        )
    if action == "withdraw":
        return request_withdraw(
            actor=people["referent"], request=request, reason="Projet abandonné."
        )
    if action == "issue":
        return opinion_issue(
            actor=people["secretariat"],
            request=request,
            data=OpinionData(
                verdict="favorable",
                reasoning="Projet utile.",
                adopted_on=timezone.localdate(),
                adoption="written",
            ),
        ).request
    if action == "publish":
        return opinion_publish(
            actor=people["secretariat"], opinion=request.opinions.get()
        ).request
    raise AssertionError(action)


SERVICE_ARROWS = {
    "submit": ({State.DRAFT}, State.SUBMITTED),
    "admissible": ({State.SUBMITTED}, State.ADMISSIBLE),
    "inadmissible": ({State.SUBMITTED}, State.INADMISSIBLE),
    "start_review": ({State.ADMISSIBLE}, State.UNDER_REVIEW),
    "withdraw": (
        {State.DRAFT, State.SUBMITTED, State.ADMISSIBLE, State.UNDER_REVIEW},
        State.WITHDRAWN,
    ),
    "issue": ({State.UNDER_REVIEW}, State.OPINION_ISSUED),
    "publish": ({State.OPINION_ISSUED}, State.PUBLISHED),
}


@pytest.mark.parametrize("source", ALL_STATES)
@pytest.mark.parametrize("action", sorted(SERVICE_ARROWS))
def test_each_service_moves_only_from_its_states(
    action,
    source,
    funding_request,
    member_user,
    referent_user,
    secretariat_user,
    signatory,
):
    FundingRequest.objects.filter(pk=funding_request.pk).update(state=source)
    funding_request.refresh_from_db()
    SignatoryPositionFactory(request=funding_request, signatory=signatory)
    OpinionFactory(
        request=funding_request,
        published_at=timezone.now() if source == State.PUBLISHED else None,
    )
    people = {
        "member": member_user,
        "referent": referent_user,
        "secretariat": secretariat_user,
    }
    sources, target = SERVICE_ARROWS[action]
    if action == "issue":
        # An issued opinion is created by the service itself.
        funding_request.opinions.all().delete()

    if source in sources:
        assert _act(action, funding_request, people).state == target
    else:
        with pytest.raises(Conflict):
            _act(action, funding_request, people)
        funding_request.refresh_from_db()
        assert funding_request.state == source


def test_inadmissible_requires_a_reason(secretariat_user, funding_request):
    with pytest.raises(InvalidInput, match="Say why the request is inadmissible"):
        request_decide_admissibility(
            actor=secretariat_user, request=funding_request, admissible=False
        )

    funding_request.refresh_from_db()
    assert funding_request.state == State.SUBMITTED


def test_only_the_secretariat_decides_admissibility(referent_user, funding_request):
    with pytest.raises(PermissionDenied):
        request_decide_admissibility(
            actor=referent_user, request=funding_request, admissible=True
        )


@pytest.mark.parametrize("days", [0, -3])
def test_the_review_deadline_must_be_in_the_future(
    secretariat_user, funding_request, days
):
    FundingRequest.objects.filter(pk=funding_request.pk).update(state=State.ADMISSIBLE)

    with pytest.raises(InvalidInput, match="must be in the future"):
        request_start_review(
            actor=secretariat_user,
            request=funding_request,
            deadline=timezone.localdate() + datetime.timedelta(days=days),
        )

    funding_request.refresh_from_db()
    assert funding_request.state == State.ADMISSIBLE


def test_start_review_records_the_deadline(secretariat_user, funding_request):
    FundingRequest.objects.filter(pk=funding_request.pk).update(state=State.ADMISSIBLE)
    deadline = _in_future(30)

    request = request_start_review(
        actor=secretariat_user, request=funding_request, deadline=deadline
    )

    assert request.review_deadline == deadline
    assert AuditEntry.objects.get(action="request_start_review").changes == {
        "state": ["admissible", "under_review"],
        "review_deadline": [None, deadline.isoformat()],
    }


def test_the_deadline_moves_while_under_review(secretariat_user, funding_request):
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        state=State.UNDER_REVIEW, review_deadline=_in_future(5)
    )

    request = request_set_deadline(
        actor=secretariat_user, request=funding_request, deadline=_in_future(15)
    )

    assert request.review_deadline == _in_future(15)
    assert AuditEntry.objects.get(action="request_set_deadline").changes == {
        "review_deadline": [_in_future(5).isoformat(), _in_future(15).isoformat()]
    }


# --- Reviewers -----------------------------------------------------------------


def test_assign_seats_a_reviewer_and_emails_them_once_committed(
    secretariat_user,
    funding_request,
    reviewer_user,
    signatory,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seat = reviewer_assign(
            actor=secretariat_user,
            request=funding_request,
            reviewer=reviewer_user,
            signatory=signatory,
        )

    assert len(callbacks) == 1
    assert seat.conflict == ReviewerSeat.Conflict.UNDECLARED
    assert seat.conflict_suggested is False
    assert seat.assigned_by == secretariat_user
    entry = AuditEntry.objects.get(action="reviewer_assign")
    assert entry.changes["reviewer_seat"][1]["reviewer"] == "Rita Relectrice"


def test_assign_refuses_a_person_who_is_not_a_reviewer_of_the_signatory(
    secretariat_user, funding_request, plain_user, signatory
):
    with pytest.raises(InvalidInput, match="is not a reviewer of Région Occitanie"):
        reviewer_assign(
            actor=secretariat_user,
            request=funding_request,
            reviewer=plain_user,
            signatory=signatory,
        )

    assert ReviewerSeat.objects.count() == 0


def test_assign_twice_is_a_conflict(
    secretariat_user, funding_request, reviewer_user, signatory
):
    reviewer_assign(
        actor=secretariat_user,
        request=funding_request,
        reviewer=reviewer_user,
        signatory=signatory,
    )

    with pytest.raises(Conflict, match="already a reviewer"):
        reviewer_assign(
            actor=secretariat_user,
            request=funding_request,
            reviewer=reviewer_user,
            signatory=signatory,
        )


def test_only_the_secretariat_assigns(
    referent_user, funding_request, reviewer_user, signatory
):
    with pytest.raises(PermissionDenied):
        reviewer_assign(
            actor=referent_user,
            request=funding_request,
            reviewer=reviewer_user,
            signatory=signatory,
        )


@pytest.mark.parametrize("where", ["applicant", "cofunder"])
def test_a_conflict_is_suggested_for_a_member_of_the_applicant_or_a_cofunder(
    secretariat_user, funding_request, signatory, other_organisation, where
):
    reviewer = ReviewerAssignmentFactory(signatory=signatory).person
    if where == "applicant":
        MembershipFactory(person=reviewer, organisation=funding_request.applicant)
    else:
        CoFunder.objects.create(
            request=funding_request, organisation=other_organisation, amount=10
        )
        MembershipFactory(person=reviewer, organisation=other_organisation)

    seat = reviewer_assign(
        actor=secretariat_user,
        request=funding_request,
        reviewer=reviewer,
        signatory=signatory,
    )

    assert seat.conflict_suggested is True


def test_unassign_before_the_declaration(
    secretariat_user, funding_request, reviewer_user, signatory
):
    seat = reviewer_assign(
        actor=secretariat_user,
        request=funding_request,
        reviewer=reviewer_user,
        signatory=signatory,
    )

    reviewer_unassign(actor=secretariat_user, seat=seat)

    assert ReviewerSeat.objects.count() == 0
    entry = AuditEntry.objects.get(action="reviewer_unassign")
    assert entry.changes["reviewer_seat"][0]["reviewer"] == "Rita Relectrice"
    assert entry.changes["reviewer_seat"][1] is None


def test_unassign_after_the_declaration_is_refused(
    secretariat_user, cleared_reviewer_user, funding_request
):
    seat = ReviewerSeat.objects.get(reviewer=cleared_reviewer_user)

    with pytest.raises(Conflict, match="has declared their interests"):
        reviewer_unassign(actor=secretariat_user, seat=seat)

    assert ReviewerSeat.objects.filter(pk=seat.pk).exists()


def _seat(funding_request, signatory, reviewer_user):
    return ReviewerSeatFactory(
        request=funding_request, signatory=signatory, reviewer=reviewer_user
    )


def test_declaring_no_conflict_clears_the_reviewer(
    funding_request, signatory, reviewer_user
):
    seat = _seat(funding_request, signatory, reviewer_user)

    declared = conflict_declare(actor=reviewer_user, seat=seat, conflict=False)

    assert declared.conflict == ReviewerSeat.Conflict.NONE
    assert declared.declared_at is not None
    assert reviewer_user.has_perm("funding.view_request", funding_request)


def test_a_conflict_recuses_the_reviewer_and_the_audit_says_so(
    funding_request, signatory, reviewer_user
):
    seat = _seat(funding_request, signatory, reviewer_user)

    declared = conflict_declare(
        actor=reviewer_user,
        seat=seat,
        conflict=True,
        statement="Je siège au conseil d'administration du demandeur.",
    )

    assert declared.is_recused
    assert not reviewer_user.has_perm("funding.view_request", funding_request)
    entry = AuditEntry.objects.get(action="conflict_declare")
    assert entry.actor == reviewer_user
    assert entry.changes["recused"] == [False, True]
    assert entry.changes["reviewer_seat"][1]["conflict"] == "conflict"
    assert entry.changes["reviewer_seat"][1]["statement"] == (
        "Je siège au conseil d'administration du demandeur."
    )


def test_a_conflict_needs_a_statement(funding_request, signatory, reviewer_user):
    seat = _seat(funding_request, signatory, reviewer_user)

    with pytest.raises(InvalidInput, match="Describe the conflict of interest"):
        conflict_declare(actor=reviewer_user, seat=seat, conflict=True)

    seat.refresh_from_db()
    assert seat.conflict == ReviewerSeat.Conflict.UNDECLARED


def test_the_declaration_is_final(funding_request, signatory, reviewer_user):
    seat = _seat(funding_request, signatory, reviewer_user)
    conflict_declare(actor=reviewer_user, seat=seat, conflict=False)

    with pytest.raises(Conflict, match="final"):
        conflict_declare(actor=reviewer_user, seat=seat, conflict=True, statement="x")

    seat.refresh_from_db()
    assert seat.conflict == ReviewerSeat.Conflict.NONE


def test_only_the_seat_holder_declares(
    funding_request, signatory, reviewer_user, secretariat_user
):
    seat = _seat(funding_request, signatory, reviewer_user)

    with pytest.raises(PermissionDenied):
        conflict_declare(actor=secretariat_user, seat=seat, conflict=False)


# --- Positions -----------------------------------------------------------------


def _under_review(request):
    FundingRequest.objects.filter(pk=request.pk).update(
        state=State.UNDER_REVIEW, review_deadline=_in_future()
    )
    request.refresh_from_db()
    return request


def test_a_cleared_reviewer_records_the_position_and_may_replace_it(
    funding_request, signatory, cleared_reviewer_user
):
    _under_review(funding_request)

    position_record(
        actor=cleared_reviewer_user,
        request=funding_request,
        signatory=signatory,
        position="favorable",
        comments="Bon projet.",
        scores=SCORES,
    )
    replaced = position_record(
        actor=cleared_reviewer_user,
        request=funding_request,
        signatory=signatory,
        position="reserves",
        comments="Sous réserve du standard PCRS.",
        scores={**SCORES, "standards": 1},
    )

    assert SignatoryPosition.objects.count() == 1
    assert replaced.position == "reserves"
    assert replaced.scores == {**SCORES, "standards": 1}
    first, second = AuditEntry.objects.filter(action="position_record")
    assert first.changes["signatory_position"][0] is None
    assert second.changes["signatory_position"][0]["position"] == "favorable"
    assert second.changes["signatory_position"][1]["position"] == "reserves"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({k: v for k, v in SCORES.items() if k != "pooling"}, "missing: Pooling"),
        ({**SCORES, "openness": 5}, "from 0 to 4"),
        ({**SCORES, "openness": -1}, "from 0 to 4"),
        ({**SCORES, "openness": True}, "from 0 to 4"),
        ({**SCORES, "beauty": 2}, "Unknown criteria: beauty."),
    ],
)
def test_every_criterion_is_scored_from_0_to_4(
    funding_request, signatory, cleared_reviewer_user, scores, message
):
    _under_review(funding_request)

    with pytest.raises(InvalidInput, match=message):
        position_record(
            actor=cleared_reviewer_user,
            request=funding_request,
            signatory=signatory,
            position="favorable",
            scores=scores,
        )

    assert SignatoryPosition.objects.count() == 0


def test_a_position_outside_the_review_is_a_conflict(
    funding_request, signatory, cleared_reviewer_user
):
    with pytest.raises(Conflict, match="under review"):
        position_record(
            actor=cleared_reviewer_user,
            request=funding_request,
            signatory=signatory,
            position="favorable",
            scores=SCORES,
        )


def test_a_recused_reviewer_records_no_position(
    funding_request, signatory, recused_reviewer_user
):
    _under_review(funding_request)

    with pytest.raises(PermissionDenied):
        position_record(
            actor=recused_reviewer_user,
            request=funding_request,
            signatory=signatory,
            position="favorable",
            scores=SCORES,
        )


def test_a_reviewer_records_only_for_their_own_signatory(
    funding_request, cleared_reviewer_user
):
    _under_review(funding_request)
    other = ReviewerAssignmentFactory().signatory

    with pytest.raises(PermissionDenied):
        position_record(
            actor=cleared_reviewer_user,
            request=funding_request,
            signatory=other,
            position="favorable",
            scores=SCORES,
        )


# --- Reminders -----------------------------------------------------------------


def test_reminders_go_to_undeclared_and_positionless_seats_near_the_deadline(
    funding_request, signatory, cleared_reviewer_user, recused_reviewer_user
):
    _under_review(funding_request)
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        review_deadline=_in_future(3)
    )
    undeclared = ReviewerAssignmentFactory(
        person__email="late@example.org", signatory=signatory
    ).person
    ReviewerSeatFactory(
        request=funding_request, signatory=signatory, reviewer=undeclared
    )

    sent = reviewers_remind()

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "late@example.org",
        "reviewer@example.org",
    ]
    assert reviewers_remind() == 0
    assert len(mail.outbox) == 2


def test_no_reminder_far_from_the_deadline_or_once_the_position_is_recorded(
    funding_request, signatory, cleared_reviewer_user
):
    _under_review(funding_request)
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        review_deadline=_in_future(8)
    )

    assert reviewers_remind() == 0

    SignatoryPositionFactory(request=funding_request, signatory=signatory)
    assert reviewers_remind(today=_in_future(8)) == 0
    assert mail.outbox == []


def test_a_reminder_again_the_next_day(funding_request, cleared_reviewer_user):
    _under_review(funding_request)
    FundingRequest.objects.filter(pk=funding_request.pk).update(
        review_deadline=_in_future(1)
    )

    assert reviewers_remind() == 1
    assert reviewers_remind(today=_in_future(1)) == 1
    assert len(mail.outbox) == 2
