"""Reads: visibility of meetings and events per role, places, the public
participants list, the dashboard's figures on small fixtures (computed vs
declared returners, categories in the council's order, départements), the
comparison across years, the quorum, the calendar."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.core.errors import NotFound
from crig.events import selectors
from crig.events.models import AgendaItem, Attendance, Decision, Event
from crig.events.tests.factories import (
    EventFactory,
    RegistrationFactory,
)
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
    UserFactory,
)
from crig.territory.models import Commune


def _year(year: int, **kwargs) -> Event:
    starts = timezone.make_aware(datetime.datetime(year, 11, 19, 9))  # noqa: DTZ001
    return EventFactory(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=8), **kwargs
    )


@pytest.fixture
def signatory_member(signatory):
    return MembershipFactory(
        organisation=signatory.organisation, person__email="sig@example.org"
    ).person


# --- Visibility -------------------------------------------------------------

ROLES = [
    ("anonymous", False),
    ("plain_user", False),
    ("member_user", False),
    ("referent_user", False),
    ("signatory_member", True),
    ("reviewer_user", True),
    ("secretariat_user", True),
    ("admin_user", True),
]


def _user(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize(("role", "sees_drafts"), ROLES)
def test_draft_meetings_are_for_the_council_only(
    request, meeting, draft_meeting, role, sees_drafts
):
    user = _user(request, role)

    visible = set(selectors.meetings_visible_to(user))

    assert visible == ({meeting, draft_meeting} if sees_drafts else {meeting})


@pytest.mark.parametrize(("role", "sees_drafts"), ROLES)
def test_a_draft_meeting_is_not_found_outside_the_council(
    request, draft_meeting, role, sees_drafts
):
    user = _user(request, role)

    if sees_drafts:
        assert selectors.meeting_get(user=user, pk=draft_meeting.pk) == draft_meeting
    else:
        with pytest.raises(NotFound):
            selectors.meeting_get(user=user, pk=draft_meeting.pk)


@pytest.mark.parametrize(
    ("role", "sees_drafts"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", False),
        ("signatory_member", False),
        ("reviewer_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_draft_events_are_for_the_secretariat_only(request, event, role, sees_drafts):
    draft = EventFactory(state="draft")
    cancelled = EventFactory(state="cancelled")
    user = _user(request, role)

    visible = set(selectors.events_visible_to(user))

    expected = {event, cancelled} | ({draft} if sees_drafts else set())
    assert visible == expected
    if not sees_drafts:
        with pytest.raises(NotFound):
            selectors.event_get(user=user, slug=draft.slug)


def test_event_get_by_slug(event):
    assert selectors.event_get(user=AnonymousUser(), slug=event.slug) == event


# --- Redaction --------------------------------------------------------------


@pytest.fixture
def meeting_with_secret(meeting):
    public = AgendaItem.objects.create(meeting=meeting, position=1, title="Plan 2024")
    secret = AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title="Demande en instruction",
        description="Détails",
        kind="funding",
        confidential=True,
    )
    Decision.objects.create(meeting=meeting, agenda_item=public, text="Plan adopté")
    Decision.objects.create(meeting=meeting, agenda_item=secret, text="Avis différé")
    Decision.objects.create(meeting=meeting, text="Note interne", confidential=True)
    return meeting


@pytest.mark.parametrize(("role", "sees_all"), ROLES)
def test_confidential_items_and_decisions_are_redacted_outside_the_council(
    request, meeting_with_secret, role, sees_all
):
    user = _user(request, role)

    agenda = selectors.meeting_agenda(user=user, meeting=meeting_with_secret)
    decisions = selectors.meeting_decisions(user=user, meeting=meeting_with_secret)

    if sees_all:
        assert [row.title for row in agenda] == ["Plan 2024", "Demande en instruction"]
        assert [d.text for d in decisions] == [
            "Plan adopté",
            "Avis différé",
            "Note interne",
        ]
    else:
        assert [(row.title, row.redacted) for row in agenda] == [
            ("Plan 2024", False),
            ("Point confidentiel", True),
        ]
        assert agenda[1].description == ""
        assert agenda[1].item is None
        assert [d.text for d in decisions] == ["Plan adopté"]


# --- Quorum -----------------------------------------------------------------


@pytest.mark.parametrize(("present", "reached"), [(2, False), (3, True), (4, True)])
def test_the_quorum_counts_signatories_present(meeting, present, reached):
    signatories = SignatoryFactory.create_batch(4)
    for index, signatory in enumerate(signatories):
        Attendance.objects.create(
            meeting=meeting,
            organisation=signatory.organisation,
            present=index < present,
        )
    Attendance.objects.create(meeting=meeting, organisation=OrganisationFactory())

    quorum = selectors.meeting_quorum(meeting)

    assert (quorum.signatories_present, quorum.signatories_total) == (present, 4)
    assert quorum.required == 3
    assert quorum.reached is reached


def test_the_quorum_follows_the_setting(meeting, settings):
    settings.EVENTS_MEETING_QUORUM = 4
    signatories = SignatoryFactory.create_batch(4)
    for signatory in signatories[:3]:
        Attendance.objects.create(meeting=meeting, organisation=signatory.organisation)

    quorum = selectors.meeting_quorum(meeting)

    assert (quorum.required, quorum.reached) == (4, False)


# --- Places and participants ------------------------------------------------


def test_places_count_confirmed_and_waiting(event):
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, status="waiting")
    RegistrationFactory(event=event, status="cancelled")

    places = selectors.event_places(event)

    assert (places.capacity, places.confirmed, places.waiting, places.left) == (
        2,
        2,
        1,
        0,
    )


def test_places_without_capacity_have_no_limit(db):
    event = EventFactory(capacity=None)
    RegistrationFactory(event=event)

    assert selectors.event_places(event).left is None


def test_participants_are_the_confirmed_who_consented_with_name_and_organisation(
    event, organisation
):
    RegistrationFactory(
        event=event,
        full_name="Zoé Martin",
        organisation=organisation,
        consent_to_list=True,
    )
    RegistrationFactory(
        event=event,
        full_name="Anne Roux",
        organisation_name="Géomètres associés",
        consent_to_list=True,
        dietary_needs="Sans gluten",
    )
    RegistrationFactory(event=event, full_name="Sans Consentement")
    RegistrationFactory(
        event=event, full_name="En Attente", status="waiting", consent_to_list=True
    )

    participants = selectors.event_participants(event)

    assert participants == [
        {"full_name": "Anne Roux", "organisation": "Géomètres associés"},
        {
            "full_name": "Zoé Martin",
            "organisation": "Conseil départemental de la Haute-Garonne",
        },
    ]


# --- Statistics -------------------------------------------------------------


def test_returners_are_matched_by_e_mail_or_account_among_earlier_confirmed(db):
    person = UserFactory()
    earlier = _year(2022)
    RegistrationFactory(event=earlier, email="a@example.org")
    RegistrationFactory(event=earlier, email="other-address@example.org", person=person)
    RegistrationFactory(event=earlier, email="c@example.org", status="cancelled")
    RegistrationFactory(event=earlier, email="d@example.org", status="waiting")
    workshop = _year(2022, kind="workshop")
    RegistrationFactory(event=workshop, email="e@example.org")
    later = _year(2025)
    RegistrationFactory(event=later, email="f@example.org")
    event = _year(2024)
    RegistrationFactory(event=event, email="a@example.org")  # same e-mail
    RegistrationFactory(event=event, email="b@example.org", person=person)  # account
    RegistrationFactory(event=event, email="c@example.org", attended_before=True)
    RegistrationFactory(event=event, email="d@example.org")
    RegistrationFactory(event=event, email="e@example.org", attended_before=True)
    RegistrationFactory(event=event, email="f@example.org")
    RegistrationFactory(event=event, email="g@example.org", attended_before=True)
    RegistrationFactory(event=event, email="h@example.org")

    stats = selectors.event_stats(event=event)

    assert stats.confirmed == 8
    assert stats.attended_before_computed_count == 2
    assert stats.attended_before_computed == 0.25
    assert stats.attended_before_declared_count == 3
    assert stats.attended_before_declared == 0.375


def test_a_draft_or_cancelled_earlier_event_does_not_count(db):
    for state in ("draft", "cancelled"):
        RegistrationFactory(event=_year(2022, state=state), email="a@example.org")
    event = _year(2024)
    RegistrationFactory(event=event, email="a@example.org")

    assert selectors.event_stats(event=event).attended_before_computed == 0.0


def test_counts_by_status_present_and_openig(event):
    RegistrationFactory(event=event, is_openig_member=True)
    RegistrationFactory(
        event=event, is_openig_member=True, checked_in_at=timezone.now()
    )
    RegistrationFactory(event=event, status="waiting", is_openig_member=True)
    RegistrationFactory(event=event, status="cancelled")
    RegistrationFactory(event=event)
    RegistrationFactory(event=event)

    stats = selectors.event_stats(event=event)

    assert (stats.confirmed, stats.present, stats.waiting, stats.cancelled) == (
        4,
        1,
        1,
        1,
    )
    assert (stats.openig_members_count, stats.openig_members) == (2, 0.5)


def test_present_is_none_before_any_check_in(event):
    RegistrationFactory(event=event)

    assert selectors.event_stats(event=event).present is None


def test_an_event_without_registrants_has_zero_shares(event):
    stats = selectors.event_stats(event=event)

    assert (stats.confirmed, stats.attended_before_computed, stats.openig_members) == (
        0,
        0.0,
        0.0,
    )


def test_categories_come_in_the_councils_order_with_zeros(event):
    for category, count in [("academique", 1), ("collectivite", 3), ("ign", 2)]:
        RegistrationFactory.create_batch(count, event=event, category=category)
    RegistrationFactory(event=event, category="etat", status="waiting")

    stats = selectors.event_stats(event=event)

    assert stats.by_category == [
        ("collectivite", "Collectivités", 3),
        ("entreprise", "Entreprises, SCOP", 0),
        ("autre_public", "Autres structures publiques, associations", 0),
        ("openig", "OPenIG", 0),
        ("ign", "IGN", 2),
        ("etat", "État", 0),
        ("academique", "Académique, scientifique", 1),
    ]


def test_departements_from_the_registration_then_a_single_departement_perimeter(
    event,
):
    in_31 = OrganisationFactory()
    in_31.perimeter.set(Commune.objects.filter(insee__in=["31555", "31069"]))
    straddling = OrganisationFactory()
    straddling.perimeter.set(Commune.objects.filter(insee__in=["31555", "34172"]))
    RegistrationFactory.create_batch(2, event=event, departement_id="34")
    RegistrationFactory(event=event, departement_id="09", organisation=in_31)
    RegistrationFactory(event=event, organisation=in_31)
    RegistrationFactory(event=event, organisation=straddling)
    RegistrationFactory(event=event, organisation_name="Tapé à la main")
    RegistrationFactory(event=event, departement_id="34", status="cancelled")

    stats = selectors.event_stats(event=event)

    assert stats.by_departement == [
        ("09", "Ariège", 1),
        ("31", "Haute-Garonne", 1),
        ("34", "Hérault", 2),
        ("unknown", "Inconnu", 2),
    ]


def test_the_comparison_lists_published_events_of_a_kind_oldest_first(db):
    older = _year(2022)
    newer = _year(2024)
    _year(2023, state="draft")
    _year(2023, kind="workshop")
    RegistrationFactory(event=older, email="a@example.org")
    RegistrationFactory(event=newer, email="a@example.org")
    RegistrationFactory(event=newer, email="b@example.org")

    comparison = selectors.events_comparison(kind="annual_day")

    assert [(s.event, s.confirmed, s.attended_before_computed) for s in comparison] == [
        (older, 1, 0.0),
        (newer, 2, 0.5),
    ]


# --- Calendar ---------------------------------------------------------------


def test_the_public_calendar_has_published_meetings_and_events_by_date(
    meeting, draft_meeting, event
):
    EventFactory(state="draft")

    items = selectors.calendar_items(user=AnonymousUser())

    # The meeting is in 20 days, the event in 30.
    assert items == [meeting, event]
