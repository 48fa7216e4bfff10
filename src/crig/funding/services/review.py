"""The review: admissibility, reviewers and their declarations, signatories'
positions, reminders. CONTRACT (signatures fixed).

State machine (a ``TRANSITIONS`` table in this module, tested): draft →
submitted → admissible | inadmissible; admissible → under_review; under_review →
opinion_issued (``opinions.opinion_issue``) → published
(``opinions.opinion_publish``); withdrawn from any state before opinion_issued.
"""

import datetime

from crig.funding.models import FundingRequest, ReviewerSeat, SignatoryPosition


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
