"""E-mails of the funding procedure: a reviewer is told of their seat, reminded
before the deadline, and the applicant's members and the signatory's reviewers
are told when the opinion (or a correction of it) is published.

**What an e-mail says.** Never more than its reader may see: a reviewer's seat
and reminder name the request's title, reference and applicant (what a reviewer
needs to judge a conflict of interest) and link to its page, which asks for the
declaration first; the publication e-mail gives the verdict, which is public
from then on.

**Language.** French, the platform's language: people have no language
preference (the language switch is a cookie of the browser, unknown to a
background job). Links are absolute (``settings.SITE_URL``).

**Once.** A task claims its row (``ReviewerSeat.assignment_notified_at``,
``Opinion.notified_at``) before sending, so that a second run sends nothing; if
the mail server fails, the claim is released and the error raised, so that
running the task again sends the e-mails (possibly twice to the people served
before the failure, which is better than never). Reminders are claimed through
``ReviewerSeat.reminded_at`` by ``reviewers_remind``.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crig.funding.models import Opinion, ReviewerSeat
from crig.members.models import User

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def _reachable(user: User | None) -> bool:
    return bool(user is not None and user.is_active and user.email)


def _render(template: str, context: dict, recipients: list[User]):
    """One message per person, in French, from ``funding/email/<template>``
    (``_subject.txt``, ``.txt`` and ``.html``)."""
    context = {"crig_name": settings.CRIG_NAME, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"funding/email/{template}_subject.txt", context).split()
        )
        messages = []
        for person in recipients:
            personal = {**context, "person": person}
            body = render_to_string(f"funding/email/{template}.txt", personal)
            html = render_to_string(f"funding/email/{template}.html", personal)
            message = EmailMultiAlternatives(subject, body, to=[person.email])
            message.attach_alternative(html, "text/html")
            messages.append(message)
    return messages


def _send(messages) -> None:
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)


def _seat_context(seat: ReviewerSeat) -> dict:
    request = seat.request
    return {
        "seat": seat,
        "request": request,
        "signatory": seat.signatory,
        "applicant": request.applicant,
        "request_url": _absolute(request.get_absolute_url()),
        "deadline": request.review_deadline,
    }


def reviewer_seat_notify(*, seat_id: int) -> int:
    """E-mail the reviewer about their new seat, once; returns the number of
    e-mails sent (0 when already done, or for a seat removed since)."""
    claimed = ReviewerSeat.objects.filter(
        pk=seat_id, assignment_notified_at__isnull=True
    ).update(assignment_notified_at=timezone.now())
    if not claimed:
        return 0
    seat = ReviewerSeat.objects.select_related(
        "request__applicant", "reviewer", "signatory__organisation"
    ).get(pk=seat_id)
    if not _reachable(seat.reviewer):
        return 0
    try:
        messages = _render("reviewer_seat", _seat_context(seat), [seat.reviewer])
        _send(messages)
    except Exception:
        logger.warning("Notification of reviewer seat %s not sent", seat_id)
        ReviewerSeat.objects.filter(pk=seat_id).update(assignment_notified_at=None)
        raise
    return len(messages)


def reminder_send(seat: ReviewerSeat, *, today) -> None:
    """The reminder of one seat (claimed by ``reviewers_remind``): to declare,
    or to record the signatory's position."""
    if not _reachable(seat.reviewer):
        return
    context = {
        **_seat_context(seat),
        "to_declare": seat.conflict == ReviewerSeat.Conflict.UNDECLARED,
        "overdue": seat.request.review_deadline < today,
    }
    _send(_render("reminder", context, [seat.reviewer]))


def opinion_recipients(opinion: Opinion) -> list[User]:
    """The applicant's members and the reviewers of the signatory the request
    reached, each once, active only, ordered by e-mail address."""
    request = opinion.request
    people = User.objects.filter(is_active=True).exclude(email="")
    members = people.filter(memberships__organisation_id=request.applicant_id)
    reviewers = people.filter(reviewer_assignments__signatory_id=request.signatory_id)
    chosen = {user.pk: user for user in [*members, *reviewers]}
    return sorted(chosen.values(), key=lambda user: user.email)


def opinion_notify(*, opinion_id: int) -> int:
    """E-mail the people concerned that an opinion (or a corrected version) is
    published, once; returns the number of e-mails sent."""
    claimed = Opinion.objects.filter(
        pk=opinion_id, notified_at__isnull=True, published_at__isnull=False
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    opinion = Opinion.objects.select_related(
        "request__applicant", "request__signatory__organisation"
    ).get(pk=opinion_id)
    try:
        context = {
            "opinion": opinion,
            "request": opinion.request,
            "opinion_url": _absolute(opinion.get_absolute_url()),
            "corrected": opinion.version > 1,
        }
        messages = _render("opinion_published", context, opinion_recipients(opinion))
        _send(messages)
    except Exception:
        logger.warning("Notification of opinion %s not sent", opinion_id)
        Opinion.objects.filter(pk=opinion_id).update(notified_at=None)
        raise
    return len(messages)
