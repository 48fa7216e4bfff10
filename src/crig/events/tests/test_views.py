"""Pages of council meetings per role: the list by year, a meeting's page with
its agenda (confidential items redacted outside the council), links only to
what the person may open, documents, attendance and quorum, decisions; drafts
hidden; the meeting's calendar file and the public feed."""

import datetime
from http import HTTPStatus

import icalendar
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from crig.events.ics import PARIS
from crig.events.models import AgendaItem, Attendance, Decision, MeetingDocument
from crig.events.tests import factories
from crig.funding.models import FundingRequest
from crig.funding.tests.factories import FundingRequestFactory, OpinionFactory
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory, SignatoryFactory

ROLES = [
    "anonymous",
    "plain",
    "member",
    "referent",
    "signatory_member",
    "reviewer",
    "secretariat",
    "admin",
]
#: The council (rules.is_council_person): drafts and confidential items.
COUNCIL = {"signatory_member", "reviewer", "secretariat", "admin"}
#: The secretariat's pages (rules.is_staff_role).
STAFF = {"secretariat", "admin"}

SECRET_TITLE = "Demande LIDAR du SDIS 31"
SECRET_DESCRIPTION = "Montant sollicité : 120 000 €"
SECRET_DECISION = "Avis favorable à la demande LIDAR du SDIS"


def person_for(request, role: str):
    if role == "anonymous":
        return None
    fixture = {
        "plain": "plain_user",
        "member": "member_user",
        "referent": "referent_user",
        "signatory_member": "signatory_member_user",
        "reviewer": "reviewer_user",
        "secretariat": "secretariat_user",
        "admin": "admin_user",
    }[role]
    return request.getfixturevalue(fixture)


def client_as(request, client, role: str):
    person = person_for(request, role)
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture
def minutes(meeting):
    """A published meeting with a public item, a confidential one and their
    decisions."""
    public = AgendaItem.objects.create(
        meeting=meeting, position=1, title="Point sur le PCRS", description="Avancée."
    )
    secret = AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title=SECRET_TITLE,
        description=SECRET_DESCRIPTION,
        kind=AgendaItem.Kind.FUNDING,
        confidential=True,
    )
    Decision.objects.create(
        meeting=meeting, agenda_item=public, text="Le PCRS est prolongé d'un an."
    )
    Decision.objects.create(
        meeting=meeting,
        agenda_item=secret,
        kind=Decision.Kind.OPINION,
        text=SECRET_DECISION,
    )
    meeting.minutes = "Le comité s'est réuni à la préfecture."
    meeting.save()
    return meeting


# The list ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_meeting_list_shows_drafts_to_the_council_only(
    request, client, role, meeting, draft_meeting
):
    client = client_as(request, client, role)

    response = client.get("/reunions/")

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Comité du CRIG de mars" in content
    assert ("Comité en préparation" in content) is (role in COUNCIL)


# A meeting --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_draft_meeting_is_a_404_outside_the_council(
    request, client, role, draft_meeting
):
    client = client_as(request, client, role)

    response = client.get(f"/reunions/{draft_meeting.pk}/")

    expected = HTTPStatus.OK if role in COUNCIL else HTTPStatus.NOT_FOUND
    assert response.status_code == expected
    if role in COUNCIL:
        assert "seul le conseil la voit" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_confidential_items_and_decisions_are_redacted_outside_the_council(
    request, client, role, minutes
):
    client = client_as(request, client, role)

    response = client.get(f"/reunions/{minutes.pk}/")

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Point sur le PCRS" in content
    assert "Le PCRS est prolongé d&#x27;un an." in content
    assert "Le comité s&#x27;est réuni à la préfecture." in content
    for secret in (SECRET_TITLE, SECRET_DESCRIPTION, SECRET_DECISION):
        assert (secret in content) is (role in COUNCIL)
    assert ("Point confidentiel" in content) is (role not in COUNCIL)


@pytest.mark.parametrize("role", ROLES)
def test_agenda_links_only_to_what_the_person_may_open(
    request, client, role, meeting, funding_request, action
):
    # Given a request under review (its file for the applicant's people and
    # the staff) and another with a published opinion (in the public register)
    published = OpinionFactory(
        request=FundingRequestFactory(
            title="Orthophotographie de l'Aude",
            state=FundingRequest.State.PUBLISHED,
            signatory=funding_request.signatory,
        ),
        published_at=timezone.now(),
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        title="Avis à rendre",
        funding_request=funding_request,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title="Avis rendu",
        funding_request=published.request,
    )
    AgendaItem.objects.create(meeting=meeting, position=3, title="Plan", action=action)
    client = client_as(request, client, role)

    content = client.get(f"/reunions/{meeting.pk}/").content.decode()

    sees_file = role in {"member", "referent"} | STAFF
    assert (f'href="/financements/{funding_request.pk}/"' in content) is sees_file
    assert ("PCRS de Toulouse" in content) is sees_file
    assert f'href="/financements/avis/{published.pk}/"' in content
    assert "Avis dans le registre" in content
    assert f'href="/plan-d-actions/actions/{action.pk}/"' in content


def test_attendance_shows_the_quorum(client, meeting, signatory, other_organisation):
    others = [SignatoryFactory() for _ in range(3)]
    for present in [signatory, *others[:2]]:
        Attendance.objects.create(
            meeting=meeting,
            organisation=present.organisation,
            representatives="Mme Dupont",
        )
    Attendance.objects.create(
        meeting=meeting, organisation=others[2].organisation, present=False
    )
    Attendance.objects.create(meeting=meeting, organisation=other_organisation)

    content = client.get(f"/reunions/{meeting.pk}/").content.decode()

    assert "Quorum atteint" in content
    assert "signataires présents : 3 sur 4 (3 requis)" in content
    assert "Université de Montpellier" in content
    assert "Excusé" in content


def test_quorum_not_reached(client, meeting, signatory):
    Attendance.objects.create(meeting=meeting, organisation=signatory.organisation)

    content = client.get(f"/reunions/{meeting.pk}/").content.decode()

    assert "Quorum non atteint" in content
    assert "signataires présents : 1 sur 1 (3 requis)" in content


@pytest.mark.parametrize("role", ROLES)
def test_confidential_documents_for_the_council_only(request, client, role, meeting):
    public = MeetingDocument.objects.create(
        meeting=meeting,
        name="ordre-du-jour.pdf",
        size=3,
        file=ContentFile(b"odj", name="ordre-du-jour.pdf"),
    )
    secret = MeetingDocument.objects.create(
        meeting=meeting,
        name="dossier-sdis.pdf",
        size=6,
        confidential=True,
        file=ContentFile(b"secret", name="dossier-sdis.pdf"),
    )
    client = client_as(request, client, role)

    content = client.get(f"/reunions/{meeting.pk}/").content.decode()
    public_file = client.get(f"/reunions/{meeting.pk}/documents/{public.pk}/")
    secret_file = client.get(f"/reunions/{meeting.pk}/documents/{secret.pk}/")

    assert "ordre-du-jour.pdf" in content
    assert ("dossier-sdis.pdf" in content) is (role in COUNCIL)
    assert public_file.status_code == HTTPStatus.OK
    assert b"".join(public_file.streaming_content) == b"odj"
    expected = HTTPStatus.OK if role in COUNCIL else HTTPStatus.NOT_FOUND
    assert secret_file.status_code == expected


# Calendar files ---------------------------------------------------------------


def test_meeting_calendar_file_parses(client, meeting):
    response = client.get(f"/reunions/{meeting.pk}/calendrier.ics")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Comité du CRIG de mars"
    assert str(entry["uid"]) == str(meeting.uid)


@pytest.mark.parametrize("role", ["anonymous", "member", "secretariat"])
def test_calendar_feed_parses_and_leaves_out_what_the_person_may_not_see(
    request, client, role, minutes, draft_meeting, event
):
    draft_event = factories.EventFactory(title="Atelier en préparation", state="draft")
    client = client_as(request, client, role)

    response = client.get("/calendar.ics")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = sorted(str(entry["summary"]) for entry in calendar.walk("VEVENT"))
    expected = ["Comité du CRIG de mars", "Journée du CRIG 2025"]
    if role == "secretariat":
        expected += [draft_meeting.title, draft_event.title]
    assert summaries == sorted(expected)
    assert SECRET_TITLE.encode() not in response.content
    assert b"@example.org" not in response.content


def test_pages_link_the_calendar_files(client, meeting, event):
    meeting_page = client.get(f"/reunions/{meeting.pk}/").content.decode()
    event_page = client.get(f"/evenements/{event.slug}/").content.decode()
    list_page = client.get("/evenements/").content.decode()

    assert f'href="/reunions/{meeting.pk}/calendrier.ics"' in meeting_page
    assert f'href="/evenements/{event.slug}/calendrier.ics"' in event_page
    assert 'href="/calendar.ics"' in list_page


def test_signatory_people_count_as_council_through_their_organisation(
    client, draft_meeting, signatory
):
    # Given a referent of a signatory organisation (not only its members)
    person = MembershipFactory(
        organisation=signatory.organisation, role=Membership.Role.REFERENT
    ).person
    client.force_login(person)

    response = client.get(f"/reunions/{draft_meeting.pk}/")

    assert response.status_code == HTTPStatus.OK


def test_meetings_are_grouped_by_year(db, client):
    factories.MeetingFactory(
        title="Comité de novembre 2023",
        starts_at=datetime.datetime(2023, 11, 7, 14, tzinfo=PARIS),
        ends_at=datetime.datetime(2023, 11, 7, 17, tzinfo=PARIS),
    )
    factories.MeetingFactory(
        title="Comité de mars 2024",
        starts_at=datetime.datetime(2024, 3, 12, 14, tzinfo=PARIS),
        ends_at=datetime.datetime(2024, 3, 12, 17, tzinfo=PARIS),
    )

    content = client.get("/reunions/").content.decode()

    assert content.index('id="year-2024"') < content.index("Comité de mars 2024")
    assert content.index("Comité de mars 2024") < content.index('id="year-2023"')
    assert content.index('id="year-2023"') < content.index("Comité de novembre 2023")


@pytest.mark.parametrize("role", ROLES)
def test_meeting_video_link_is_for_the_council(request, client, role, meeting):
    # The link would let anyone join the meeting.
    meeting.video_url = "https://visio.example.org/comite-mars"
    meeting.save()
    client = client_as(request, client, role)

    content = client.get(f"/reunions/{meeting.pk}/").content.decode()

    assert ("https://visio.example.org/comite-mars" in content) is (role in COUNCIL)
    assert ("les membres du comité en reçoivent le lien" in content) is (
        role not in COUNCIL
    )
