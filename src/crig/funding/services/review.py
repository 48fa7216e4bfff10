"""The review: admissibility, reviewers and their declarations, signatories'
positions, reminders. CONTRACT (signatures fixed).

State machine (a ``TRANSITIONS`` table in this module, tested): draft →
submitted → admissible | inadmissible; admissible → under_review; under_review →
opinion_issued (``opinions.opinion_issue``) → published
(``opinions.opinion_publish``); withdrawn from any state before opinion_issued.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.funding.models import (
    Criterion,
    FundingRequest,
    Position,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.funding.rules import BEFORE_OPINION, is_cleared_reviewer, is_seat_holder
from crig.funding.services._common import audit, diff, require
from crig.members.models import Membership, ReviewerAssignment

logger = logging.getLogger(__name__)

State = FundingRequest.State

# The whole state machine: every change of state goes through ``_transition``,
# which refuses any arrow not listed here. Withdrawal is possible until the
# opinion is issued; an inadmissible, withdrawn or published request is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SUBMITTED, State.WITHDRAWN}),
    State.SUBMITTED: frozenset({State.ADMISSIBLE, State.INADMISSIBLE, State.WITHDRAWN}),
    State.ADMISSIBLE: frozenset({State.UNDER_REVIEW, State.WITHDRAWN}),
    State.INADMISSIBLE: frozenset(),
    State.UNDER_REVIEW: frozenset({State.OPINION_ISSUED, State.WITHDRAWN}),
    State.OPINION_ISSUED: frozenset({State.PUBLISHED}),
    State.PUBLISHED: frozenset(),
    State.WITHDRAWN: frozenset(),
}


def _transition(
    request: FundingRequest,
    to_state: str,
    actor,
    reason: str = "",
    *,
    action: str,
    changes: dict | None = None,
    **fields,
) -> FundingRequest:
    """Move ``request`` to ``to_state`` if the table allows it from its current
    state (read again under a row lock, so that two concurrent decisions cannot
    both pass), set ``fields``, and write the audit entry ``action`` with the
    state change, the reason and ``changes``. ``Conflict`` otherwise."""
    locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
    from_state = locked.state
    if to_state not in TRANSITIONS[from_state]:
        if from_state == to_state:
            raise Conflict(
                _("The request is already “%(state)s”.")
                % {"state": State(from_state).label}
            )
        raise Conflict(
            _("A request in the state “%(state)s” cannot become “%(target)s”.")
            % {"state": State(from_state).label, "target": State(to_state).label}
        )
    all_changes = {"state": [from_state, to_state]}
    if reason or locked.state_reason:
        if reason != locked.state_reason:
            all_changes["state_reason"] = [locked.state_reason, reason]
        locked.state_reason = reason
    for name, value in fields.items():
        before = getattr(locked, name)
        if before != value:
            all_changes[name] = [before, value]
        setattr(locked, name, value)
    locked.state = to_state
    locked.save()
    all_changes.update(changes or {})
    audit(locked, action, actor=actor, changes=all_changes)
    return locked


# Reviewers are reminded when the deadline is this close, or past.
REMINDER_WINDOW_DAYS = 7
SCORE_RANGE = range(0, 5)


def _seat_record(seat: ReviewerSeat, **extra) -> dict:
    """How the audit trail names a seat."""
    return {
        "reviewer_id": seat.reviewer_id,
        "reviewer": str(seat.reviewer),
        "signatory": str(seat.signatory),
        "conflict": seat.conflict,
        **extra,
    }


@transaction.atomic
def request_decide_admissibility(
    *, actor, request: FundingRequest, admissible: bool, reason: str = ""
) -> FundingRequest:
    """Submitted → admissible, or → inadmissible (a reason is required)."""
    require(
        actor,
        "funding.decide_admissibility",
        request,
        _("Only the secretariat decides whether a request is admissible."),
    )
    reason = (reason or "").strip()
    if not admissible and not reason:
        raise InvalidInput(
            _("Say why the request is inadmissible: the applicant will read it."),
            field="reason",
        )
    return _transition(
        request,
        State.ADMISSIBLE if admissible else State.INADMISSIBLE,
        actor,
        reason,
        action="request_decide_admissibility",
    )


def _check_deadline(deadline) -> None:
    if not isinstance(deadline, datetime.date) or deadline <= timezone.localdate():
        raise InvalidInput(
            _("The deadline for the positions must be in the future."),
            field="deadline",
        )


@transaction.atomic
def request_start_review(
    *, actor, request: FundingRequest, deadline: datetime.date
) -> FundingRequest:
    """Admissible → under review, with the deadline for positions (in the future)."""
    require(
        actor,
        "funding.start_review",
        request,
        _("Only the secretariat starts the review of a request."),
    )
    _check_deadline(deadline)
    return _transition(
        request,
        State.UNDER_REVIEW,
        actor,
        action="request_start_review",
        review_deadline=deadline,
    )


@transaction.atomic
def request_set_deadline(
    *, actor, request: FundingRequest, deadline: datetime.date
) -> FundingRequest:
    """Move the deadline for positions of a request under review (in the
    future); the reminders follow the new date."""
    require(
        actor,
        "funding.start_review",
        request,
        _("Only the secretariat sets the deadline of a review."),
    )
    _check_deadline(deadline)
    locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != State.UNDER_REVIEW:
        raise Conflict(
            _("The deadline can only be moved while the request is under review.")
        )
    before = locked.review_deadline
    if before != deadline:
        locked.review_deadline = deadline
        locked.save(update_fields=["review_deadline", "updated_at"])
        audit(
            locked,
            "request_set_deadline",
            actor=actor,
            changes={"review_deadline": [before, deadline]},
        )
    return locked


def _check_before_opinion(request: FundingRequest, message) -> None:
    if request.state not in BEFORE_OPINION:
        raise Conflict(message % {"state": State(request.state).label})


def _conflict_suggested(request: FundingRequest, reviewer) -> bool:
    """The reviewer belongs to the applicant or to a co-funder of the directory,
    or entered the request themself."""
    if request.entered_by_id == reviewer.pk:
        return True
    organisations = {request.applicant_id} | set(
        request.cofunders.exclude(organisation=None).values_list(
            "organisation_id", flat=True
        )
    )
    return Membership.objects.filter(
        person=reviewer, organisation_id__in=organisations
    ).exists()


@transaction.atomic
def reviewer_assign(
    *, actor, request: FundingRequest, reviewer, signatory
) -> ReviewerSeat:
    """Seat a reviewer of ``signatory`` (they must hold a ReviewerAssignment for
    it). Suggests a conflict when the reviewer belongs to the applicant or to a
    co-funder. E-mails the reviewer (on commit)."""
    require(
        actor,
        "funding.assign_reviewers",
        request,
        _("Only the secretariat assigns reviewers."),
    )
    request = FundingRequest.objects.select_for_update().get(pk=request.pk)
    _check_before_opinion(
        request, _("Reviewers cannot be assigned to a request that is “%(state)s”.")
    )
    if not (
        reviewer is not None
        and reviewer.is_active
        and ReviewerAssignment.objects.filter(
            person=reviewer, signatory=signatory
        ).exists()
    ):
        raise InvalidInput(
            _("%(person)s is not a reviewer of %(signatory)s.")
            % {"person": reviewer, "signatory": signatory},
            field="reviewer",
        )
    if ReviewerSeat.objects.filter(request=request, reviewer=reviewer).exists():
        raise Conflict(
            _("%(person)s is already a reviewer of this request.")
            % {"person": reviewer}
        )
    seat = ReviewerSeat.objects.create(
        request=request,
        signatory=signatory,
        reviewer=reviewer,
        conflict_suggested=_conflict_suggested(request, reviewer),
        assigned_by=actor,
    )
    audit(
        request,
        "reviewer_assign",
        actor=actor,
        changes={
            "reviewer_seat": [
                None,
                _seat_record(seat, conflict_suggested=seat.conflict_suggested),
            ]
        },
    )
    from crig.funding.tasks import reviewer_seat_notify_task

    seat_id = seat.pk
    transaction.on_commit(lambda: reviewer_seat_notify_task.enqueue(seat_id))
    return seat


@transaction.atomic
def reviewer_unassign(*, actor, seat: ReviewerSeat) -> None:
    """Only before the reviewer declared."""
    require(
        actor,
        "funding.assign_reviewers",
        seat.request,
        _("Only the secretariat assigns reviewers."),
    )
    locked = (
        ReviewerSeat.objects.select_for_update()
        .select_related("reviewer", "signatory__organisation", "request")
        .get(pk=seat.pk)
    )
    if locked.conflict != ReviewerSeat.Conflict.UNDECLARED:
        raise Conflict(
            _("%(person)s has declared their interests: the seat stays on the record.")
            % {"person": locked.reviewer}
        )
    record = _seat_record(locked)
    request = locked.request
    locked.delete()
    audit(
        request,
        "reviewer_unassign",
        actor=actor,
        changes={"reviewer_seat": [record, None]},
    )


@transaction.atomic
def conflict_declare(
    *, actor, seat: ReviewerSeat, conflict: bool, statement: str = ""
) -> ReviewerSeat:
    """The reviewer declares, before seeing the file; a conflict recuses them (a
    statement is required then) and the record says so. Final."""
    if actor is None or not is_seat_holder.test(actor, seat):
        raise PermissionDenied(_("Only the reviewer seated may make this declaration."))
    locked = (
        ReviewerSeat.objects.select_for_update()
        .select_related("reviewer", "signatory__organisation", "request")
        .get(pk=seat.pk)
    )
    if locked.conflict != ReviewerSeat.Conflict.UNDECLARED:
        raise Conflict(_("Your declaration has been made and is final."))
    _check_before_opinion(
        locked.request,
        _("The request is “%(state)s”: no declaration is expected any more."),
    )
    statement = (statement or "").strip()
    if conflict and not statement:
        raise InvalidInput(
            _("Describe the conflict of interest: the record keeps it."),
            field="statement",
        )
    before = _seat_record(locked)
    locked.conflict = (
        ReviewerSeat.Conflict.CONFLICT if conflict else ReviewerSeat.Conflict.NONE
    )
    locked.conflict_statement = statement
    locked.declared_at = timezone.now()
    locked.save(
        update_fields=["conflict", "conflict_statement", "declared_at", "updated_at"]
    )
    audit(
        locked.request,
        "conflict_declare",
        actor=actor,
        changes={
            "reviewer_seat": [before, _seat_record(locked, statement=statement)],
            "recused": [False, conflict],
        },
    )
    return locked


def _clean_scores(scores) -> dict[str, int]:
    if not isinstance(scores, dict):
        scores = {}
    missing = [c.label for c in Criterion if c.value not in scores]
    if missing:
        raise InvalidInput(
            _("Score every criterion; missing: %(criteria)s.")
            % {"criteria": ", ".join(str(label) for label in missing)},
            field="scores",
        )
    unknown = sorted(set(scores) - set(Criterion.values))
    if unknown:
        raise InvalidInput(
            _("Unknown criteria: %(criteria)s.") % {"criteria": ", ".join(unknown)},
            field="scores",
        )
    cleaned = {}
    for criterion in Criterion:
        value = scores[criterion.value]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value not in SCORE_RANGE
        ):
            raise InvalidInput(
                _("The score of “%(criterion)s” must be a whole number from 0 to 4.")
                % {"criterion": criterion.label},
                field="scores",
            )
        cleaned[criterion.value] = value
    return cleaned


def _position_record(position: SignatoryPosition | None) -> dict | None:
    if position is None:
        return None
    return {
        "signatory": str(position.signatory),
        "position": position.position,
        "comments": position.comments,
        "scores": position.scores,
    }


@transaction.atomic
def position_record(
    *,
    actor,
    request: FundingRequest,
    signatory,
    position: str,
    comments: str = "",
    scores: dict[str, int],
) -> SignatoryPosition:
    """A cleared reviewer of ``signatory`` records (or replaces, while under
    review) its position, scoring every published criterion 0–4."""
    if actor is None or not (
        is_cleared_reviewer.test(actor, request)
        and ReviewerSeat.objects.filter(
            request=request,
            reviewer=actor,
            signatory=signatory,
            conflict=ReviewerSeat.Conflict.NONE,
        ).exists()
    ):
        raise PermissionDenied(
            _(
                "Only a reviewer of %(signatory)s seated on this request, who "
                "declared no conflict of interest, records its position."
            )
            % {"signatory": signatory}
        )
    locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != State.UNDER_REVIEW:
        raise Conflict(
            _(
                "Positions are recorded while the request is under review; "
                "it is “%(state)s”."
            )
            % {"state": State(locked.state).label}
        )
    if position not in Position.values:
        raise InvalidInput(_("Choose a position from the list."), field="position")
    cleaned_scores = _clean_scores(scores)
    existing = (
        SignatoryPosition.objects.select_for_update()
        .select_related("signatory__organisation")
        .filter(request=locked, signatory=signatory)
        .first()
    )
    before = _position_record(existing)
    record = existing or SignatoryPosition(request=locked, signatory=signatory)
    record.position = position
    record.comments = (comments or "").strip()
    record.scores = cleaned_scores
    record.recorded_by = actor
    record.save()
    changes = diff(
        {"signatory_position": before}, {"signatory_position": _position_record(record)}
    )
    if changes:
        audit(locked, "position_record", actor=actor, changes=changes)
    return record


def _reminder_due(start_of_today) -> Q:
    return Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_today)


def reviewers_remind(*, today: datetime.date | None = None) -> int:
    """E-mail the reviewers who have not declared, and the signatories without a
    position, on requests whose deadline is within 7 days or past; at most one
    reminder per seat per day. Returns the number of e-mails. Run daily
    (``crig funding remind``)."""
    from crig.funding.services.notifications import reminder_send

    today = today or timezone.localdate()
    start_of_today = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time.min)
    )
    has_position = SignatoryPosition.objects.filter(
        request=OuterRef("request"), signatory=OuterRef("signatory")
    )
    seats = (
        ReviewerSeat.objects.filter(
            request__state=State.UNDER_REVIEW,
            request__review_deadline__lte=today
            + datetime.timedelta(days=REMINDER_WINDOW_DAYS),
            reviewer__is_active=True,
        )
        .filter(
            Q(conflict=ReviewerSeat.Conflict.UNDECLARED)
            | Q(conflict=ReviewerSeat.Conflict.NONE) & ~Exists(has_position)
        )
        .filter(_reminder_due(start_of_today))
        .select_related("request", "reviewer", "signatory__organisation")
        .order_by("request__review_deadline", "pk")
    )
    sent = 0
    for seat in seats:
        now = timezone.now()
        # Claim the seat first, so that two runs on the same day send once.
        with transaction.atomic():
            claimed = (
                ReviewerSeat.objects.filter(pk=seat.pk)
                .filter(_reminder_due(start_of_today))
                .update(reminded_at=now)
            )
            if not claimed:
                continue
            audit(
                seat.request,
                "reviewers_remind",
                actor=None,
                changes={
                    "reminded": [
                        None,
                        _seat_record(
                            seat,
                            reminded_for=(
                                "declaration"
                                if seat.conflict == ReviewerSeat.Conflict.UNDECLARED
                                else "position"
                            ),
                        ),
                    ]
                },
            )
        try:
            reminder_send(seat, today=today)
        except Exception:
            logger.warning("Reminder of reviewer seat %s not sent", seat.pk)
            ReviewerSeat.objects.filter(pk=seat.pk).update(reminded_at=seat.reminded_at)
            raise
        sent += 1
    return sent
