"""Digests: recorded before sending, sent once whatever happens (interrupted
job, refusing SMTP server, concurrent runs), with a one-click unsubscribe."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from crig.news import services
from crig.news.models import Delivery, NewsItem, Subscription
from crig.news.services import deliveries
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 6, 30, tzinfo=datetime.UTC)  # a Monday
PERIOD_END = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)
WEEK_BEFORE = PERIOD_END - datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crig.example"
    settings.CRIG_NAME = "CRIG Occitanie"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def _subscribe(person, **fields) -> Subscription:
    subscription = SubscriptionFactory(person=person, **fields)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=NOW - datetime.timedelta(days=365)
    )
    subscription.refresh_from_db()
    return subscription


def _item(**fields) -> NewsItem:
    fields.setdefault("publish_at", NOW - datetime.timedelta(days=2))
    return NewsItemFactory(**fields)


def test_prepare_records_one_pending_delivery_with_the_items_as_sent(member_user):
    # Given a weekly subscriber and an item published in the week
    _subscribe(member_user)
    item = _item(title="Orthophoto 2026 disponible", summary="En 20 cm.")

    # When the digests are prepared
    created = services.deliveries_prepare(frequency="weekly", now=NOW)

    # Then one delivery is recorded, pending, for the week ending at the hour
    assert len(created) == 1
    delivery = created[0]
    assert delivery.status == Delivery.Status.PENDING
    assert (delivery.period_start, delivery.period_end) == (WEEK_BEFORE, PERIOD_END)
    assert delivery.subject == "CRIG Occitanie : 1 nouveauté cette semaine"
    assert delivery.items == [
        {
            "topic": "news",
            "title": "Orthophoto 2026 disponible",
            "url": f"https://crig.example/actualites/{item.pk}/",
            "at": item.publish_at.astimezone(datetime.UTC).isoformat(),
            "summary": "En 20 cm.",
        }
    ]
    assert mail.outbox == []


def test_no_empty_digest(member_user):
    _subscribe(member_user)
    _item(publish_at=NOW - datetime.timedelta(days=9))  # before the period

    assert services.deliveries_prepare(frequency="weekly", now=NOW) == []
    assert Delivery.objects.count() == 0


def test_nothing_for_inactive_subscriptions_other_frequencies_or_no_topic(
    member_user, referent_user, plain_user
):
    _subscribe(member_user, active=False)
    _subscribe(referent_user, frequency="daily")
    _subscribe(plain_user, topics=[])
    _item()

    assert services.deliveries_prepare(frequency="weekly", now=NOW) == []


def test_prepare_twice_in_the_same_hour_records_once(member_user):
    _subscribe(member_user)
    _item()

    first = services.deliveries_prepare(frequency="weekly", now=NOW)
    second = services.deliveries_prepare(
        frequency="weekly", now=NOW + datetime.timedelta(minutes=20)
    )

    assert len(first) == 1
    assert second == []
    assert Delivery.objects.count() == 1


def test_the_next_period_starts_where_the_last_delivery_ended(member_user):
    _subscribe(member_user)
    _item(title="Avant")
    services.deliveries_prepare(frequency="weekly", now=NOW)
    later = NOW + datetime.timedelta(days=1)
    _item(title="Après", publish_at=NOW + datetime.timedelta(hours=2))

    created = services.deliveries_prepare(frequency="weekly", now=later)

    assert len(created) == 1
    assert created[0].period_start == PERIOD_END
    assert [entry["title"] for entry in created[0].items] == ["Après"]


def test_send_marks_sent_with_list_unsubscribe_headers(member_user):
    subscription = _subscribe(member_user)
    _item(title="Orthophoto <b>2026</b>")
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)

    sent = services.delivery_send(delivery_id=delivery.pk)

    assert sent.status == Delivery.Status.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.org"]
    assert message.subject == "CRIG Occitanie : 1 nouveauté cette semaine"
    unsubscribe_url = services.subscription_unsubscribe_url(subscription)
    assert unsubscribe_url.startswith("https://crig.example/desabonnement/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "Bonjour Marie," in message.body
    assert "Orthophoto <b>2026</b>" in message.body
    assert unsubscribe_url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Orthophoto &lt;b&gt;2026&lt;/b&gt;" in html
    assert f'href="{unsubscribe_url}"' in html
    assert "Se désabonner en un clic" in html


def test_a_sent_delivery_is_never_sent_again(member_user):
    _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)
    services.delivery_send(delivery_id=delivery.pk)

    again = services.delivery_send(delivery_id=delivery.pk)
    count = services.deliveries_run(frequency="weekly", now=NOW)

    assert again.status == Delivery.Status.SENT
    assert again.attempts == 1
    assert count == 0
    assert len(mail.outbox) == 1


def test_an_interrupted_job_resumes_and_sends_once(
    member_user, referent_user, django_capture_on_commit_callbacks
):
    # Given a run that recorded two deliveries, then "crashed" before sending
    _subscribe(member_user)
    _subscribe(referent_user)
    _item()
    # (the process dies after the commit, before its enqueued tasks run)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.deliveries_run(frequency="weekly", now=NOW)
    assert count == 2
    assert len(callbacks) == 2
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}

    # When the command runs again (same hour), with a worker this time
    with django_capture_on_commit_callbacks(execute=True):
        count = services.deliveries_run(frequency="weekly", now=NOW)

    # Then each person gets the digest once, and a third run sends nothing
    assert count == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "member@example.org",
        "referent@example.org",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_run(frequency="weekly", now=NOW) == 0
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(status="sent").count() == 2


def test_a_refusing_smtp_server_fails_then_the_next_run_sends(
    member_user, django_capture_on_commit_callbacks
):
    _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)

    # When the server refuses
    refusal = smtplib.SMTPRecipientsRefused(
        {"member@example.org": (550, b"Mailbox unavailable")}
    )
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=refusal,
    ):
        failed = services.delivery_send(delivery_id=delivery.pk)

    # Then the delivery is failed with the error, nothing lost
    assert failed.status == Delivery.Status.FAILED
    assert failed.attempts == 1
    assert failed.error.startswith("SMTPRecipientsRefused: ")
    assert failed.claimed_at is None
    assert mail.outbox == []

    # And the next run retries it and sends it, once
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_run(frequency="weekly", now=NOW) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_an_unreachable_server_is_a_failure_too(member_user):
    _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError(111, "Connection refused"),
    ):
        failed = services.delivery_send(delivery_id=delivery.pk)

    assert failed.status == Delivery.Status.FAILED
    assert failed.error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_after_max_attempts_a_failed_delivery_is_left_for_the_secretariat(
    member_user,
):
    _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=deliveries.MAX_ATTEMPTS
    )

    assert services.deliveries_run(frequency="weekly", now=NOW) == 0
    assert services.delivery_send(delivery_id=delivery.pk).status == "failed"
    assert mail.outbox == []


def test_a_delivery_being_sent_is_not_taken_unless_its_worker_died(member_user):
    _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now(), attempts=1
    )

    # A claim in progress: another worker is sending it
    assert services.delivery_send(delivery_id=delivery.pk).status == "sending"
    assert mail.outbox == []

    # A claim older than the timeout: that worker died; the delivery is taken over
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - deliveries.SENDING_TIMEOUT - datetime.timedelta(1)
    )
    sent = services.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_unsubscribed_after_preparation_nothing_is_sent(member_user):
    subscription = _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)

    services.subscription_unsubscribe(
        token=services.subscription_unsubscribe_url(subscription).split("/")[-2]
    )
    cancelled = services.delivery_send(delivery_id=delivery.pk)

    assert cancelled.status == Delivery.Status.CANCELLED
    assert mail.outbox == []


def test_the_link_in_the_email_unsubscribes_and_a_tampered_one_is_refused(
    client, member_user
):
    from http import HTTPStatus

    subscription = _subscribe(member_user)
    _item()
    (delivery,) = services.deliveries_prepare(frequency="weekly", now=NOW)
    services.delivery_send(delivery_id=delivery.pk)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://crig.example")

    # A tampered link: refused, nothing changed
    tampered = client.post(path[:-3] + "xyz/", {"List-Unsubscribe": "One-Click"})
    subscription.refresh_from_db()
    assert tampered.status_code == HTTPStatus.BAD_REQUEST
    assert subscription.active is True

    # The one-click POST of RFC 8058
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    subscription.refresh_from_db()
    assert response.status_code == HTTPStatus.OK
    assert subscription.active is False
