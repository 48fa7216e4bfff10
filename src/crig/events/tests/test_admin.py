"""The events admin: the secretariat prepares meetings and events; registrations
are read-only, their personal data for the staff only; cancel, check-in and the
logged export as admin actions through the services; publication of a meeting."""

import csv
import io
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.events.models import Meeting, PersonalDataExport, Registration
from crig.events.tests.factories import RegistrationFactory

STAFF = ["secretariat_user", "admin_user"]


@pytest.fixture
def registrations(event):
    return [
        RegistrationFactory(
            event=event,
            full_name="Marie Dupont",
            email="marie@example.org",
            dietary_needs="=cmd|'/c calc'!A1",
        ),
        RegistrationFactory(
            event=event, full_name="Paul Roux", email="paul@example.org"
        ),
        RegistrationFactory(event=event, status="waiting", email="zoe@example.org"),
    ]


@pytest.mark.parametrize("who", STAFF)
def test_the_staff_open_every_events_page_of_the_admin(
    client, request, who, meeting, registrations
):
    client.force_login(request.getfixturevalue(who))
    pages = [
        reverse("admin:events_meeting_changelist"),
        reverse("admin:events_meeting_change", args=[meeting.pk]),
        reverse("admin:events_meeting_add"),
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[registrations[0].event_id]),
        reverse("admin:events_registration_changelist"),
        reverse("admin:events_registration_change", args=[registrations[0].pk]),
        reverse("admin:events_personaldataexport_changelist"),
    ]

    for url in pages:
        assert client.get(url).status_code == HTTPStatus.OK, url
    registration_list = client.get(pages[5]).content.decode()
    assert "marie@example.org" in registration_list


@pytest.mark.parametrize("role", ["member_user", "reviewer_user", "plain_user"])
def test_people_without_a_staff_role_do_not_see_registrations(
    client, request, role, registrations
):
    user = request.getfixturevalue(role)
    user.is_staff = True  # even with the flag, no staff role
    user.save()
    client.force_login(user)

    response = client.get(reverse("admin:events_registration_changelist"))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_registration_cannot_be_changed_in_the_admin(
    client, secretariat_user, registrations
):
    client.force_login(secretariat_user)
    url = reverse("admin:events_registration_change", args=[registrations[0].pk])

    client.post(url, {"full_name": "Autre", "email": "autre@example.org"})

    registrations[0].refresh_from_db()
    assert registrations[0].email == "marie@example.org"
    assert (
        client.get(reverse("admin:events_registration_add")).status_code
        == HTTPStatus.FORBIDDEN
    )


def _action(client, action, registrations):
    return client.post(
        reverse("admin:events_registration_changelist"),
        {"action": action, "_selected_action": [r.pk for r in registrations]},
    )


def test_the_cancel_action_moves_the_waiting_list(
    client, secretariat_user, registrations
):
    client.force_login(secretariat_user)

    _action(client, "cancel", registrations[:1])

    statuses = [Registration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == ["cancelled", "confirmed", "confirmed"]


def test_the_check_in_action_marks_confirmed_registrants_only(
    client, secretariat_user, registrations
):
    client.force_login(secretariat_user)

    response = _action(client, "check_in", registrations)

    present = [
        Registration.objects.get(pk=r.pk).checked_in_at is not None
        for r in registrations
    ]
    assert present == [True, True, False]
    assert response.status_code == HTTPStatus.FOUND


def test_the_export_is_logged_and_neutralises_formulas(
    client, secretariat_user, registrations
):
    client.force_login(secretariat_user)

    response = _action(client, "export_csv", registrations[:2])

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["nom", "e-mail"]
    assert [row[1] for row in rows[1:]] == ["marie@example.org", "paul@example.org"]
    assert rows[1][8] == "'=cmd|'/c calc'!A1"
    log = PersonalDataExport.objects.get()
    assert (log.actor, log.event, log.rows, log.what) == (
        secretariat_user,
        registrations[0].event,
        2,
        "admin csv",
    )


def test_the_secretariat_publishes_a_meeting_by_the_action(
    client, secretariat_user, draft_meeting
):
    client.force_login(secretariat_user)

    client.post(
        reverse("admin:events_meeting_changelist"),
        {"action": "publish", "_selected_action": [draft_meeting.pk]},
    )

    draft_meeting.refresh_from_db()
    assert draft_meeting.state == "published"
    assert draft_meeting.published_at is not None


def test_the_secretariat_prepares_a_meeting_with_its_agenda(
    client, secretariat_user, organisation
):
    client.force_login(secretariat_user)
    prefixes = {
        "agenda_items": 1,
        "attendances": 1,
        "decisions": 0,
        "documents": 0,
    }
    data = {
        "title": "Comité de juin",
        "starts_at_0": "2025-06-18",
        "starts_at_1": "14:00",
        "ends_at_0": "2025-06-18",
        "ends_at_1": "17:00",
        "place": "Montpellier",
        "minutes": "",
    }
    for prefix, total in prefixes.items():
        data |= {
            f"{prefix}-TOTAL_FORMS": total,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    data |= {
        "agenda_items-0-position": 1,
        "agenda_items-0-kind": "other",
        "agenda_items-0-title": "Ordre du jour",
        "attendances-0-organisation": organisation.pk,
        "attendances-0-present": "on",
    }

    response = client.post(reverse("admin:events_meeting_add"), data)

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Comité de juin")
    assert meeting.state == "draft"
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Ordre du jour"
    ]
    assert meeting.attendances.get().organisation == organisation
