"""``crig events remind``: French output, reminders once, a bad date refused."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from crig.events.tests.factories import EventFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _soon_event():
    starts = timezone.now() + datetime.timedelta(hours=36)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        registration_closes_at=starts,
    )


def test_remind_sends_the_reminders_once_and_says_how_many(db, capsys):
    event = _soon_event()
    RegistrationFactory.create_batch(2, event=event)

    call_command("events", "remind")
    call_command("events", "remind")

    assert capsys.readouterr().out == (
        "2 rappels envoyés aux inscrits.\n0 rappel envoyé aux inscrits.\n"
    )
    assert len(mail.outbox) == 2


def test_remind_as_of_another_moment(db, capsys):
    event = EventFactory()  # in 30 days
    RegistrationFactory(event=event)
    moment = timezone.localtime(event.starts_at - datetime.timedelta(days=1))

    call_command("events", "remind", "--now", moment.strftime("%Y-%m-%dT%H:%M"))

    assert capsys.readouterr().out == "1 rappel envoyé aux inscrits.\n"


def test_remind_refuses_a_bad_date_in_french(db):
    with pytest.raises(CommandError) as error:
        call_command("events", "remind", "--now", "demain")

    assert str(error.value) == (
        "« demain » n'est pas une date (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM)."
    )
