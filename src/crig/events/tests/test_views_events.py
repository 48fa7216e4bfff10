"""Pages of events per role: the list, an event's page (programme, places,
participants who consented), registering (bad input re-renders with the
French message and changes nothing), cancelling through the e-mailed link, the
secretariat's check-in and printable list, and the participation dashboard.
E-mails, dietary and accessibility needs never reach anyone but the
secretariat."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from crig.events import services
from crig.events.models import Event, Registration
from crig.events.tests import factories
from crig.events.tests.test_views import ROLES, STAFF, client_as
from crig.members.models import Organisation

PRIVATE = ("marie.secret@example.org", "Fauteuil roulant", "Sans gluten")


@pytest.fixture
def registrants(event, organisation):
    """On the 2-place ``event``: Marie (consented, with needs), Jean (did not
    consent), and Zoé on the waiting list."""
    marie = factories.RegistrationFactory(
        event=event,
        full_name="Marie Curie",
        email="marie.secret@example.org",
        organisation=organisation,
        accessibility_needs="Fauteuil roulant",
        dietary_needs="Sans gluten",
        consent_to_list=True,
    )
    jean = factories.RegistrationFactory(
        event=event,
        full_name="Jean Discret",
        email="jean@example.org",
        organisation_name="Bureau d'études Garonne",
        category=Organisation.Category.ENTREPRISE,
    )
    zoe = factories.RegistrationFactory(
        event=event,
        full_name="Zoé Attente",
        email="zoe@example.org",
        organisation_name="Mairie d'Albi",
        status=Registration.Status.WAITING,
    )
    return marie, jean, zoe


def _form(**overrides):
    data = {
        "full_name": "Léa Martin",
        "email": "lea.martin@example.org",
        "organisation": "",
        "organisation_name": "Syndicat mixte du Tarn",
        "category": Organisation.Category.AUTRE_PUBLIC,
        "departement": "81",
        "is_openig_member": "no",
        "attended_before": "yes",
        "accessibility_needs": "",
        "dietary_needs": "Végétarien",
        "consent_to_list": "on",
    }
    data.update(overrides)
    return data


# The list and the page -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_event_list_shows_upcoming_and_past_and_drafts_to_the_staff(
    request, client, role, event
):
    factories.EventFactory(
        title="Journée du CRIG 2023",
        starts_at=timezone.now() - datetime.timedelta(days=400),
        ends_at=timezone.now() - datetime.timedelta(days=400, hours=-8),
    )
    factories.EventFactory(title="Atelier en préparation", state=Event.State.DRAFT)
    client = client_as(request, client, role)

    content = client.get("/evenements/").content.decode()

    upcoming, past = content.split('id="past-title"')
    assert "Journée du CRIG 2025" in upcoming
    assert "Journée du CRIG 2023" in past
    assert ("Atelier en préparation" in content) is (role in STAFF)


def test_event_list_filters_by_kind(client, event):
    factories.EventFactory(title="Atelier PCRS", kind=Event.Kind.PCRS)

    content = client.get("/evenements/?type=pcrs").content.decode()

    assert "Atelier PCRS" in content
    assert "Journée du CRIG 2025" not in content


@pytest.mark.parametrize("role", ROLES)
def test_draft_event_is_a_404_but_for_the_staff(db, request, client, role):
    draft = factories.EventFactory(state=Event.State.DRAFT)
    client = client_as(request, client, role)

    response = client.get(f"/evenements/{draft.slug}/")

    expected = HTTPStatus.OK if role in STAFF else HTTPStatus.NOT_FOUND
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_event_page_shows_the_programme_places_and_consenting_participants(
    request, client, role, event, registrants
):
    factories.SessionFactory(
        event=event,
        title="Le PCRS en Occitanie",
        speakers="Anne Géomètre (IGN)",
        room="Salle Garonne",
    )
    client = client_as(request, client, role)

    content = client.get(f"/evenements/{event.slug}/").content.decode()

    assert "Le PCRS en Occitanie" in content
    assert "Anne Géomètre (IGN)" in content
    assert "Salle : Salle Garonne" in content
    assert "<strong>0</strong> place restante" in content
    assert "1 personne en liste d'attente" in content
    assert "Marie Curie" in content
    assert "Conseil départemental de la Haute-Garonne" in content
    assert "Jean Discret" not in content
    assert "Zoé Attente" not in content
    for private in PRIVATE:
        assert private not in content
    assert ("Pointage" in content) is (role in STAFF)
    assert f'data-geojson-url="/api/v1/events/{event.pk}/place"' in content


def test_event_page_offers_the_waiting_list_when_full(client, event, registrants):
    content = client.get(f"/evenements/{event.slug}/").content.decode()

    assert "S'inscrire sur la liste d'attente" in content


def test_event_page_says_when_registration_is_closed(db, client):
    closed = factories.EventFactory(
        registration_closes_at=timezone.now() - datetime.timedelta(hours=1)
    )

    content = client.get(f"/evenements/{closed.slug}/").content.decode()

    assert "Les inscriptions sont closes." in content
    assert f'href="/evenements/{closed.slug}/inscription/"' not in content


# Registering ---------------------------------------------------------------------


def test_anonymous_person_registers_and_sees_the_confirmation(client, event):
    response = client.post(f"/evenements/{event.slug}/inscription/", _form())

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/evenements/{event.slug}/inscription/confirmation/"
    registration = Registration.objects.get(event=event)
    assert registration.full_name == "Léa Martin"
    assert registration.email == "lea.martin@example.org"
    assert registration.organisation_name == "Syndicat mixte du Tarn"
    assert registration.category == Organisation.Category.AUTRE_PUBLIC
    assert registration.departement_id == "81"
    assert registration.attended_before is True
    assert registration.is_openig_member is False
    assert registration.dietary_needs == "Végétarien"
    assert registration.consent_to_list is True
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.person is None
    page = client.get(response["Location"]).content.decode()
    assert "Votre inscription est confirmée" in page
    assert "lea.martin@example.org" in page
    assert "fichier calendrier" in page


def test_picking_an_organisation_takes_its_kind(client, event, organisation):
    response = client.post(
        f"/evenements/{event.slug}/inscription/",
        _form(organisation=organisation.pk, organisation_name="", category=""),
    )

    assert response.status_code == HTTPStatus.FOUND
    registration = Registration.objects.get(event=event)
    assert registration.organisation == organisation
    assert registration.category == Organisation.Category.COLLECTIVITE


def test_full_event_puts_the_person_on_the_waiting_list(client, event):
    factories.RegistrationFactory.create_batch(2, event=event)

    response = client.post(
        f"/evenements/{event.slug}/inscription/", _form(), follow=True
    )

    assert Registration.objects.get(email="lea.martin@example.org").status == (
        Registration.Status.WAITING
    )
    assert "Vous êtes sur la liste d'attente" in response.content.decode()


def test_confirmation_page_is_not_shown_to_someone_else(client, event):
    factories.RegistrationFactory(event=event)

    response = client.get(f"/evenements/{event.slug}/inscription/confirmation/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/evenements/{event.slug}/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "lea.martin"}, "Saisissez une adresse de courriel valide."),
        (
            {"organisation_name": ""},
            "Choisissez votre organisme dans l&#x27;annuaire ou saisissez son nom.",
        ),
        ({"category": ""}, "Choisissez le type de votre organisme."),
        ({"attended_before": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_input_re_renders_with_the_message_and_saves_nothing(
    client, event, overrides, message
):
    response = client.post(f"/evenements/{event.slug}/inscription/", _form(**overrides))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_same_email_twice_is_refused_and_changes_nothing(client, event):
    factories.RegistrationFactory(event=event, email="lea.martin@example.org")

    response = client.post(
        f"/evenements/{event.slug}/inscription/",
        _form(email="Lea.Martin@Example.org"),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "lea.martin@example.org est déjà inscrit·e à « Journée du CRIG 2025 »."
        in response.content.decode()
    )
    assert Registration.objects.filter(event=event).count() == 1


def test_registration_after_closing_is_refused(db, client):
    closed = factories.EventFactory(
        title="Journée close",
        registration_closes_at=timezone.now() - datetime.timedelta(hours=1),
    )

    get = client.get(f"/evenements/{closed.slug}/inscription/")
    post = client.post(f"/evenements/{closed.slug}/inscription/", _form())

    assert get.status_code == HTTPStatus.OK
    assert "Les inscriptions sont closes." in get.content.decode()
    assert post.status_code == HTTPStatus.BAD_REQUEST
    assert "Les inscriptions à « Journée close » sont closes." in post.content.decode()
    assert not Registration.objects.exists()


def test_form_is_prefilled_for_a_signed_in_member(client, event, member_user):
    client.force_login(member_user)

    content = client.get(f"/evenements/{event.slug}/inscription/").content.decode()

    assert 'value="Marie Membre"' in content
    assert 'value="member@example.org"' in content
    organisation = member_user.memberships.get().organisation
    assert f'<option value="{organisation.pk}" selected>' in content


def test_signed_in_person_is_linked_and_sees_their_registration(
    client, event, member_user
):
    client.force_login(member_user)

    client.post(
        f"/evenements/{event.slug}/inscription/",
        _form(email="member@example.org"),
    )
    content = client.get(f"/evenements/{event.slug}/").content.decode()

    assert Registration.objects.get().person == member_user
    assert "Vous êtes inscrit·e." in content
    assert "Annuler mon inscription" in content


# Cancelling ----------------------------------------------------------------------


def test_cancellation_link_asks_then_cancels_and_the_waiting_list_moves(
    client, event, registrants
):
    marie, _jean, zoe = registrants
    link = services.registration_cancel_link(marie).removeprefix(
        "http://127.0.0.1:8000"
    )

    asked = client.get(link)
    marie.refresh_from_db()
    cancelled = client.post(link)

    assert asked.status_code == HTTPStatus.OK
    assert "Oui, annuler mon inscription" in asked.content.decode()
    assert marie.status == Registration.Status.CONFIRMED
    assert cancelled.status_code == HTTPStatus.OK
    assert "est annulée" in cancelled.content.decode()
    marie.refresh_from_db()
    zoe.refresh_from_db()
    assert marie.status == Registration.Status.CANCELLED
    assert zoe.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_cancellation_link_is_refused(client, event, registrants, method):
    marie = registrants[0]
    token = services.registration_cancel_link(marie).rstrip("/").rsplit("/", 1)[1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = getattr(client, method)(f"/evenements/inscriptions/annuler/{forged}/")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Ce lien d&#x27;annulation n&#x27;est pas valide." in response.content.decode()
    )
    marie.refresh_from_db()
    assert marie.status == Registration.Status.CONFIRMED


def test_cancelling_twice_says_it_is_already_done(client, event, registrants):
    marie = registrants[0]
    link = services.registration_cancel_link(marie).removeprefix(
        "http://127.0.0.1:8000"
    )
    client.post(link)

    response = client.get(link)

    assert response.status_code == HTTPStatus.OK
    assert "est déjà annulée" in response.content.decode()


# Check-in, attendance list, exports ------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path", ["pointage/", "pointage/liste/", "inscriptions.csv", "inscriptions.xlsx"]
)
def test_secretariat_pages_are_for_the_secretariat(
    request, client, role, path, event, registrants
):
    client = client_as(request, client, role)

    response = client.get(f"/evenements/{event.slug}/{path}")

    if role in STAFF:
        assert response.status_code == HTTPStatus.OK
    elif role == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/connexion/")
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert b"marie.secret@example.org" not in response.content


def test_check_in_lists_the_confirmed_and_counts_present(
    client, event, registrants, secretariat_user
):
    marie, jean, _zoe = registrants
    client.force_login(secretariat_user)

    response = client.post(
        f"/evenements/{event.slug}/pointage/{marie.pk}/", {"present": "1", "q": "cur"}
    )
    page = client.get(response["Location"])

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == (
        f"/evenements/{event.slug}/pointage/?q=cur#registration-{marie.pk}"
    )
    marie.refresh_from_db()
    assert marie.checked_in_at is not None
    content = page.content.decode()
    assert "<strong>1</strong> présent" in content
    assert "<strong>2</strong> confirmé" in content
    assert "Marie Curie est marqué·e présent·e." in content
    assert "Marie Curie" in content
    assert "Jean Discret" not in content  # not matching the search "cur"
    assert "Zoé Attente" not in content  # on the waiting list


def test_check_in_search_ignores_accents_and_case(
    client, event, registrants, secretariat_user
):
    client.force_login(secretariat_user)

    content = client.get(
        f"/evenements/{event.slug}/pointage/?q=BUREAU D'ETUDES"
    ).content.decode()

    assert "Jean Discret" in content
    assert "Marie Curie" not in content


def test_check_in_can_be_undone(client, event, registrants, secretariat_user):
    marie = registrants[0]
    marie.checked_in_at = timezone.now()
    marie.save()
    client.force_login(secretariat_user)

    client.post(f"/evenements/{event.slug}/pointage/{marie.pk}/", {"present": "0"})

    marie.refresh_from_db()
    assert marie.checked_in_at is None


def test_waiting_person_cannot_be_checked_in(
    client, event, registrants, secretariat_user
):
    zoe = registrants[2]
    client.force_login(secretariat_user)

    response = client.post(
        f"/evenements/{event.slug}/pointage/{zoe.pk}/", {"present": "1"}, follow=True
    )

    assert "Seule une inscription confirmée peut être marquée présente." in (
        response.content.decode()
    )
    zoe.refresh_from_db()
    assert zoe.checked_in_at is None


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_check_in_post_is_refused_to_others(request, client, role, event, registrants):
    marie = registrants[0]
    client = client_as(request, client, role)

    response = client.post(
        f"/evenements/{event.slug}/pointage/{marie.pk}/", {"present": "1"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    marie.refresh_from_db()
    assert marie.checked_in_at is None


def test_printable_list_has_every_confirmed_registrant(
    client, event, registrants, secretariat_user
):
    client.force_login(secretariat_user)

    content = client.get(f"/evenements/{event.slug}/pointage/liste/").content.decode()

    assert "Feuille d'émargement" in content
    assert "2 inscrits confirmés" in content
    assert content.index("Jean Discret") < content.index("Marie Curie")
    assert "Zoé Attente" not in content
    assert "marie.secret@example.org" not in content


# The dashboard ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_is_public_and_holds_no_personal_data(
    request, client, role, event, registrants
):
    client = client_as(request, client, role)

    response = client.get(f"/evenements/{event.slug}/statistiques/")

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Qui est venu ?" in content
    for private in (*PRIVATE, "Marie Curie", "Jean Discret"):
        assert private not in content


def test_draft_event_dashboard_is_a_404_for_the_public(db, client):
    draft = factories.EventFactory(state=Event.State.DRAFT)

    response = client.get(f"/evenements/{draft.slug}/statistiques/")

    assert response.status_code == HTTPStatus.NOT_FOUND
