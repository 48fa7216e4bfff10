"""E-mails to the people involved in a need when the secretariat changes its state,
merges it or splits it (a submission is not announced: its author just made it).

**Who.** For each need concerned — the need itself; for a merge also the need it
went into (whose supports now include the duplicate's); for a split also the new
parts —: its author and its contact, and the author of each of its supports. An
organisation whose person cannot be reached any more (account closed, deactivated
or deleted) is not left out: the referents of that organisation are e-mailed
instead. Each person once, whatever their number of roles; never the person who
made the change; never an inactive account.

**Language.** French, the platform's language: people have no language preference
(the language switch is a cookie of the browser, unknown to a background job).

**Once.** ``need_event_notify`` claims the history entry by setting
``NeedEvent.notified_at`` before sending, so that a second run (or a concurrent
one) sends nothing; if the mail server fails, the claim is released and the error
raised, so that running the task again sends the e-mails (possibly twice to the
people served before the failure, which is better than never).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crig.members.models import Membership, User
from crig.needs.models import Need, NeedEvent

logger = logging.getLogger(__name__)

NOTIFIED_KINDS = frozenset(
    {NeedEvent.Kind.STATE_CHANGED, NeedEvent.Kind.MERGED, NeedEvent.Kind.SPLIT}
)


def _needs_concerned(event: NeedEvent) -> list[Need]:
    needs = [event.need]
    if event.kind == NeedEvent.Kind.MERGED and event.related_need_id:
        needs.append(event.related_need)
    if event.kind == NeedEvent.Kind.SPLIT:
        needs.extend(event.need.split_needs.order_by("pk"))
    return needs


def _reachable(user: User | None) -> bool:
    return bool(user is not None and user.is_active and user.email)


def _referents(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__role=Membership.Role.REFERENT,
        )
    )


def need_event_recipients(event: NeedEvent) -> list[User]:
    """The people to e-mail about a history entry (see the module docstring),
    ordered by e-mail address."""
    people: dict[int, User] = {}

    def add(users):
        for user in users:
            if _reachable(user):
                people[user.pk] = user

    for need in _needs_concerned(event):
        need_people = [need.author, need.contact]
        if any(_reachable(user) for user in need_people):
            add(need_people)
        else:
            add(_referents(need.organisation_id))
        for support in need.supports.select_related("author").defer("outline"):
            if _reachable(support.author):
                add([support.author])
            else:
                add(_referents(support.organisation_id))
    people.pop(event.actor_id, None)
    return sorted(people.values(), key=lambda user: user.email)


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def _messages(event: NeedEvent, recipients: list[User]) -> list[EmailMultiAlternatives]:
    need = event.need
    parts = []
    if event.kind == NeedEvent.Kind.SPLIT:
        parts = [
            {"title": part.title, "url": _absolute(part.get_absolute_url())}
            for part in [need, *need.split_needs.order_by("pk")]
        ]
    context = {
        "crig_name": settings.CRIG_NAME,
        "event": event,
        "need": need,
        "need_url": _absolute(need.get_absolute_url()),
        "state": Need.State(event.to_state).label if event.to_state else "",
        "answer": event.message if event.kind == NeedEvent.Kind.STATE_CHANGED else "",
        "message": event.message if event.kind != NeedEvent.Kind.STATE_CHANGED else "",
        "into": event.related_need if event.kind == NeedEvent.Kind.MERGED else None,
        "into_url": _absolute(event.related_need.get_absolute_url())
        if event.kind == NeedEvent.Kind.MERGED and event.related_need_id
        else "",
        "parts": parts,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("needs/email/need_event_subject.txt", context).split()
        )
        messages = []
        for person in recipients:
            personal = {**context, "person": person}
            body = render_to_string("needs/email/need_event.txt", personal)
            html = render_to_string("needs/email/need_event.html", personal)
            message = EmailMultiAlternatives(subject, body, to=[person.email])
            message.attach_alternative(html, "text/html")
            messages.append(message)
    return messages


def need_event_notify(*, event_id: int) -> int:
    """E-mail the people involved about a history entry, once; returns how many
    e-mails were sent (0 when already done, or for an entry that is not
    announced)."""
    claimed = NeedEvent.objects.filter(
        Q(pk=event_id) & Q(notified_at__isnull=True)
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    event = NeedEvent.objects.select_related(
        "need", "need__organisation", "related_need", "actor"
    ).get(pk=event_id)
    if event.kind not in NOTIFIED_KINDS:
        return 0
    try:
        messages = _messages(event, need_event_recipients(event))
        if messages:
            with get_connection() as connection:
                connection.send_messages(messages)
    except Exception:
        logger.warning("Notification of need event %s not sent", event_id)
        NeedEvent.objects.filter(pk=event_id).update(notified_at=None)
        raise
    return len(messages)
