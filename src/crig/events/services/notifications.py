"""E-mails to registrants: the confirmation (or the place on the waiting list), the
promotion from the waiting list, the reminder two days before.

**Language.** French, the platform's language: an anonymous registrant has no
language preference a background job could know.

**What.** HTML and plain text; the confirmation of a place carries the event's
ICS file and every e-mail carries the signed cancellation link (absolute, built
on ``settings.SITE_URL``). Nothing about other registrants.

**Once.** Each send claims its column (``confirmation_sent_at`` or
``reminder_sent_at``) with a conditional ``UPDATE`` before sending, so that a
second run of the task, or a concurrent one, sends nothing; if the mail server
fails, the claim is released and the error raised, so that running the task
again sends it. A promotion clears ``confirmation_sent_at`` in the same
transaction, which is what lets the confirmation be sent a second time, now
saying the place is theirs.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crig.events.ics import event_ics
from crig.events.models import Registration

logger = logging.getLogger(__name__)


def _context(registration: Registration) -> dict:
    from crig.events.services.registrations import registration_cancel_link

    event = registration.event
    waiting_position = None
    if registration.status == Registration.Status.WAITING:
        waiting_position = (
            event.registrations.filter(status=Registration.Status.WAITING)
            .filter(
                Q(created_at__lt=registration.created_at)
                | Q(created_at=registration.created_at, pk__lte=registration.pk)
            )
            .count()
        )
    return {
        "crig_name": settings.CRIG_NAME,
        "registration": registration,
        "event": event,
        "sessions": list(event.sessions.all()),
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "cancel_url": registration_cancel_link(registration),
        "waiting_position": waiting_position,
    }


def _message(template: str, registration: Registration, **extra):
    context = {**_context(registration), **extra}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"events/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"events/email/{template}.txt", context)
        html = render_to_string(f"events/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, body, to=[registration.email])
    message.attach_alternative(html, "text/html")
    if registration.status == Registration.Status.CONFIRMED:
        filename = f"{registration.event.slug}.ics"
        message.attach(filename, event_ics(registration.event), "text/calendar")
    return message


def _load(registration_id: int) -> Registration:
    return Registration.objects.select_related("event", "organisation").get(
        pk=registration_id
    )


def registration_notify(*, registration_id: int, promoted: bool = False) -> int:
    """Send the confirmation of a registration (or of its promotion from the
    waiting list), once. Returns 1 if an e-mail went, 0 otherwise (already sent,
    or the registration was cancelled in the meantime)."""
    claimed = Registration.objects.filter(
        pk=registration_id, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=timezone.now())
    if not claimed:
        return 0
    registration = _load(registration_id)
    if registration.status == Registration.Status.CANCELLED:
        return 0
    try:
        _message(
            "registration_confirmation",
            registration,
            promoted=promoted and registration.status == Registration.Status.CONFIRMED,
        ).send()
    except Exception:
        logger.warning("Confirmation of registration %s not sent", registration_id)
        Registration.objects.filter(pk=registration_id).update(
            confirmation_sent_at=None
        )
        raise
    return 1


def registration_remind(
    *, registration_id: int, now: datetime.datetime | None = None
) -> int:
    """The reminder before the event, once; 1 if sent, 0 otherwise."""
    claimed = Registration.objects.filter(
        pk=registration_id,
        reminder_sent_at__isnull=True,
        status=Registration.Status.CONFIRMED,
    ).update(reminder_sent_at=now or timezone.now())
    if not claimed:
        return 0
    registration = _load(registration_id)
    try:
        _message("registration_reminder", registration).send()
    except Exception:
        logger.warning("Reminder of registration %s not sent", registration_id)
        Registration.objects.filter(pk=registration_id).update(reminder_sent_at=None)
        raise
    return 1
