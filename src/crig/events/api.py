"""REST endpoints of meetings and events (tag "events").

Meetings and events are addressed by their numeric id (``/events/{id}``), the
pages by the event's slug; each answer gives both (``slug``, ``url``). The same
privacy as the pages: a draft meeting or event is a 404 for whoever may not
see it, confidential agenda items and decisions are redacted by the same code
as the page (``crig.events.views.presenters``), participants are those who
consented (name and organisation only), and registrations with their personal
data are for the secretariat, each read logged as an export.

**Registering without an account.** ``POST /events/{id}/registrations`` takes
anonymous callers: a registration needs no authority, so a forged cross-site
request gains nothing that the attacker could not do directly. A caller signed
in by the session cookie is different (the registration would be linked to
their account), so the CSRF token is then checked exactly as
``crig.core.api.authenticated`` does; a bearer token needs none.
"""

import datetime
import json
from http import HTTPStatus
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.utils import check_csrf

from crig.core.api import OFFSET_MAX, errors, geojson_answer
from crig.core.errors import NotFound, PermissionDenied
from crig.events import selectors, services
from crig.events.models import Event, Meeting
from crig.events.views import presenters
from crig.events.views._common import registration_window
from crig.events.views.checkin import registrations_export_response
from crig.events.views.stats import map_colour, percent
from crig.members.models import Organisation
from crig.territory.api import GEOJSON_MEDIA_TYPE, feature_text
from crig.territory.models import Commune, Departement
from crig.territory.selectors import commune_at

router = Router()

EventKind = Literal[tuple(Event.Kind.values)]
CategoryCode = Literal[tuple(Organisation.Category.values)]


# --- Schemas --------------------------------------------------------------------------


class CodeLabelOut(Schema):
    code: str
    label: str


class LinkOut(Schema):
    kind: str = Field(description="action, funding_request, opinion, need or round")
    label: str
    title: str
    url: str


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    video_url: str
    state: Literal["draft", "published"]
    url: str
    calendar_url: str


class MeetingListOut(Schema):
    count: int
    items: list[MeetingOut]


class AgendaItemOut(Schema):
    number: int
    redacted: bool = Field(description="A confidential item: no title nor links.")
    title: str
    description: str
    kind: CodeLabelOut | None
    confidential: bool
    links: list[LinkOut]


class DecisionOut(Schema):
    redacted: bool
    text: str
    kind: CodeLabelOut | None
    agenda_number: int | None
    confidential: bool
    links: list[LinkOut]


class DocumentOut(Schema):
    name: str
    size: int
    confidential: bool
    url: str


class AttendanceOut(Schema):
    organisation: str
    acronym: str
    url: str
    represented_by: str
    present: bool
    signatory: bool


class QuorumOut(Schema):
    signatories_present: int
    signatories_total: int
    required: int
    reached: bool


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    documents: list[DocumentOut]
    attendance: list[AttendanceOut]
    quorum: QuorumOut
    minutes: str
    decisions: list[DecisionOut]


class MeetingFiltersIn(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class PlacesOut(Schema):
    capacity: int | None
    confirmed: int
    waiting: int
    left: int | None


class EventOut(Schema):
    id: int
    slug: str
    title: str
    kind: CodeLabelOut
    state: Literal[tuple(Event.State.values)]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place_name: str
    address: str
    longitude: float | None
    latitude: float | None
    video_url: str
    registration: Literal["open", "not_yet", "closed", "cancelled"]
    registration_opens_at: datetime.datetime | None
    registration_closes_at: datetime.datetime | None
    url: str
    calendar_url: str


class EventListOut(Schema):
    count: int
    items: list[EventOut]


class SessionOut(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    title: str
    description: str
    speakers: str
    room: str


class ParticipantOut(Schema):
    name: str
    organisation: str


class EventDetailOut(EventOut):
    description: str
    sessions: list[SessionOut]
    places: PlacesOut
    participants: list[ParticipantOut] = Field(
        description="Confirmed registrants who agreed to appear: name, organisation."
    )


class EventFiltersIn(Schema):
    kind: EventKind | None = None
    when: Literal["all", "upcoming", "past"] = "all"
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class CountOut(Schema):
    code: str
    label: str
    count: int


class YearOut(Schema):
    id: int
    title: str
    year: int
    confirmed: int
    present: int | None
    attended_before_computed: float
    attended_before_declared: float
    openig_members: float


class StatsOut(Schema):
    event: int
    confirmed: int
    present: int | None = Field(description="null before anyone is checked in.")
    waiting: int
    cancelled: int
    attended_before_computed: float = Field(
        description="Share (0–1) found in an earlier event of the same kind "
        "(same e-mail or account)."
    )
    attended_before_declared: float = Field(
        description="Share (0–1) who said they had come before."
    )
    openig_members: float = Field(description="Share (0–1).")
    by_category: list[CountOut] = Field(description="In the council's order.")
    by_departement: list[CountOut]
    years: list[YearOut] = Field(description="Every event of the same kind.")


class RegistrationIn(Schema):
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    organisation_id: int | None = Field(
        None, description="An organisation of the directory (its kind follows)."
    )
    organisation_name: str = Field("", max_length=200)
    category: CategoryCode | Literal[""] = Field(
        "", description="Needed with organisation_name."
    )
    departement: str = Field("", max_length=3, description="Code, e.g. 31.")
    is_openig_member: bool = False
    attended_before: bool = False
    accessibility_needs: str = Field("", max_length=2000)
    dietary_needs: str = Field("", max_length=2000)
    consent_to_list: bool = False


class RegistrationCreatedOut(Schema):
    id: int
    status: CodeLabelOut
    message: str


class RegistrationOut(Schema):
    id: int
    full_name: str
    email: str
    organisation: str
    organisation_id: int | None
    category: CodeLabelOut
    departement: str | None
    is_openig_member: bool
    attended_before: bool
    accessibility_needs: str
    dietary_needs: str
    consent_to_list: bool
    status: CodeLabelOut
    registered_at: datetime.datetime
    checked_in_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None


class RegistrationListOut(Schema):
    count: int
    items: list[RegistrationOut]


class RegistrationFiltersIn(Schema):
    format: Literal["json", "csv", "xlsx"] = "json"


# --- Helpers --------------------------------------------------------------------------


def _url(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _code_label(value: str, label) -> dict:
    return {"code": value, "label": str(label)}


def _meeting_or_404(request, meeting_id: int) -> Meeting:
    return selectors.meeting_get(user=request.user, pk=meeting_id)


def _event_or_404(request, event_id: int) -> Event:
    event = selectors.events_visible_to(request.user).filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def _meeting_out(request, meeting: Meeting) -> dict:
    # The video link would let anyone join the meeting: for the council only.
    council = presenters.sees_confidential(request.user, meeting)
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "video_url": meeting.video_url if council else "",
        "state": meeting.state,
        "url": _url(request, meeting.get_absolute_url()),
        "calendar_url": _url(request, reverse("events:meeting_ics", args=[meeting.pk])),
    }


def _links(links) -> list[dict]:
    return [
        {"kind": link.kind, "label": link.label, "title": link.title, "url": link.url}
        for link in links
    ]


def _event_out(request, event: Event) -> dict:
    return {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "kind": _code_label(event.kind, event.get_kind_display()),
        "state": event.state,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place_name": event.place_name,
        "address": event.address,
        "longitude": event.longitude,
        "latitude": event.latitude,
        "video_url": event.video_url,
        "registration": registration_window(event),
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "url": _url(request, event.get_absolute_url()),
        "calendar_url": _url(request, reverse("events:event_ics", args=[event.slug])),
    }


def _participant(row) -> dict:
    return {"name": row["full_name"], "organisation": row["organisation"]}


def _stats_out(stats) -> dict:
    return {
        "id": stats.event.pk,
        "title": stats.event.title,
        "year": stats.event.starts_at.year,
        "confirmed": stats.confirmed,
        "present": stats.present,
        "attended_before_computed": stats.attended_before_computed,
        "attended_before_declared": stats.attended_before_declared,
        "openig_members": stats.openig_members,
    }


def _check_csrf_of_session(request) -> None:
    """The rule of ``crig.core.api.authenticated`` for an endpoint that also
    takes anonymous callers (see the module docstring)."""
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and not getattr(request, "authenticated_by_token", False)
        and check_csrf(request)
    ):
        raise HttpError(HTTPStatus.FORBIDDEN, _("CSRF check failed."))


# --- Meetings -------------------------------------------------------------------------


@router.get(
    "/meetings",
    response=MeetingListOut,
    url_name="meetings_list",
    summary="Council meetings",
)
def meetings_list(request, filters: Query[MeetingFiltersIn]):
    """The meetings the caller may see, newest first: published ones for
    everyone, drafts too for the council."""
    meetings = selectors.meetings_visible_to(request.user).order_by("-starts_at")
    if filters.year:
        meetings = meetings.filter(starts_at__year=filters.year)
    page = meetings[filters.offset : filters.offset + filters.limit]
    return {
        "count": meetings.count(),
        "items": [_meeting_out(request, meeting) for meeting in page],
    }


@router.get(
    "/meetings/{int:meeting_id}",
    response=MeetingDetailOut,
    url_name="meetings_detail",
    summary="One council meeting",
)
def meetings_detail(request, meeting_id: int):
    """Agenda (confidential items redacted outside the council), documents,
    attendance with the quorum, minutes and decisions."""
    meeting = _meeting_or_404(request, meeting_id)
    user = request.user
    quorum = selectors.meeting_quorum(meeting)
    return {
        **_meeting_out(request, meeting),
        "agenda": [
            {
                "number": entry.number,
                "redacted": entry.redacted,
                "title": entry.title,
                "description": entry.description,
                "kind": _code_label(entry.kind, entry.kind_label)
                if entry.kind
                else None,
                "confidential": entry.confidential or entry.redacted,
                "links": _links(entry.links),
            }
            for entry in presenters.meeting_agenda(user=user, meeting=meeting)
        ],
        "documents": [
            {
                "name": document.name,
                "size": document.size,
                "confidential": document.confidential,
                "url": _url(
                    request,
                    reverse("events:meeting_document", args=[meeting.pk, document.pk]),
                ),
            }
            for document in presenters.meeting_documents(user=user, meeting=meeting)
        ],
        "attendance": [
            {
                "organisation": entry.organisation_name,
                "acronym": entry.organisation_acronym,
                "url": _url(request, entry.organisation_url),
                "represented_by": entry.representatives,
                "present": entry.present,
                "signatory": entry.is_signatory,
            }
            for entry in presenters.meeting_attendance(meeting)
        ],
        "quorum": {
            "signatories_present": quorum.signatories_present,
            "signatories_total": quorum.signatories_total,
            "required": quorum.required,
            "reached": quorum.reached,
        },
        "minutes": meeting.minutes,
        "decisions": [
            {
                "redacted": entry.redacted,
                "text": entry.text,
                "kind": _code_label(entry.kind, entry.kind_label)
                if entry.kind
                else None,
                "agenda_number": entry.agenda_number,
                "confidential": entry.confidential or entry.redacted,
                "links": _links(entry.links),
            }
            for entry in presenters.meeting_decisions(user=user, meeting=meeting)
        ],
    }


# --- Events ---------------------------------------------------------------------------


@router.get("/events", response=EventListOut, url_name="events_list", summary="Events")
def events_list(request, filters: Query[EventFiltersIn]):
    """Published events (all of them for the secretariat), the latest first;
    `when=upcoming` lists those not over yet, the soonest first."""
    events = selectors.events_visible_to(request.user)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    now = timezone.now()
    if filters.when == "upcoming":
        events = events.filter(ends_at__gte=now).order_by("starts_at")
    elif filters.when == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        events = events.order_by("-starts_at")
    page = events[filters.offset : filters.offset + filters.limit]
    return {
        "count": events.count(),
        "items": [_event_out(request, event) for event in page],
    }


@router.get(
    "/events/{int:event_id}",
    response=EventDetailOut,
    url_name="events_detail",
    summary="One event",
)
def events_detail(request, event_id: int):
    """The programme, the places left and the participants who consented to
    appear (name and organisation, nothing else)."""
    event = _event_or_404(request, event_id)
    places = selectors.event_places(event)
    return {
        **_event_out(request, event),
        "description": event.description,
        "sessions": [
            {
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "title": session.title,
                "description": session.description,
                "speakers": session.speakers,
                "room": session.room,
            }
            for session in event.sessions.order_by("starts_at", "pk")
        ],
        "places": {
            "capacity": places.capacity,
            "confirmed": places.confirmed,
            "waiting": places.waiting,
            "left": places.left,
        },
        "participants": [
            _participant(row) for row in selectors.event_participants(event)
        ],
    }


@router.get(
    "/events/{int:event_id}/place",
    url_name="event_place",
    summary="The place of an event (GeoJSON)",
    response={HTTPStatus.OK: dict},
    openapi_extra=geojson_answer(),
)
def event_place(request, event_id: int):
    """An RFC 7946 FeatureCollection for the page's map: the event's place as
    a point, after the outline of the commune it lies in (which gives the map
    its extent). 404 when the event has no coordinates."""
    event = _event_or_404(request, event_id)
    if event.longitude is None or event.latitude is None:
        raise NotFound(_("This event has no place on the map."))
    point = {
        "type": "Feature",
        "id": f"event-{event.pk}",
        "geometry": {"type": "Point", "coordinates": [event.longitude, event.latitude]},
        "properties": {
            "name": event.place_name or event.title,
            "address": event.address,
        },
    }
    features = [json.dumps(point, ensure_ascii=False)]
    commune = commune_at(longitude=event.longitude, latitude=event.latitude)
    if commune is not None:
        features.insert(
            0,
            feature_text(
                Commune.objects.get(pk=commune.pk),
                feature_id=commune.pk,
                properties={
                    "name": commune.name,
                    "style": {"fillOpacity": 0.05, "weight": 2},
                },
            ),
        )
    body = '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"
    return HttpResponse(body, content_type=GEOJSON_MEDIA_TYPE)


@router.get(
    "/events/{int:event_id}/stats",
    response={HTTPStatus.OK: StatsOut, **errors(HTTPStatus.FORBIDDEN)},
    url_name="event_stats",
    summary="The participation dashboard's figures",
)
def event_stats(request, event_id: int):
    """Aggregates only: confirmed, present, waiting and cancelled registrants;
    the shares who came before (computed and declared), of OPenIG members; the
    split by kind of organisation and by département; every event of the same
    kind, for the comparison across years."""
    event = _event_or_404(request, event_id)
    if not request.user.has_perm("events.view_stats", event):
        raise PermissionDenied(_("You may not see these statistics."))
    stats = selectors.event_stats(event=event)
    return {
        "event": event.pk,
        "confirmed": stats.confirmed,
        "present": stats.present,
        "waiting": stats.waiting,
        "cancelled": stats.cancelled,
        "attended_before_computed": stats.attended_before_computed,
        "attended_before_declared": stats.attended_before_declared,
        "openig_members": stats.openig_members,
        "by_category": [
            {"code": code, "label": str(label), "count": count}
            for code, label, count in stats.by_category
        ],
        "by_departement": [
            {"code": code, "label": name, "count": count}
            for code, name, count in stats.by_departement
        ],
        "years": [
            _stats_out(row) for row in selectors.events_comparison(kind=event.kind)
        ],
    }


@router.get(
    "/events/{int:event_id}/stats/departements",
    url_name="event_stats_departements",
    summary="Registrants by département (GeoJSON)",
    response={HTTPStatus.OK: dict, **errors(HTTPStatus.FORBIDDEN)},
    openapi_extra=geojson_answer(),
)
def event_stats_departements(request, event_id: int):
    """A FeatureCollection of the region's départements, each with the number
    of confirmed registrants working there (`count`, `share` in %) and the
    fill of the dashboard's map (`style`)."""
    event = _event_or_404(request, event_id)
    if not request.user.has_perm("events.view_stats", event):
        raise PermissionDenied(_("You may not see these statistics."))
    stats = selectors.event_stats(event=event)
    counts = {code: count for code, _name, count in stats.by_departement}
    maximum = max(counts.values(), default=0)
    features = []
    for departement in Departement.objects.order_by("code"):
        count = counts.get(departement.code, 0)
        label = _("%(name)s: %(count)s registrants") % {
            "name": departement.name,
            "count": count,
        }
        features.append(
            feature_text(
                departement,
                feature_id=departement.code,
                properties={
                    "code": departement.code,
                    "name": label,
                    "count": count,
                    "share": percent(count / stats.confirmed) if stats.confirmed else 0,
                    "style": {
                        "fillColor": map_colour(count, maximum),
                        "fillOpacity": 0.85,
                        "color": "#1d2327",
                        "weight": 1,
                    },
                },
            )
        )
    body = '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"
    return HttpResponse(body, content_type=GEOJSON_MEDIA_TYPE)


# --- Registrations --------------------------------------------------------------------


@router.post(
    "/events/{int:event_id}/registrations",
    response={
        HTTPStatus.CREATED: RegistrationCreatedOut,
        **errors(HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT),
    },
    url_name="event_registrations_create",
    summary="Register for an event",
)
def event_registrations_create(request, event_id: int, payload: RegistrationIn):
    """Signed in or not. Confirmed while places remain, else on the waiting
    list (`status`); the confirmation e-mail carries the calendar file and the
    cancellation link. Refused with a `message` (and nothing saved): the same
    e-mail already registered (409), registration closed or not open, an
    invalid e-mail or organisation (400)."""
    _check_csrf_of_session(request)
    event = _event_or_404(request, event_id)
    person = request.user if request.user.is_authenticated else None
    registration = services.registration_create(
        event=event,
        data=services.RegistrationData(
            full_name=payload.full_name,
            email=payload.email,
            category=payload.category,
            organisation_id=payload.organisation_id,
            organisation_name=payload.organisation_name,
            departement=payload.departement,
            is_openig_member=payload.is_openig_member,
            attended_before=payload.attended_before,
            accessibility_needs=payload.accessibility_needs,
            dietary_needs=payload.dietary_needs,
            consent_to_list=payload.consent_to_list,
        ),
        person=person,
    )
    confirmed = registration.status == registration.Status.CONFIRMED
    message = (
        _("Your registration is confirmed.")
        if confirmed
        else _("The event is full: you are on the waiting list.")
    )
    return Status(
        HTTPStatus.CREATED,
        {
            "id": registration.pk,
            "status": _code_label(
                registration.status, registration.get_status_display()
            ),
            "message": message,
        },
    )


@router.get(
    "/events/{int:event_id}/registrations",
    response={HTTPStatus.OK: RegistrationListOut, **errors(HTTPStatus.FORBIDDEN)},
    url_name="event_registrations_list",
    summary="Registrations of an event (secretariat)",
)
def event_registrations_list(
    request, event_id: int, filters: Query[RegistrationFiltersIn]
):
    """Every registration with its personal data, for the secretariat only;
    each read is logged as an export. `csv`, `xlsx`: the same as a file."""
    event = _event_or_404(request, event_id)
    if not request.user.has_perm("events.view_registrations", event):
        raise PermissionDenied(_("Only the secretariat may see the registrations."))
    if filters.format in ("csv", "xlsx"):
        return registrations_export_response(
            actor=request.user, event=event, fmt=filters.format
        )
    registrations = list(
        event.registrations.select_related("organisation").order_by("created_at", "pk")
    )
    services.registrations_export_logged(
        actor=request.user,
        event=event,
        what="registrations.json (API)",
        rows=len(registrations),
    )
    return {
        "count": len(registrations),
        "items": [
            {
                "id": r.pk,
                "full_name": r.full_name,
                "email": r.email,
                "organisation": r.organisation.name
                if r.organisation_id
                else r.organisation_name,
                "organisation_id": r.organisation_id,
                "category": _code_label(r.category, r.get_category_display()),
                "departement": r.departement_id,
                "is_openig_member": r.is_openig_member,
                "attended_before": r.attended_before,
                "accessibility_needs": r.accessibility_needs,
                "dietary_needs": r.dietary_needs,
                "consent_to_list": r.consent_to_list,
                "status": _code_label(r.status, r.get_status_display()),
                "registered_at": r.created_at,
                "checked_in_at": r.checked_in_at,
                "cancelled_at": r.cancelled_at,
            }
            for r in registrations
        ],
    }
