"""Calendar files: parsed back with icalendar, stable UIDs, Paris time with its
VTIMEZONE, URL, LOCATION, GEO, status; nothing personal."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from crig.events import ics
from crig.events.tests.factories import (
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    SessionFactory,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://crig.example.org"


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def _only_event(content: bytes):
    calendar = icalendar.Calendar.from_ical(content)
    [component] = calendar.walk("VEVENT")
    return calendar, component


def test_an_event_file_parses_with_its_fields(db):
    event = EventFactory(
        title="Journée du CRIG Occitanie 2024",
        slug="journee-du-crig-2024",
        starts_at=_at(2024, 11, 19, 9),
        ends_at=_at(2024, 11, 19, 17),
        place_name="Hôtel de Région, Toulouse",
        address="22 boulevard du Maréchal Juin, 31400 Toulouse",
        longitude=1.4535,
        latitude=43.5873,
    )
    SessionFactory(
        event=event,
        title="Ouverture",
        speakers="Les signataires",
        starts_at=_at(2024, 11, 19, 9, 30),
        ends_at=_at(2024, 11, 19, 10),
    )

    calendar, vevent = _only_event(ics.event_ics(event))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ics.PRODID
    assert str(vevent["UID"]) == str(event.uid)
    assert str(vevent["SUMMARY"]) == "Journée du CRIG Occitanie 2024"
    assert vevent.decoded("DTSTART") == _at(2024, 11, 19, 9)
    assert vevent.decoded("DTEND") == _at(2024, 11, 19, 17)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(vevent["LOCATION"]) == (
        "Hôtel de Région, Toulouse, 22 boulevard du Maréchal Juin, 31400 Toulouse"
    )
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (43.5873, 1.4535)
    assert str(vevent["URL"]) == (
        "https://crig.example.org/evenements/journee-du-crig-2024/"
    )
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "09:30–10:00 Ouverture (Les signataires)" in str(vevent["DESCRIPTION"])
    assert vevent.decoded("DTSTAMP").tzinfo is not None


def test_the_file_carries_the_paris_time_zone(db):
    event = EventFactory(starts_at=_at(2024, 11, 19, 9), ends_at=_at(2024, 11, 19, 17))

    calendar = icalendar.Calendar.from_ical(ics.event_ics(event))

    [timezone_component] = calendar.walk("VTIMEZONE")
    assert str(timezone_component["TZID"]) == "Europe/Paris"
    # 9:00 in Paris in November is 8:00 UTC.
    assert calendar.walk("VEVENT")[0].decoded("DTSTART").astimezone(
        datetime.UTC
    ) == datetime.datetime(2024, 11, 19, 8, tzinfo=datetime.UTC)


def test_the_uid_is_stable_across_files_and_changes(db):
    event = EventFactory()
    first = _only_event(ics.event_ics(event))[1]

    event.title = "Nouveau titre"
    event.save()
    second = _only_event(ics.event_ics(event))[1]

    assert str(first["UID"]) == str(second["UID"]) == str(event.uid)
    assert str(second["SUMMARY"]) == "Nouveau titre"


def test_no_geo_without_coordinates_and_the_video_link_as_location(db):
    event = EventFactory(
        kind="webinar",
        place_name="",
        longitude=None,
        latitude=None,
        video_url="https://visio.example.org/webinaire",
    )

    vevent = _only_event(ics.event_ics(event))[1]

    assert "GEO" not in vevent
    assert str(vevent["LOCATION"]) == "https://visio.example.org/webinaire"


def test_a_cancelled_event_is_marked_cancelled(db):
    event = EventFactory(state="cancelled")

    vevent = _only_event(ics.event_ics(event))[1]

    assert str(vevent["STATUS"]) == "CANCELLED"


def test_a_meeting_file_has_no_video_link(db):
    meeting = MeetingFactory(
        title="Comité du CRIG de mars",
        place="Préfecture de région, Toulouse",
        video_url="https://visio.example.org/secret-room",
    )

    content = ics.meeting_ics(meeting)
    vevent = _only_event(content)[1]

    assert str(vevent["UID"]) == str(meeting.uid)
    assert str(vevent["SUMMARY"]) == "Comité du CRIG de mars"
    assert str(vevent["LOCATION"]) == "Préfecture de région, Toulouse"
    assert str(vevent["URL"]) == f"https://crig.example.org/reunions/{meeting.pk}/"
    assert b"secret-room" not in content


def test_no_registrant_appears_in_an_event_file(db):
    event = EventFactory()
    RegistrationFactory(
        event=event, full_name="Marie Dupont", email="marie.dupont@example.org"
    )

    content = ics.event_ics(event)

    assert b"Dupont" not in content
    assert b"marie" not in content


def test_the_feed_holds_every_item_with_one_time_zone(db):
    event = EventFactory()
    meeting = MeetingFactory()

    calendar = icalendar.Calendar.from_ical(ics.feed_calendar([meeting, event]))

    assert sorted(str(c["UID"]) for c in calendar.walk("VEVENT")) == sorted(
        [str(event.uid), str(meeting.uid)]
    )
    assert len(calendar.walk("VTIMEZONE")) == 1
    assert str(calendar["X-WR-CALNAME"]) == "CRIG Occitanie"


def test_an_empty_feed_is_a_valid_calendar(db):
    calendar = icalendar.Calendar.from_ical(ics.calendar_for([]))

    assert calendar.walk("VEVENT") == []
