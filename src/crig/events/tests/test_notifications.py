"""E-mails to registrants: the confirmation in French with the event's ICS and a
working cancellation link, the waiting list, the promotion, the reminders — each
once however often the task runs."""

import datetime
import re
import smtplib
from http import HTTPStatus
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from crig.events.models import Registration
from crig.events.services import (
    RegistrationData,
    registration_cancel,
    registration_create,
    registrations_remind,
)
from crig.events.services.notifications import registration_notify
from crig.events.tasks import registration_notify_task
from crig.events.tests.factories import EventFactory, SessionFactory


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://crig.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _register(event, email="marie@example.org", name="Marie Dupont"):
    return registration_create(
        event=event,
        data=RegistrationData(
            full_name=name,
            email=email,
            category="collectivite",
            organisation_name="Mairie de Muret",
        ),
    )


def _cancel_url(message) -> str:
    return re.search(r"https://crig\.example\.org/\S+/annuler/\S+/", message.body)[0]


def _ics(message) -> icalendar.Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(content)


def test_the_confirmation_is_french_with_html_and_the_event_ics(event):
    SessionFactory(event=event, title="Ouverture", speakers="Les signataires")
    registration = _register(event)

    registration_notify_task.call(registration.pk, False)

    [message] = mail.outbox
    assert message.to == ["marie@example.org"]
    assert message.subject == "Inscription confirmée : Journée du CRIG 2025"
    assert "Bonjour Marie Dupont," in message.body
    assert "Votre inscription à « Journée du CRIG 2025 » est confirmée." in (
        message.body
    )
    assert "Ouverture (Les signataires)" in message.body
    assert "https://crig.example.org/evenements/journee-du-crig-2025/" in message.body
    html, media_type = message.alternatives[0]
    assert media_type == "text/html"
    assert "Annuler mon inscription" in html
    [vevent] = _ics(message).walk("VEVENT")
    assert str(vevent["UID"]) == str(event.uid)
    assert str(vevent["SUMMARY"]) == "Journée du CRIG 2025"
    assert message.attachments[0][0] == "journee-du-crig-2025.ics"


def test_the_ics_attachment_holds_no_personal_data(event):
    registration = _register(event)

    registration_notify(registration_id=registration.pk)

    content = mail.outbox[0].attachments[0][1]
    assert "marie" not in content.lower()
    assert "Dupont" not in content


def test_the_cancellation_link_of_the_e_mail_cancels_the_registration(event, client):
    registration = _register(event)
    registration_notify(registration_id=registration.pk)
    path = urlsplit(_cancel_url(mail.outbox[0])).path

    page = client.get(path)
    client.post(path)

    registration.refresh_from_db()
    assert page.status_code == HTTPStatus.OK
    assert registration.status == Registration.Status.CANCELLED


def test_the_task_sends_the_confirmation_once(event):
    registration = _register(event)

    registration_notify_task.call(registration.pk, False)
    registration_notify_task.call(registration.pk, False)

    registration.refresh_from_db()
    assert len(mail.outbox) == 1
    assert registration.confirmation_sent_at is not None


def test_the_waiting_list_e_mail_gives_the_position_without_ics(event):
    _register(event, "a@example.org")
    _register(event, "b@example.org")
    _register(event, "c@example.org")
    fourth = _register(event, "d@example.org")

    registration_notify(registration_id=fourth.pk)

    [message] = mail.outbox
    assert message.subject == "Liste d'attente : Journée du CRIG 2025"
    assert "vous êtes sur la liste d'attente, en position 2" in message.body
    assert message.attachments == []
    assert _cancel_url(message)


def test_the_promoted_person_is_told_with_the_ics(
    event, django_capture_on_commit_callbacks
):
    first = _register(event, "a@example.org")
    _register(event, "b@example.org")
    waiting = _register(event, "c@example.org", name="Chloé Martin")
    registration_notify(registration_id=first.pk)
    registration_notify(registration_id=waiting.pk)
    token = urlsplit(_cancel_url(mail.outbox[0])).path.rstrip("/").split("/")[-1]
    mail.outbox.clear()

    registration_cancel(token=token)
    registration_notify_task.call(waiting.pk, True)

    [message] = mail.outbox
    assert message.to == ["c@example.org"]
    assert message.subject == "Une place vous est attribuée : Journée du CRIG 2025"
    assert "une place s'est libérée pour « Journée du CRIG 2025 »" in message.body
    assert len(_ics(message).walk("VEVENT")) == 1


def test_a_registration_cancelled_before_the_task_runs_gets_nothing(event):
    registration = _register(event)
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")

    sent = registration_notify(registration_id=registration.pk)

    assert sent == 0
    assert mail.outbox == []


def test_a_mail_server_failure_releases_the_claim(event, monkeypatch):
    registration = _register(event)

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", refuse
    )
    with pytest.raises(smtplib.SMTPServerDisconnected):
        registration_notify(registration_id=registration.pk)

    registration.refresh_from_db()
    assert registration.confirmation_sent_at is None


def _event_in(hours: int, **kwargs):
    starts = timezone.now() + datetime.timedelta(hours=hours)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        registration_closes_at=starts,
        **kwargs,
    )


def test_reminders_go_two_days_before_once(db):
    soon = _event_in(30, title="Atelier PCRS", slug="atelier-pcrs")
    later = _event_in(24 * 5)
    _register(soon, "a@example.org")
    _register(later, "b@example.org")

    first = registrations_remind()
    second = registrations_remind()

    assert (first, second) == (1, 0)
    [message] = mail.outbox
    assert message.to == ["a@example.org"]
    assert message.subject.startswith("Rappel : Atelier PCRS le ")
    assert "vous êtes inscrit·e à « Atelier PCRS »" in message.body
    assert _cancel_url(message)


def test_no_reminder_for_waiting_or_cancelled_registrants(db):
    soon = _event_in(30, capacity=1)
    _register(soon, "a@example.org")
    _register(soon, "b@example.org")  # waiting
    cancelled = _register(_event_in(20), "c@example.org")
    Registration.objects.filter(pk=cancelled.pk).update(status="cancelled")

    assert registrations_remind() == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_no_reminder_for_a_cancelled_event(db):
    soon = _event_in(30)
    _register(soon)
    soon.state = "cancelled"
    soon.save()

    assert registrations_remind() == 0
