"""iCalendar (RFC 5545) files of meetings and events, built with ``icalendar``: the
attachment of the confirmation e-mail, "add to calendar" on each page, and the
feed at ``/calendar.ics``.

- ``UID`` is the object's ``uid`` column, so a calendar client updates the entry
  it already has instead of adding a second one when the feed changes.
- Times are written in Europe/Paris with the ``VTIMEZONE`` that describes it
  (``TZID=Europe/Paris``): clients show the local time of the meeting whatever
  their own zone, and the summer/winter change is unambiguous.
- ``DTSTAMP`` is when the object last changed (UTC), ``SEQUENCE`` is not used.
- No personal data: no registrant, no e-mail address, no video link of a
  council meeting (which would let anyone join it).
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from crig.events.models import Event, Meeting

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//CRIG//crig events//FR"


def _paris(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, PARIS)


def _utc(moment: datetime.datetime | None) -> datetime.datetime:
    return (moment or timezone.now()).astimezone(datetime.UTC)


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def _event_component(event: Event) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", str(event.uid))
    component.add("dtstamp", _utc(event.updated_at))
    component.add("dtstart", _paris(event.starts_at))
    component.add("dtend", _paris(event.ends_at))
    component.add("summary", event.title)
    description = [event.description.strip()] if event.description.strip() else []
    sessions = list(event.sessions.all())
    if sessions:
        description.append(
            "\n".join(
                f"{_paris(session.starts_at):%H:%M}–{_paris(session.ends_at):%H:%M} "
                f"{session.title}"
                + (f" ({session.speakers})" if session.speakers else "")
                for session in sessions
            )
        )
    if event.video_url:
        description.append(event.video_url)
    if description:
        component.add("description", "\n\n".join(description))
    location = ", ".join(part for part in (event.place_name, event.address) if part)
    if location or event.video_url:
        component.add("location", location or event.video_url)
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", (event.latitude, event.longitude))
    component.add("url", _absolute(event.get_absolute_url()))
    component.add(
        "status",
        {
            Event.State.PUBLISHED: "CONFIRMED",
            Event.State.CANCELLED: "CANCELLED",
        }.get(event.state, "TENTATIVE"),
    )
    component.add("categories", [str(Event.Kind(event.kind).label)])
    return component


def _meeting_component(meeting: Meeting) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", str(meeting.uid))
    component.add("dtstamp", _utc(meeting.updated_at))
    component.add("dtstart", _paris(meeting.starts_at))
    component.add("dtend", _paris(meeting.ends_at))
    component.add("summary", meeting.title)
    if meeting.place:
        component.add("location", meeting.place)
    component.add("url", _absolute(meeting.get_absolute_url()))
    component.add(
        "status", "CONFIRMED" if meeting.state == "published" else "TENTATIVE"
    )
    return component


def _component(item) -> icalendar.Event:
    if isinstance(item, Event):
        return _event_component(item)
    if isinstance(item, Meeting):
        return _meeting_component(item)
    raise TypeError(f"Not a meeting or an event: {item!r}")


def calendar_for(items: Iterable, *, name: str = "") -> bytes:
    """One VCALENDAR holding every meeting and event of ``items``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
    items = list(items)
    for item in items:
        calendar.add_component(_component(item))
    if items:
        # The VTIMEZONE covers the years of the items only (a few transitions,
        # not those of 1970–2038).
        first = min(_paris(item.starts_at).date() for item in items)
        last = max(_paris(item.ends_at).date() for item in items)
        calendar.add_missing_timezones(
            first_date=first.replace(month=1, day=1),
            last_date=last.replace(year=last.year + 1, month=1, day=1),
        )
    return calendar.to_ical()


def event_ics(event: Event) -> bytes:
    return calendar_for([event])


def meeting_ics(meeting: Meeting) -> bytes:
    return calendar_for([meeting])


def feed_calendar(items: Iterable) -> bytes:
    """The ``/calendar.ics`` feed: every item, with a calendar name clients show."""
    return calendar_for(items, name=settings.CRIG_NAME)


# Names used by the pages.
event_calendar = event_ics
meeting_calendar = meeting_ics
