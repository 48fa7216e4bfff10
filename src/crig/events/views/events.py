"""Pages of events: the list (upcoming and past, by kind), an event's page
(programme, place and map, places left, participants who consented), its
calendar file, and the public calendar feed of meetings and events.

A draft event is a 404 for anyone but the secretariat (``selectors.event_get``).
The participants list comes from ``selectors.event_participants``: names and
organisations of consenting confirmed registrants, never an e-mail.
"""

from urllib.parse import urlsplit

from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from crig.events import ics, selectors, services
from crig.events.models import Event, Registration
from crig.events.views._common import (
    event_or_404,
    ics_response,
    registration_window,
)


def _kind_filter(request) -> str:
    kind = request.GET.get("type", "")
    return kind if kind in Event.Kind.values else ""


def event_list(request):
    kind = _kind_filter(request)
    events = selectors.events_visible_to(request.user)
    if kind:
        events = events.filter(kind=kind)
    now = timezone.now()
    upcoming = list(events.filter(ends_at__gte=now).order_by("starts_at"))
    past = list(events.filter(ends_at__lt=now).order_by("-starts_at"))
    return render(
        request,
        "events/event_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "kind": kind,
            "kinds": Event.Kind.choices,
        },
    )


def _own_registration(request, event: Event):
    """A signed-in person's live registration, to say where they stand."""
    if not request.user.is_authenticated:
        return None
    return (
        event.registrations.filter(person=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


def event_detail(request, slug):
    event = event_or_404(request, slug)
    user = request.user
    own = _own_registration(request, event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "sessions": list(event.sessions.order_by("starts_at", "pk")),
            "places": selectors.event_places(event),
            "participants": selectors.event_participants(event),
            "window": registration_window(event),
            "own_registration": own,
            # The page's own host, not the e-mail's absolute SITE_URL.
            "own_cancel_link": urlsplit(services.registration_cancel_link(own)).path
            if own
            else "",
            "is_past": event.ends_at < timezone.now(),
            "place_geojson_url": reverse("api:event_place", args=[event.pk])
            if event.longitude is not None and event.latitude is not None
            else "",
            "can_check_in": user.has_perm("events.check_in", event),
            "can_export": user.has_perm("events.export_registrations", event),
            "can_view_stats": user.has_perm("events.view_stats", event),
        },
    )


def event_calendar(request, slug):
    event = event_or_404(request, slug)
    return ics_response(ics.event_calendar(event), filename=f"{event.slug}.ics")


def calendar_feed(request):
    items = selectors.calendar_items(user=request.user)
    return ics_response(ics.feed_calendar(items), filename="crig.ics")


routes = [
    path("evenements/", event_list, name="event_list"),
    path("evenements/<slug:slug>/", event_detail, name="event_detail"),
    path("evenements/<slug:slug>/calendrier.ics", event_calendar, name="event_ics"),
    path("calendar.ics", calendar_feed, name="calendar"),
]
