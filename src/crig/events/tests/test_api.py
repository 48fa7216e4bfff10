"""REST API of meetings and events per role: drafts are a 404 for whoever may not
see them, confidential agenda items redacted, participants without e-mails,
the dashboard's figures, registering (anonymous or signed in, CSRF-checked for
a session) with French messages on bad input, and the secretariat's list of
registrations, logged as an export."""

import datetime
import json
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from crig.events.models import AgendaItem, Decision, PersonalDataExport, Registration
from crig.events.tests import factories
from crig.events.tests.test_views import (
    COUNCIL,
    ROLES,
    SECRET_DECISION,
    SECRET_DESCRIPTION,
    SECRET_TITLE,
    STAFF,
    client_as,
)
from crig.events.tests.test_views_events import PRIVATE
from crig.members.models import Organisation


@pytest.fixture
def agenda(meeting):
    public = AgendaItem.objects.create(
        meeting=meeting, position=1, title="Point sur le PCRS"
    )
    secret = AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title=SECRET_TITLE,
        description=SECRET_DESCRIPTION,
        confidential=True,
    )
    Decision.objects.create(meeting=meeting, agenda_item=public, text="PCRS prolongé.")
    Decision.objects.create(meeting=meeting, agenda_item=secret, text=SECRET_DECISION)
    return meeting


@pytest.fixture
def registrants(event, organisation):
    marie = factories.RegistrationFactory(
        event=event,
        full_name="Marie Curie",
        email="marie.secret@example.org",
        organisation=organisation,
        accessibility_needs="Fauteuil roulant",
        dietary_needs="Sans gluten",
        consent_to_list=True,
        departement_id="31",
        is_openig_member=True,
        attended_before=True,
    )
    jean = factories.RegistrationFactory(
        event=event,
        full_name="Jean Discret",
        email="jean@example.org",
        organisation_name="Bureau d'études Garonne",
        category=Organisation.Category.ENTREPRISE,
        departement_id="31",
    )
    return marie, jean


def _payload(**overrides):
    payload = {
        "full_name": "Léa Martin",
        "email": "lea.martin@example.org",
        "organisation_name": "Syndicat mixte du Tarn",
        "category": "autre_public",
        "departement": "81",
        "is_openig_member": False,
        "attended_before": True,
        "dietary_needs": "Végétarien",
        "consent_to_list": True,
    }
    payload.update(overrides)
    return payload


def _post(client, event, payload):
    return client.post(
        f"/api/v1/events/{event.pk}/registrations",
        json.dumps(payload),
        content_type="application/json",
    )


# Meetings ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_meetings_lists_drafts_to_the_council_only(
    request, client, role, meeting, draft_meeting
):
    client = client_as(request, client, role)

    body = client.get("/api/v1/meetings").json()

    titles = sorted(item["title"] for item in body["items"])
    expected = ["Comité du CRIG de mars"]
    if role in COUNCIL:
        expected = sorted([*expected, "Comité en préparation"])
    assert titles == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("role", ROLES)
def test_draft_meeting_is_a_404_outside_the_council(
    request, client, role, draft_meeting
):
    client = client_as(request, client, role)

    response = client.get(f"/api/v1/meetings/{draft_meeting.pk}")

    if role in COUNCIL:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json() == {
            "message": "Cette réunion n'existe pas ou n'est pas publique."
        }


@pytest.mark.parametrize("role", ROLES)
def test_meeting_agenda_is_redacted_outside_the_council(request, client, role, agenda):
    client = client_as(request, client, role)

    response = client.get(f"/api/v1/meetings/{agenda.pk}")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    second = body["agenda"][1]
    if role in COUNCIL:
        assert second["title"] == SECRET_TITLE
        assert second["redacted"] is False
        assert [d["text"] for d in body["decisions"]] == [
            "PCRS prolongé.",
            SECRET_DECISION,
        ]
    else:
        assert second == {
            "number": 2,
            "redacted": True,
            "title": "",
            "description": "",
            "kind": None,
            "confidential": True,
            "links": [],
        }
        assert [d["text"] for d in body["decisions"]] == ["PCRS prolongé."]
        for secret in (SECRET_TITLE, SECRET_DESCRIPTION, SECRET_DECISION):
            assert secret not in response.content.decode()
    assert body["quorum"] == {
        "signatories_present": 0,
        "signatories_total": 1 if role in {"signatory_member", "reviewer"} else 0,
        "required": 3,
        "reached": False,
    }
    assert (
        body["calendar_url"] == f"http://testserver/reunions/{agenda.pk}/calendrier.ics"
    )


# Events --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_events_list_hides_drafts_but_from_the_staff(request, client, role, event):
    factories.EventFactory(title="Atelier en préparation", state="draft")
    client = client_as(request, client, role)

    body = client.get("/api/v1/events").json()

    titles = sorted(item["title"] for item in body["items"])
    expected = ["Journée du CRIG 2025"]
    if role in STAFF:
        expected = sorted([*expected, "Atelier en préparation"])
    assert titles == expected


def test_events_list_filters_upcoming_and_kind(client, event):
    factories.EventFactory(
        title="Journée 2023",
        starts_at=timezone.now() - datetime.timedelta(days=400),
        ends_at=timezone.now() - datetime.timedelta(days=400, hours=-8),
    )
    factories.EventFactory(title="Atelier PCRS", kind="pcrs")

    upcoming = client.get("/api/v1/events?when=upcoming&kind=annual_day").json()
    past = client.get("/api/v1/events?when=past").json()

    assert [item["title"] for item in upcoming["items"]] == ["Journée du CRIG 2025"]
    assert [item["title"] for item in past["items"]] == ["Journée 2023"]


@pytest.mark.parametrize("role", ROLES)
def test_event_detail_lists_consenting_participants_without_personal_data(
    request, client, role, event, registrants
):
    factories.SessionFactory(event=event, title="Ouverture", speakers="La Région")
    client = client_as(request, client, role)

    response = client.get(f"/api/v1/events/{event.pk}")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["slug"] == "journee-du-crig-2025"
    assert body["registration"] == "open"
    assert body["places"] == {"capacity": 2, "confirmed": 2, "waiting": 0, "left": 0}
    assert body["participants"] == [
        {
            "name": "Marie Curie",
            "organisation": "Conseil départemental de la Haute-Garonne",
        }
    ]
    assert [s["speakers"] for s in body["sessions"]] == ["La Région"]
    for private in PRIVATE:
        assert private not in response.content.decode()


def test_event_place_is_geojson_with_its_commune(client, event, territory):
    response = client.get(f"/api/v1/events/{event.pk}/place")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert features[0]["properties"]["name"] == "Toulouse"
    assert features[1]["geometry"] == {
        "type": "Point",
        "coordinates": [1.4442, 43.6045],
    }
    assert features[1]["properties"]["name"] == "Hôtel de Région, Toulouse"


@pytest.mark.parametrize("role", ROLES)
def test_draft_event_is_a_404_but_for_the_staff(db, request, client, role):
    draft = factories.EventFactory(state="draft")
    client = client_as(request, client, role)

    responses = [
        client.get(f"/api/v1/events/{draft.pk}"),
        client.get(f"/api/v1/events/{draft.pk}/stats"),
    ]

    for response in responses:
        if role in STAFF:
            assert response.status_code == HTTPStatus.OK
        else:
            assert response.status_code == HTTPStatus.NOT_FOUND
            assert response.json() == {"message": "Cet événement n'existe pas."}


def test_stats_give_the_dashboards_figures(client, event, registrants):
    marie, _jean = registrants
    marie.checked_in_at = timezone.now()
    marie.save()

    body = client.get(f"/api/v1/events/{event.pk}/stats").json()

    assert body["confirmed"] == 2
    assert body["present"] == 1
    assert body["attended_before_declared"] == 0.5
    assert body["openig_members"] == 0.5
    assert body["by_category"][:2] == [
        {"code": "collectivite", "label": "Collectivités", "count": 1},
        {"code": "entreprise", "label": "Entreprises, SCOP", "count": 1},
    ]
    assert body["by_departement"] == [
        {"code": "31", "label": "Haute-Garonne", "count": 2}
    ]
    assert [year["title"] for year in body["years"]] == ["Journée du CRIG 2025"]
    for private in PRIVATE:
        assert private not in json.dumps(body)


def test_stats_map_colours_the_departements(client, event, registrants):
    response = client.get(f"/api/v1/events/{event.pk}/stats/departements")

    assert response["Content-Type"] == "application/geo+json"
    features = {f["id"]: f["properties"] for f in response.json()["features"]}
    assert len(features) == 13
    assert features["31"]["count"] == 2
    assert features["31"]["share"] == 100
    assert features["31"]["name"] == "Haute-Garonne : 2 inscrits"
    assert features["31"]["style"]["fillColor"] == "#08519c"
    assert features["34"]["count"] == 0
    assert features["34"]["style"]["fillColor"] == "#f4f4f4"


# Registering ---------------------------------------------------------------------


def test_anonymous_registration(client, event):
    response = _post(client, event, _payload())

    assert response.status_code == HTTPStatus.CREATED
    registration = Registration.objects.get()
    assert response.json() == {
        "id": registration.pk,
        "status": {"code": "confirmed", "label": "Confirmé"},
        "message": "Votre inscription est confirmée.",
    }
    assert registration.person is None
    assert registration.departement_id == "81"


def test_full_event_puts_the_caller_on_the_waiting_list(client, event, registrants):
    response = _post(client, event, _payload())

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["status"]["code"] == "waiting"
    assert response.json()["message"] == (
        "L'événement est complet : vous êtes sur la liste d'attente."
    )


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (
            _payload(email="marie.secret@example.org"),
            HTTPStatus.CONFLICT,
            "marie.secret@example.org est déjà inscrit·e à « Journée du CRIG 2025 ».",
        ),
        (
            _payload(email="pas-une-adresse"),
            HTTPStatus.BAD_REQUEST,
            "« pas-une-adresse » n'est pas une adresse e-mail valide.",
        ),
        (
            _payload(organisation_name=""),
            HTTPStatus.BAD_REQUEST,
            "Choisissez votre organisme dans l'annuaire ou saisissez son nom.",
        ),
    ],
)
def test_bad_registration_is_refused_in_french_and_saves_nothing(
    client, event, registrants, payload, status, message
):
    response = _post(client, event, payload)

    assert response.status_code == status
    assert response.json()["message"] == message
    assert Registration.objects.count() == 2


def test_registration_after_closing_is_refused(db, client):
    closed = factories.EventFactory(
        title="Journée close",
        registration_closes_at=timezone.now() - datetime.timedelta(hours=1),
    )

    response = _post(client, closed, _payload())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "message": "Les inscriptions à « Journée close » sont closes."
    }
    assert not Registration.objects.exists()


def test_signed_in_registration_checks_csrf_and_links_the_account(event, member_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)

    refused = _post(client, event, _payload(email="member@example.org"))
    client.get(f"/evenements/{event.slug}/inscription/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"/api/v1/events/{event.pk}/registrations",
        json.dumps(_payload(email="member@example.org")),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json() == {"message": "La vérification CSRF a échoué."}
    assert accepted.status_code == HTTPStatus.CREATED
    assert Registration.objects.get().person == member_user


def test_anonymous_registration_needs_no_csrf_token(event):
    client = Client(enforce_csrf_checks=True)

    response = _post(client, event, _payload())

    assert response.status_code == HTTPStatus.CREATED


# The secretariat's list ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_registrations_are_for_the_secretariat_and_logged(
    request, client, role, event, registrants, secretariat_user
):
    client = client_as(request, client, role)

    response = client.get(f"/api/v1/events/{event.pk}/registrations")

    if role in STAFF:
        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["count"] == 2
        assert body["items"][0]["email"] == "marie.secret@example.org"
        assert body["items"][0]["dietary_needs"] == "Sans gluten"
        [log] = PersonalDataExport.objects.all()
        assert (log.event, log.rows) == (event, 2)
        assert (
            log.actor.email
            == f"{role if role == 'admin' else 'secretariat'}@example.org"
        )
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json() == {
            "message": "Seul le secrétariat peut voir les inscriptions."
        }
        for private in PRIVATE:
            assert private not in response.content.decode()
        assert not PersonalDataExport.objects.exists()


def test_registrations_export_as_a_file_is_logged(
    client, event, registrants, secretariat_user
):
    client.force_login(secretariat_user)

    response = client.get(f"/api/v1/events/{event.pk}/registrations?format=csv")

    assert response.status_code == HTTPStatus.OK
    assert "marie.secret@example.org" in response.content.decode("utf-8-sig")
    [log] = PersonalDataExport.objects.all()
    assert (log.what, log.rows) == ("registrations.csv", 2)


@pytest.mark.parametrize("role", ROLES)
def test_meeting_video_link_is_for_the_council(request, client, role, meeting):
    meeting.video_url = "https://visio.example.org/comite-mars"
    meeting.save()
    client = client_as(request, client, role)

    listed = client.get("/api/v1/meetings").json()["items"][0]
    detail = client.get(f"/api/v1/meetings/{meeting.pk}").json()

    expected = "https://visio.example.org/comite-mars" if role in COUNCIL else ""
    assert listed["video_url"] == detail["video_url"] == expected
