"""The events demo: the 2024 annual day shows the council's own figures (164,
46 %, 70 %, the categories in the presentation's order), the next day is open,
the council's three 2024 meetings; a second run changes nothing."""

import io
from collections import Counter

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from crig.actionplan import demo as actionplan_demo
from crig.events import demo, selectors
from crig.events.models import (
    AgendaItem,
    Attendance,
    Decision,
    Event,
    Meeting,
    Registration,
    Session,
)
from crig.events.services import registration_is_open
from crig.members import demo as members_demo
from crig.needs import demo as needs_demo
from crig.territory.tests.fixtures import ensure_territory


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Event,
            Session,
            Registration,
            Meeting,
            AgendaItem,
            Attendance,
            Decision,
        )
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (it registers some 650 people), in a
    transaction rolled back after the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_territory()
        members_demo.load_demo(stdout=io.StringIO())
        needs_demo.load_demo(stdout=io.StringIO())
        actionplan_demo.load_demo(stdout=io.StringIO())
        output = io.StringIO()
        demo.load_demo(stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def db_with_demo(loaded, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield loaded
        transaction.set_rollback(True)


def test_the_plan_of_registrants_is_built_from_the_presentation_figures():
    plan = demo.build_plan()

    day = plan.confirmed[2024]
    earlier = {
        p.email for year in (2020, 2021, 2022, 2023) for p in plan.confirmed[year]
    }
    assert len(day) == 164
    assert sum(p.email in earlier for p in day) == 75
    assert len(plan.declared[2024]) == 76
    assert sum(p.is_openig_member for p in day) == 115
    assert len({p.email for p in day}) == 164


def test_the_2024_day_shows_164_confirmed_46_percent_returners_70_percent_members(
    db_with_demo,
):
    event = Event.objects.get(slug="journee-du-crig-2024")

    stats = selectors.event_stats(event=event)

    assert event.place_name == "Hôtel de Région, Toulouse"
    assert timezone.localtime(event.starts_at).date().isoformat() == "2024-11-19"
    assert stats.confirmed == 164
    assert stats.attended_before_computed_count == 75
    assert round(100 * stats.attended_before_computed) == 46
    assert stats.attended_before_declared_count == 76
    assert round(100 * stats.attended_before_declared) == 46
    assert stats.openig_members_count == 115
    assert round(100 * stats.openig_members) == 70
    assert stats.present == 141
    assert stats.cancelled == 7
    assert stats.waiting == 0


def test_the_2024_categories_decrease_in_the_presentation_order(db_with_demo):
    event = Event.objects.get(slug="journee-du-crig-2024")

    stats = selectors.event_stats(event=event)

    assert [(value, count) for value, _label, count in stats.by_category] == [
        ("collectivite", 62),
        ("entreprise", 34),
        ("autre_public", 24),
        ("openig", 16),
        ("ign", 12),
        ("etat", 9),
        ("academique", 7),
    ]


def test_the_2024_registrants_come_from_the_13_departements_mostly_31_and_34(
    db_with_demo,
):
    event = Event.objects.get(slug="journee-du-crig-2024")

    stats = selectors.event_stats(event=event)

    by_code = {code: count for code, _name, count in stats.by_departement}
    assert len(by_code) == 13
    assert by_code["31"] == 70
    assert by_code["34"] == 38
    assert sum(by_code.values()) == 164


def test_five_past_days_alternate_toulouse_and_montpellier_with_check_ins(
    db_with_demo,
):
    past = selectors.events_comparison(kind=Event.Kind.ANNUAL_DAY)[:5]

    assert [
        (timezone.localtime(s.event.starts_at).year, s.event.place_name.split(", ")[1])
        for s in past
    ] == [
        (2020, "Toulouse"),
        (2021, "Montpellier"),
        (2022, "Toulouse"),
        (2023, "Montpellier"),
        (2024, "Toulouse"),
    ]
    assert all(0 < s.present < s.confirmed for s in past)


def test_the_2023_day_was_full_with_a_waiting_list_that_moved(db_with_demo):
    event = Event.objects.get(slug="journee-du-crig-2023")

    places = selectors.event_places(event)

    assert (places.capacity, places.confirmed, places.waiting) == (120, 120, 4)
    assert event.registrations.filter(status="cancelled").count() == 3


def test_the_next_annual_day_is_open_with_a_programme_and_180_places(db_with_demo):
    event = Event.objects.get(kind=Event.Kind.ANNUAL_DAY, starts_at__gt=timezone.now())

    assert registration_is_open(event)
    assert event.capacity == 180
    assert event.sessions.count() == 7
    assert selectors.event_places(event).confirmed == 24


def test_the_demo_sends_no_e_mail(db_with_demo):
    assert mail.outbox == []
    assert not Registration.objects.filter(confirmation_sent_at__isnull=False).exists()


def test_three_published_meetings_in_2024_with_quorum_and_one_draft(db_with_demo):
    meetings = Meeting.objects.filter(starts_at__year=2024).order_by("starts_at")

    assert [m.state for m in meetings] == ["published"] * 3
    assert [selectors.meeting_quorum(m).signatories_present for m in meetings] == [
        4,
        3,
        4,
    ]
    assert all(selectors.meeting_quorum(m).reached for m in meetings)
    assert all(m.minutes for m in meetings)
    assert (
        Meeting.objects.filter(state="draft", starts_at__gt=timezone.now()).count() == 1
    )


def test_the_meetings_link_the_plan_and_record_an_action_created(db_with_demo):
    kinds = Counter(
        AgendaItem.objects.filter(meeting__starts_at__year=2024).values_list(
            "kind", flat=True
        )
    )
    created = Decision.objects.get(text__startswith="Le comité crée l'action")

    assert kinds["action"] == 5
    assert kinds["round"] == 2
    assert created.action is not None
    assert AgendaItem.objects.filter(action__isnull=False).count() >= 5


def test_the_confidential_item_is_redacted_in_the_published_minutes(
    db_with_demo, django_user_model
):
    from django.contrib.auth.models import AnonymousUser

    meeting = Meeting.objects.get(title="Comité du CRIG — octobre 2024")

    agenda = selectors.meeting_agenda(user=AnonymousUser(), meeting=meeting)
    decisions = selectors.meeting_decisions(user=AnonymousUser(), meeting=meeting)

    assert [row.redacted for row in agenda] == [False, False, False, True]
    assert "instruction" not in " ".join(row.title for row in agenda)
    assert len(decisions) == 1


def test_a_second_run_changes_nothing(db_with_demo):
    before = _counts()

    output = io.StringIO()
    demo.load_demo(stdout=output)

    assert _counts() == before
    assert "0 past annual days" in output.getvalue()
