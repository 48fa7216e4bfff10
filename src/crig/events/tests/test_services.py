"""Registrations: who gets a place, who waits, who moves up; what is refused, with
what message, and that nothing changes then; check-in, staff cancellation, the
export log, meeting publication."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import resolve
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from crig.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crig.events.models import Event, PersonalDataExport, Registration
from crig.events.services import (
    RegistrationData,
    meeting_publish,
    registration_cancel,
    registration_cancel_by_staff,
    registration_cancel_link,
    registration_check_in,
    registration_create,
    registrations_export_logged,
)
from crig.events.services.registrations import CANCEL_SALT
from crig.events.tests.factories import EventFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests assert the English msgids; one checks the French."""
    with translation.override("en"):
        yield


def _data(email="marie.dupont@example.org", **kwargs) -> RegistrationData:
    values = {
        "full_name": "Marie Dupont",
        "email": email,
        "category": "entreprise",
        "organisation_name": "Géomètres associés",
    }
    return RegistrationData(**{**values, **kwargs})


def _token(registration) -> str:
    return (
        urlsplit(registration_cancel_link(registration)).path.rstrip("/").split("/")[-1]
    )


def test_a_registration_is_confirmed_while_places_remain(event):
    registration = registration_create(event=event, data=_data())

    assert registration.status == Registration.Status.CONFIRMED
    assert registration.full_name == "Marie Dupont"
    assert registration.organisation_name == "Géomètres associés"
    assert registration.category == "entreprise"


def test_the_e_mail_is_stripped_and_case_folded(event):
    registration = registration_create(
        event=event, data=_data(email="  Marie.DUPONT@Example.ORG ")
    )

    assert registration.email == "marie.dupont@example.org"


def test_over_capacity_goes_to_the_waiting_list(event):
    registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))

    third = registration_create(event=event, data=_data("c@example.org"))

    assert third.status == Registration.Status.WAITING
    assert list(
        event.registrations.order_by("pk").values_list("status", flat=True)
    ) == ["confirmed", "confirmed", "waiting"]


def test_without_capacity_everyone_is_confirmed(db):
    event = EventFactory(capacity=None)

    statuses = {
        registration_create(event=event, data=_data(f"p{n}@example.org")).status
        for n in range(5)
    }

    assert statuses == {Registration.Status.CONFIRMED}


def test_the_last_place_is_taken_once_when_two_register_one_after_the_other(event):
    # Both read the same stale event (capacity 2, one place left): the count is
    # taken again inside each transaction, after locking the row.
    registration_create(event=event, data=_data("first@example.org"))
    stale_a = Event.objects.get(pk=event.pk)
    stale_b = Event.objects.get(pk=event.pk)

    a = registration_create(event=stale_a, data=_data("a@example.org"))
    b = registration_create(event=stale_b, data=_data("b@example.org"))

    assert (a.status, b.status) == ("confirmed", "waiting")
    assert event.registrations.filter(status="confirmed").count() == 2


def test_a_second_live_registration_with_the_same_e_mail_is_refused(event):
    registration_create(event=event, data=_data("marie@example.org"))

    with pytest.raises(Conflict) as error:
        registration_create(event=event, data=_data("MARIE@example.org"))

    assert error.value.message == (
        "marie@example.org is already registered for “Journée du CRIG 2025”."
    )
    assert event.registrations.count() == 1


def test_the_double_registration_message_is_french(event):
    registration_create(event=event, data=_data("marie@example.org"))

    with translation.override("fr"), pytest.raises(Conflict) as error:
        registration_create(event=event, data=_data("marie@example.org"))

    assert error.value.message == (
        "marie@example.org est déjà inscrit·e à « Journée du CRIG 2025 »."
    )


def test_someone_on_the_waiting_list_cannot_register_again(event):
    registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))
    registration_create(event=event, data=_data("c@example.org"))

    with pytest.raises(Conflict):
        registration_create(event=event, data=_data("c@example.org"))


def test_registering_again_after_cancelling_is_possible(event):
    first = registration_create(event=event, data=_data("a@example.org"))
    registration_cancel(token=_token(first))

    again = registration_create(event=event, data=_data("a@example.org"))

    assert again.status == Registration.Status.CONFIRMED
    assert again.pk != first.pk


@pytest.mark.parametrize(
    "email", ["", "marie", "marie@", "@example.org", "marie dupont@example.org"]
)
def test_an_invalid_e_mail_is_refused_and_nothing_saved(event, email):
    with pytest.raises(InvalidInput) as error:
        registration_create(event=event, data=_data(email))

    assert error.value.field == "email"
    assert error.value.message == f"“{email}” is not a valid e-mail address."
    assert event.registrations.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"registration_closes_at_days": -1},
            "Registration for “Journée du CRIG 2025” is closed.",
        ),
        (
            {"state": "draft"},
            "The event “Journée du CRIG 2025” is not open for registration.",
        ),
        ({"state": "cancelled"}, "The event “Journée du CRIG 2025” is cancelled."),
    ],
)
def test_registration_is_refused_when_closed_draft_or_cancelled(
    event, changes, message
):
    if "registration_closes_at_days" in changes:
        event.registration_closes_at = timezone.now() + datetime.timedelta(
            days=changes["registration_closes_at_days"]
        )
    else:
        event.state = changes["state"]
    event.save()

    with pytest.raises(InvalidInput) as error:
        registration_create(event=event, data=_data())

    assert error.value.message == message
    assert event.registrations.count() == 0


def test_registration_before_the_opening_is_refused(event):
    opens = timezone.now() + datetime.timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(registration_opens_at=opens)
    event.refresh_from_db()

    with pytest.raises(InvalidInput) as error:
        registration_create(event=event, data=_data())

    assert error.value.message.startswith(
        "Registration for “Journée du CRIG 2025” opens on "
    )


def test_without_closing_date_registration_closes_when_the_event_starts(db):
    event = EventFactory(
        registration_closes_at=None,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=5),
    )

    with pytest.raises(InvalidInput):
        registration_create(event=event, data=_data())


def test_a_past_registration_can_be_loaded_without_its_window(db):
    event = EventFactory(
        starts_at=timezone.now() - datetime.timedelta(days=400),
        ends_at=timezone.now() - datetime.timedelta(days=400),
        registration_closes_at=timezone.now() - datetime.timedelta(days=403),
    )

    registration = registration_create(
        event=event, data=_data(), notify=False, past=True
    )

    assert registration.status == Registration.Status.CONFIRMED


def test_an_organisation_picked_from_the_directory_gives_its_category_and_membership(
    event, organisation
):
    organisation.is_openig_member = True
    organisation.save()

    registration = registration_create(
        event=event,
        data=_data(
            organisation_id=organisation.pk,
            organisation_name="ignored",
            category="etat",
            is_openig_member=False,
        ),
    )

    assert registration.organisation == organisation
    assert registration.organisation_name == ""
    assert registration.category == "collectivite"
    assert registration.is_openig_member is True


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": "  "}, "full_name", "Please give your name."),
        (
            {"organisation_name": ""},
            "organisation_name",
            "Pick your organisation from the directory or type its name.",
        ),
        ({"category": "martians"}, "category", "Choose the kind of your organisation."),
        (
            {"organisation_id": 999999},
            "organisation",
            "This organisation is not in the directory.",
        ),
        ({"departement": "75"}, "departement", "Unknown département code “75”."),
    ],
)
def test_incomplete_registrations_are_refused_and_nothing_saved(
    event, changes, field, message
):
    with pytest.raises(InvalidInput) as error:
        registration_create(event=event, data=_data(**changes))

    assert (error.value.field, error.value.message) == (field, message)
    assert event.registrations.count() == 0


def test_the_departement_is_recorded_by_its_code(event):
    registration = registration_create(event=event, data=_data(departement="34"))

    assert registration.departement_id == "34"


def test_a_signed_in_person_is_linked_to_the_registration(event, plain_user):
    registration = registration_create(event=event, data=_data(), person=plain_user)

    assert registration.person == plain_user


def test_an_anonymous_user_object_is_not_linked(event):
    from django.contrib.auth.models import AnonymousUser

    registration = registration_create(
        event=event, data=_data(), person=AnonymousUser()
    )

    assert registration.person is None


def test_registering_enqueues_the_confirmation_once_committed(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, data=_data())
        assert DBTaskResult.objects.count() == 0

    task = DBTaskResult.objects.get()
    assert task.task_path == "crig.events.tasks.registration_notify_task"
    assert task.args_kwargs == {"args": [registration.pk, False], "kwargs": {}}


def test_notify_false_enqueues_nothing(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registration_create(event=event, data=_data(), notify=False)

    assert callbacks == []


def test_the_cancellation_link_is_absolute_and_signed(event, settings):
    settings.SITE_URL = "https://crig.example.org"
    registration = registration_create(event=event, data=_data())

    link = registration_cancel_link(registration)

    assert link.startswith("https://crig.example.org/evenements/")
    assert resolve(urlsplit(link).path).url_name == "registration_cancel"
    assert signing.loads(_token(registration), salt=CANCEL_SALT) == registration.pk


def test_cancelling_promotes_the_first_on_the_waiting_list(
    event, django_capture_on_commit_callbacks
):
    a = registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))
    c = registration_create(event=event, data=_data("c@example.org"))
    d = registration_create(event=event, data=_data("d@example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = registration_cancel(token=_token(a))

    c.refresh_from_db()
    d.refresh_from_db()
    assert cancelled.status == Registration.Status.CANCELLED
    assert cancelled.cancelled_at is not None
    assert (c.status, d.status) == ("confirmed", "waiting")
    assert DBTaskResult.objects.filter(
        task_path="crig.events.tasks.registration_notify_task"
    ).get().args_kwargs == {"args": [c.pk, True], "kwargs": {}}


def test_cancelling_a_waiting_registration_promotes_nobody(event):
    registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))
    c = registration_create(event=event, data=_data("c@example.org"))
    d = registration_create(event=event, data=_data("d@example.org"))

    registration_cancel(token=_token(c))

    d.refresh_from_db()
    assert d.status == Registration.Status.WAITING
    assert event.registrations.filter(status="confirmed").count() == 2


def test_cancelling_twice_is_harmless(event):
    a = registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))
    c = registration_create(event=event, data=_data("c@example.org"))
    d = registration_create(event=event, data=_data("d@example.org"))
    token = _token(a)
    first = registration_cancel(token=token)

    second = registration_cancel(token=token)

    c.refresh_from_db()
    d.refresh_from_db()
    assert second.pk == first.pk
    assert second.cancelled_at == first.cancelled_at
    assert (c.status, d.status) == ("confirmed", "waiting")


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "1" + token[1:],
        lambda token: signing.dumps(1, salt="another-salt"),
        lambda token: "not-a-token",
    ],
)
def test_a_forged_or_altered_token_is_refused_and_nothing_changes(event, forge):
    registration = registration_create(event=event, data=_data())

    with pytest.raises(InvalidInput) as error:
        registration_cancel(token=forge(_token(registration)))

    registration.refresh_from_db()
    assert error.value.message == (
        "This cancellation link is not valid. Use the link of your e-mail."
    )
    assert registration.status == Registration.Status.CONFIRMED


def test_a_token_of_another_registration_id_cannot_be_made_without_the_key(event):
    registration_create(event=event, data=_data("a@example.org"))
    other = registration_create(event=event, data=_data("b@example.org"))
    forged = signing.dumps(other.pk, salt=CANCEL_SALT, key="not-the-secret-key")

    with pytest.raises(InvalidInput):
        registration_cancel(token=forged)

    other.refresh_from_db()
    assert other.status == Registration.Status.CONFIRMED


def test_a_token_of_a_deleted_registration_is_not_found(event):
    registration = registration_create(event=event, data=_data())
    token = _token(registration)
    Registration.objects.filter(pk=registration.pk).delete()

    with pytest.raises(NotFound):
        registration_cancel(token=token)


def test_the_secretariat_cancels_and_the_waiting_list_moves(event, secretariat_user):
    a = registration_create(event=event, data=_data("a@example.org"))
    registration_create(event=event, data=_data("b@example.org"))
    c = registration_create(event=event, data=_data("c@example.org"))

    registration_cancel_by_staff(actor=secretariat_user, registration=a)

    c.refresh_from_db()
    assert a.status == Registration.Status.CANCELLED
    assert c.status == Registration.Status.CONFIRMED


def test_someone_else_cannot_cancel_as_staff(event, member_user):
    registration = registration_create(event=event, data=_data())

    with pytest.raises(PermissionDenied):
        registration_cancel_by_staff(actor=member_user, registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_check_in_marks_a_confirmed_registrant_present_and_can_be_undone(
    event, secretariat_user
):
    registration = registration_create(event=event, data=_data())

    registration_check_in(actor=secretariat_user, registration=registration)
    present_at = registration.checked_in_at
    registration_check_in(
        actor=secretariat_user, registration=registration, present=False
    )

    assert present_at is not None
    assert registration.checked_in_at is None


def test_checking_in_twice_keeps_the_arrival_time(event, secretariat_user):
    registration = registration_create(event=event, data=_data())
    arrived = timezone.now() - datetime.timedelta(minutes=30)
    registration_check_in(actor=secretariat_user, registration=registration, at=arrived)

    registration_check_in(actor=secretariat_user, registration=registration)

    assert registration.checked_in_at == arrived


@pytest.mark.parametrize("status", ["waiting", "cancelled"])
def test_only_confirmed_registrants_can_be_checked_in(event, secretariat_user, status):
    registration = RegistrationFactory(event=event, status=status)

    with pytest.raises(InvalidInput) as error:
        registration_check_in(actor=secretariat_user, registration=registration)

    registration.refresh_from_db()
    assert error.value.message == "Only a confirmed registrant can be marked present."
    assert registration.checked_in_at is None


def test_a_member_cannot_check_in(event, member_user):
    registration = RegistrationFactory(event=event)

    with pytest.raises(PermissionDenied):
        registration_check_in(actor=member_user, registration=registration)


def test_cancelling_a_present_registrant_clears_the_check_in(event, secretariat_user):
    registration = registration_create(event=event, data=_data())
    registration_check_in(actor=secretariat_user, registration=registration)

    registration_cancel_by_staff(actor=secretariat_user, registration=registration)

    assert registration.checked_in_at is None


def test_an_export_is_logged(event, secretariat_user):
    registrations_export_logged(
        actor=secretariat_user, event=event, what="registrations csv", rows=12
    )

    log = PersonalDataExport.objects.get()
    assert (log.actor, log.event, log.what, log.rows) == (
        secretariat_user,
        event,
        "registrations csv",
        12,
    )
    assert log.at is not None


def test_only_the_secretariat_may_export(event, member_user):
    with pytest.raises(PermissionDenied):
        registrations_export_logged(
            actor=member_user, event=event, what="registrations csv", rows=12
        )

    assert PersonalDataExport.objects.count() == 0


def test_publishing_a_meeting_sets_its_date_once(draft_meeting, secretariat_user):
    meeting_publish(actor=secretariat_user, meeting=draft_meeting)
    published_at = draft_meeting.published_at

    meeting_publish(actor=secretariat_user, meeting=draft_meeting)

    assert draft_meeting.state == "published"
    assert draft_meeting.published_at == published_at is not None


@pytest.mark.parametrize("role", ["plain_user", "member_user", "reviewer_user"])
def test_only_the_secretariat_publishes_a_meeting(draft_meeting, request, role):
    with pytest.raises(PermissionDenied):
        meeting_publish(actor=request.getfixturevalue(role), meeting=draft_meeting)

    draft_meeting.refresh_from_db()
    assert draft_meeting.state == "draft"
