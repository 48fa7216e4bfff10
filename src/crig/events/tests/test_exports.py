"""Exports of an event: the registrations with their personal data (secretariat
only, every export logged, formulas neutralised) and the dashboard's figures
(aggregates, public for a published event), as CSV and XLSX."""

import csv
import io
from http import HTTPStatus

import openpyxl
import pytest

from crig.events.models import PersonalDataExport, Registration
from crig.events.tests import factories
from crig.events.tests.test_views import ROLES, STAFF, client_as
from crig.members.models import Organisation


@pytest.fixture
def registrants(event, organisation):
    marie = factories.RegistrationFactory(
        event=event,
        full_name="Marie Curie",
        email="marie.secret@example.org",
        organisation=organisation,
        dietary_needs="Sans gluten",
        departement_id="31",
        is_openig_member=True,
        attended_before=True,
    )
    formula = factories.RegistrationFactory(
        event=event,
        full_name='=HYPERLINK("http://evil.example","clic")',
        email="jean@example.org",
        organisation_name="Bureau d'études Garonne",
        category=Organisation.Category.ENTREPRISE,
        departement_id="34",
    )
    factories.RegistrationFactory(
        event=event,
        full_name="Zoé Attente",
        email="zoe@example.org",
        status=Registration.Status.WAITING,
    )
    return marie, formula


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_registrations_csv_has_personal_data_and_is_logged(
    client, event, registrants, secretariat_user
):
    client.force_login(secretariat_user)

    response = client.get(f"/evenements/{event.slug}/inscriptions.csv")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == (
        'attachment; filename="inscriptions-journee-du-crig-2025.csv"'
    )
    header, *rows = _csv_rows(response)
    assert header[:4] == ["Nom", "E-mail", "Organisme", "Dans l'annuaire"]
    assert [row[0] for row in rows] == [
        "Marie Curie",
        '\'=HYPERLINK("http://evil.example","clic")',
        "Zoé Attente",
    ]
    assert rows[0][1] == "marie.secret@example.org"
    assert rows[0][2] == "Conseil départemental de la Haute-Garonne"
    assert rows[0][5] == "31 Haute-Garonne"
    assert rows[0][9] == "Sans gluten"
    assert [row[11] for row in rows] == ["Confirmé", "Confirmé", "En liste d'attente"]
    [log] = PersonalDataExport.objects.all()
    assert (log.actor, log.event, log.what, log.rows) == (
        secretariat_user,
        event,
        "registrations.csv",
        3,
    )


def test_registrations_xlsx_is_logged(client, event, registrants, admin_user):
    client.force_login(admin_user)

    response = client.get(f"/evenements/{event.slug}/inscriptions.xlsx")

    assert response.status_code == HTTPStatus.OK
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[1][:2] == ("Marie Curie", "marie.secret@example.org")
    assert values[2][0] == '\'=HYPERLINK("http://evil.example","clic")'
    assert PersonalDataExport.objects.get().what == "registrations.xlsx"


@pytest.mark.parametrize("role", ROLES)
def test_registrations_export_is_refused_to_others_and_not_logged(
    request, client, role, event, registrants
):
    client = client_as(request, client, role)

    response = client.get(f"/evenements/{event.slug}/inscriptions.csv")

    if role in STAFF:
        assert response.status_code == HTTPStatus.OK
        assert PersonalDataExport.objects.count() == 1
    else:
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        assert b"marie.secret@example.org" not in response.content
        assert not PersonalDataExport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_stats_csv_holds_aggregates_only(request, client, role, event, registrants):
    client = client_as(request, client, role)

    response = client.get(f"/evenements/{event.slug}/statistiques.csv")

    assert response.status_code == HTTPStatus.OK
    header, *rows = _csv_rows(response)
    assert header == ["Indicateur", "Élément", "Nombre", "Part (%)"]
    assert rows[:3] == [
        ["Inscrits", "Inscrits confirmés", "2", ""],
        ["Inscrits", "En liste d'attente", "1", ""],
        ["Inscrits", "Annulé", "0", ""],
    ]
    assert ["Déjà venus (leur réponse)", "Oui", "1", "50.0"] in rows
    assert ["Adhérents OPenIG", "Oui", "1", "50.0"] in rows
    assert ["Type d'organisme", "Collectivités", "1", "50.0"] in rows
    assert ["Type d'organisme", "IGN", "0", "0.0"] in rows
    assert ["Département", "31 Haute-Garonne", "1", "50.0"] in rows
    assert ["Département", "34 Hérault", "1", "50.0"] in rows
    text = response.content.decode("utf-8-sig")
    for private in ("Marie Curie", "marie.secret@example.org", "Sans gluten", "Zoé"):
        assert private not in text
    assert not PersonalDataExport.objects.exists()


def test_stats_xlsx_opens(client, event, registrants):
    response = client.get(f"/evenements/{event.slug}/statistiques.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.values)[1] == ("Inscrits", "Inscrits confirmés", 2, None)


def test_draft_event_exports_are_a_404_for_the_public(db, client):
    draft = factories.EventFactory(state="draft")

    response = client.get(f"/evenements/{draft.slug}/statistiques.csv")

    assert response.status_code == HTTPStatus.NOT_FOUND
