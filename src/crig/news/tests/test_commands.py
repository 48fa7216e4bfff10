"""``crig news send`` and ``crig news preview`` (in French)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from crig.news.models import Delivery, Subscription
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crig.example"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def _subscribe(person, **fields):
    subscription = SubscriptionFactory(person=person, **fields)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )


def _run(*args) -> str:
    output = io.StringIO()
    call_command("news", *args, stdout=output)
    return output.getvalue()


def test_send_records_and_sends_the_weekly_digests(
    member_user, django_capture_on_commit_callbacks
):
    _subscribe(member_user)
    NewsItemFactory(title="Nouveau standard PCRS")

    with django_capture_on_commit_callbacks(execute=True):
        output = _run("send", "--frequency", "weekly")

    assert output == ("1 résumé à envoyer, confié au processus d'arrière-plan.\n")
    assert [m.to for m in mail.outbox] == [["member@example.org"]]
    assert Delivery.objects.get().status == "sent"

    with django_capture_on_commit_callbacks(execute=True):
        again = _run("send", "--frequency", "weekly")
    assert again == "0 résumé à envoyer, confié au processus d'arrière-plan.\n"
    assert len(mail.outbox) == 1


def test_send_refuses_an_unknown_frequency():
    with pytest.raises(CommandError):
        _run("send", "--frequency", "hourly")


def test_preview_prints_the_next_digest_without_sending(member_user):
    _subscribe(member_user)
    NewsItemFactory(title="Nouveau standard PCRS")

    output = _run("preview", "--person", "MEMBER@example.org", "--frequency", "weekly")

    assert output.startswith(
        "À : member@example.org\n"
        "Objet : CRIG Occitanie : 1 nouveauté cette semaine\n\n"
        "Bonjour Marie,\n"
    )
    assert "Nouveau standard PCRS" in output
    assert "https://crig.example/desabonnement/" in output
    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_preview_says_when_there_is_nothing(member_user):
    _subscribe(member_user)

    output = _run("preview", "--person", "member@example.org")

    assert output == (
        "Rien de nouveau pour member@example.org : aucun résumé ne serait envoyé.\n"
    )


def test_preview_of_an_unknown_person_or_without_subscription(member_user):
    with pytest.raises(CommandError) as unknown:
        _run("preview", "--person", "nobody@example.org")
    with pytest.raises(CommandError) as none:
        _run("preview", "--person", "member@example.org")

    assert str(unknown.value) == (
        "Personne n'a l'adresse électronique nobody@example.org."
    )
    assert str(none.value) == "member@example.org n'a pas d'abonnement."
