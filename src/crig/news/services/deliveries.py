"""Deliveries: digests recorded before they are sent, then sent in the background.

**Once, whatever happens.** ``deliveries_prepare`` records one ``Delivery`` per
person and period with the items *as they will be sent* (pending); the database
refuses a second one for the same person, frequency and period end, so two runs
of the command in the same minute or hour make one delivery (see
``selectors.digest_period``). ``delivery_send`` claims the row with a
conditional UPDATE (pending, failed, or a stale claim → ``sending``) before
handing the e-mail to the mail server, so two workers never both send it, and a
sent delivery is never claimed again.

**Failures.** A mail server that refuses or cannot be reached leaves the
delivery ``failed`` with the error and one more attempt; the next run
(``deliveries_run``) enqueues it again, up to ``MAX_ATTEMPTS``. A worker killed
while sending leaves its claim: after ``SENDING_TIMEOUT`` the next run takes it
over. In that one case (killed after the server accepted the message, before
the row was marked sent) the e-mail may arrive twice; everywhere else it is sent
at most once.

A person who unsubscribed (or whose account was closed) after the delivery was
recorded is not written to: the delivery is ``cancelled``.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput
from crig.news import selectors
from crig.news.models import Delivery, Subscription
from crig.news.services.subscriptions import subscription_unsubscribe_url

logger = logging.getLogger(__name__)

#: A claim older than this is a worker that died while sending.
SENDING_TIMEOUT = datetime.timedelta(minutes=15)
#: After this many failed attempts a delivery stays failed, for the secretariat
#: to look at in the admin (the error is kept).
MAX_ATTEMPTS = 8
ERROR_MAX_LENGTH = 2000


def _subscriptions_due(frequency: str):
    return (
        Subscription.objects.filter(
            frequency=frequency,
            active=True,
            person__is_active=True,
            person__closed_at__isnull=True,
        )
        .exclude(topics=[])
        .exclude(person__email="")
        .select_related("person")
        .order_by("pk")
    )


def deliveries_prepare(
    *, frequency: str, now: datetime.datetime | None = None
) -> list[Delivery]:
    """Record the pending deliveries of the period ending now for every active
    subscription of that frequency that has something to send (no empty
    digest). Idempotent: an existing delivery of the period is kept. Returns
    the deliveries recorded by this call."""
    now = now or timezone.now()
    created = []
    for subscription in _subscriptions_due(frequency):
        person = subscription.person
        start, end = selectors.digest_period(
            person=person, frequency=frequency, now=now
        )
        if start >= end:
            continue
        if Delivery.objects.filter(
            person=person, frequency=frequency, period_end=end
        ).exists():
            continue
        entries = selectors.digest_entries(person=person, start=start, end=end)
        if not entries:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = selectors.digest_subject(frequency=frequency, count=len(entries))
        try:
            # A savepoint: a concurrent run that recorded the same period first
            # makes this insert fail, and only this one.
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    person=person,
                    frequency=frequency,
                    period_start=start,
                    period_end=end,
                    subject=subject,
                    items=[selectors.entry_record(entry) for entry in entries],
                )
        except IntegrityError:
            continue
        created.append(delivery)
    return created


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    claimable = Q(
        status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )


def _message(delivery: Delivery, subscription: Subscription) -> EmailMultiAlternatives:
    unsubscribe_url = subscription_unsubscribe_url(subscription)
    rendered = selectors.digest_render(
        person=delivery.person,
        frequency=delivery.frequency,
        start=delivery.period_start,
        end=delivery.period_end,
        items=delivery.items,
        unsubscribe_url=unsubscribe_url,
    )
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.person.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer a one-click
            # unsubscribe button that POSTs to this address.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def delivery_send(*, delivery_id: int) -> Delivery:
    """Send one pending (or failed) delivery; marks it sent, or failed with the
    error and one more attempt (retried by the next run). Never sends a sent one."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        # Sent, cancelled, out of attempts, or being sent by another worker.
        return Delivery.objects.get(pk=delivery_id)
    delivery = Delivery.objects.select_related("person").get(pk=delivery_id)
    person = delivery.person
    subscription = Subscription.objects.filter(person=person).first()
    if (
        subscription is None
        or not subscription.active
        or not person.is_active
        or getattr(person, "closed_at", None) is not None
        or not person.email
    ):
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.CANCELLED, claimed_at=None
        )
        delivery.refresh_from_db()
        return delivery
    try:
        _message(delivery, subscription).send(fail_silently=False)
    except Exception as error:
        # Whatever the backend raised (refusal, unreachable server, bad
        # address), the delivery must end failed and retryable, never stuck
        # in "sending"; the error is kept for the admin.
        logger.warning("Delivery %s failed: %s", delivery_id, error)
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED,
            claimed_at=None,
            error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        )
    else:
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT,
            claimed_at=None,
            sent_at=timezone.now(),
            error="",
        )
    delivery.refresh_from_db()
    return delivery


def deliveries_to_send(*, frequency: str, now: datetime.datetime | None = None):
    """Deliveries of that frequency waiting to be sent: pending, failed with
    attempts left, or claimed by a worker that died."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(
            status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
            attempts__lt=MAX_ATTEMPTS,
        )
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT),
        frequency=frequency,
    ).order_by("pk")


def deliveries_run(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """Prepare then enqueue the sending of every pending/failed delivery
    (``crig news send --frequency …``, run by cron). Returns how many."""
    from crig.news.tasks import delivery_send_task

    if frequency not in Subscription.Frequency.values:
        raise InvalidInput(_("Choose a frequency from the list."), field="frequency")
    with transaction.atomic():
        deliveries_prepare(frequency=frequency, now=now)
        ids = list(
            deliveries_to_send(frequency=frequency, now=now).values_list(
                "pk", flat=True
            )
        )
        for delivery_id in ids:
            transaction.on_commit(
                lambda delivery_id=delivery_id: delivery_send_task.enqueue(delivery_id)
            )
    return len(ids)
