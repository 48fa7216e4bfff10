"""The review: admissibility, reviewers and their declarations, signatories'
positions, reminders. CONTRACT (signatures fixed).

State machine (a ``TRANSITIONS`` table in this module, tested): draft →
submitted → admissible | inadmissible; admissible → under_review; under_review →
opinion_issued (``opinions.opinion_issue``) → published
(``opinions.opinion_publish``); withdrawn from any state before opinion_issued.
"""

import datetime

from django.utils.translation import gettext as _

from crig.core.errors import Conflict
from crig.funding.models import FundingRequest, ReviewerSeat, SignatoryPosition
from crig.funding.services._common import audit

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


def request_decide_admissibility(
    *, actor, request: FundingRequest, admissible: bool, reason: str = ""
) -> FundingRequest:
    """Submitted → admissible, or → inadmissible (a reason is required)."""
    raise NotImplementedError


def request_start_review(
    *, actor, request: FundingRequest, deadline: datetime.date
) -> FundingRequest:
    """Admissible → under review, with the deadline for positions (in the future)."""
    raise NotImplementedError


def reviewer_assign(
    *, actor, request: FundingRequest, reviewer, signatory
) -> ReviewerSeat:
    """Seat a reviewer of ``signatory`` (they must hold a ReviewerAssignment for
    it). Suggests a conflict when the reviewer belongs to the applicant or to a
    co-funder. E-mails the reviewer (on commit)."""
    raise NotImplementedError


def reviewer_unassign(*, actor, seat: ReviewerSeat) -> None:
    """Only before the reviewer declared."""
    raise NotImplementedError


def conflict_declare(
    *, actor, seat: ReviewerSeat, conflict: bool, statement: str = ""
) -> ReviewerSeat:
    """The reviewer declares, before seeing the file; a conflict recuses them (a
    statement is required then) and the record says so. Final."""
    raise NotImplementedError


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
    raise NotImplementedError


def reviewers_remind(*, today: datetime.date | None = None) -> int:
    """E-mail the reviewers who have not declared, and the signatories without a
    position, on requests whose deadline is within 7 days or past; at most one
    reminder per seat per day. Returns the number of e-mails. Run daily
    (``crig funding remind``)."""
    raise NotImplementedError
