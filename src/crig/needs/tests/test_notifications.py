"""E-mails to the people involved when the secretariat changes a need's state,
merges or splits it: who, what, once."""

import smtplib

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory, UserFactory
from crig.needs.models import Need, NeedEvent
from crig.needs.services import (
    need_merge,
    need_split,
    need_submit,
    need_transition,
)
from crig.needs.services.notifications import need_event_notify
from crig.needs.tasks import need_event_notify_task
from crig.needs.tests.conftest import selection_of
from crig.needs.tests.factories import NeedFactory, SupportFactory


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://crig.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _qualify(actor, need, **kwargs):
    need_transition(actor=actor, need=need, to_state=Need.State.QUALIFIED, **kwargs)
    return need.events.latest("pk")


def test_a_decision_enqueues_the_task_once_committed(
    secretariat_user, need, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need_transition(actor=secretariat_user, need=need, to_state="qualified")
        assert DBTaskResult.objects.count() == 0

    task = DBTaskResult.objects.get()
    event = need.events.get()
    assert task.task_path == "crig.needs.tasks.need_event_notify_task"
    assert task.args_kwargs == {"args": [event.pk], "kwargs": {}}


def test_submission_enqueues_nothing(
    member_user, draft_need, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        need_submit(actor=member_user, need=draft_need)

    assert callbacks == []


def test_everyone_involved_is_emailed_once_in_french(
    secretariat_user, need, referent_user, other_member_user, other_organisation
):
    Need.objects.filter(pk=need.pk).update(contact=referent_user)
    need.refresh_from_db()
    SupportFactory(need=need, organisation=other_organisation, author=other_member_user)
    # The author of this support also supports through another organisation.
    SupportFactory(need=need, author=other_member_user)
    _qualify(secretariat_user, need)
    need_transition(
        actor=secretariat_user,
        need=need,
        to_state=Need.State.RETAINED,
        answer="Retenu pour la campagne 2026.",
    )
    event = need.events.latest("pk")

    need_event_notify_task.call(event.pk)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "member@example.org",
        "other-member@example.org",
        "referent@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == (
        "[CRIG Occitanie] Besoin « Orthophotographie 5 cm de Toulouse » : Retenu"
    )
    assert (
        "Le besoin « Orthophotographie 5 cm de Toulouse » est désormais : Retenu."
        in (message.body)
    )
    assert "Réponse du secrétariat :\nRetenu pour la campagne 2026." in message.body
    assert f"https://crig.example.org/besoins/{need.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://crig.example.org/besoins/{need.pk}/"' in html


def test_running_twice_sends_once(secretariat_user, need):
    event = _qualify(secretariat_user, need)

    need_event_notify_task.call(event.pk)
    need_event_notify_task.call(event.pk)

    assert len(mail.outbox) == 1
    event.refresh_from_db()
    assert event.notified_at is not None


def test_the_person_who_decided_is_not_emailed(secretariat_user, territory):
    need = NeedFactory(author=secretariat_user)

    sent = need_event_notify(event_id=_qualify(secretariat_user, need).pk)

    assert sent == 0
    assert mail.outbox == []


def test_referents_stand_in_for_a_support_author_who_left(
    secretariat_user, need, other_organisation
):
    gone = UserFactory(is_active=False)
    SupportFactory(need=need, organisation=other_organisation, author=gone)
    MembershipFactory(
        person__email="referent-um@example.org",
        organisation=other_organisation,
        role=Membership.Role.REFERENT,
    )
    MembershipFactory(
        person__email="member-um@example.org",
        organisation=other_organisation,
        role=Membership.Role.MEMBER,
    )

    need_event_notify(event_id=_qualify(secretariat_user, need).pk)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "member@example.org",
        "referent-um@example.org",
    ]


def test_a_mail_server_failure_leaves_the_entry_to_be_sent_again(
    secretariat_user, need, monkeypatch
):
    event = _qualify(secretariat_user, need)

    def refuse(self, messages):
        raise smtplib.SMTPException("refused")

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", refuse
    )
    with pytest.raises(smtplib.SMTPException):
        need_event_notify(event_id=event.pk)

    event.refresh_from_db()
    assert event.notified_at is None
    monkeypatch.undo()
    assert need_event_notify(event_id=event.pk) == 1


def test_a_merge_tells_both_sides(secretariat_user, need, territory):
    duplicate = NeedFactory(title="Doublon LIDAR", author__email="dup@example.org")
    SupportFactory(need=need, author__email="supporter@example.org")

    need_merge(actor=secretariat_user, need=duplicate, into=need, message="Même zone.")
    event = duplicate.events.get(kind=NeedEvent.Kind.MERGED)
    need_event_notify(event_id=event.pk)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "dup@example.org",
        "member@example.org",
        "supporter@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == (
        "[CRIG Occitanie] Besoin « Doublon LIDAR » fusionné dans "
        "« Orthophotographie 5 cm de Toulouse »"
    )
    assert f"https://crig.example.org/besoins/{need.pk}/" in message.body
    assert "Note du secrétariat :\nMême zone." in message.body


def test_a_split_lists_the_parts(secretariat_user, need):
    first, second = need_split(
        actor=secretariat_user,
        need=need,
        parts=[("Toulouse", selection_of("31555")), ("Blagnac", selection_of("31069"))],
    )

    need_event_notify(event_id=need.events.get(kind=NeedEvent.Kind.SPLIT).pk)

    assert [message.to for message in mail.outbox] == [["member@example.org"]]
    body = mail.outbox[0].body
    assert (
        mail.outbox[0].subject
        == "[CRIG Occitanie] Besoin « Toulouse » scindé en 2 besoins"
    )
    assert f"- Toulouse\n  https://crig.example.org/besoins/{first.pk}/" in body
    assert f"- Blagnac\n  https://crig.example.org/besoins/{second.pk}/" in body


def test_entries_that_are_not_announced_send_nothing(member_user, draft_need):
    need_submit(actor=member_user, need=draft_need)

    assert need_event_notify(event_id=draft_need.events.get().pk) == 0
    assert mail.outbox == []


def test_an_entry_that_no_longer_exists_sends_nothing(db):
    assert need_event_notify(event_id=123456) == 0
