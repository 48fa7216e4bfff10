"""What the events views share: domain errors as HTTP answers, permission checks
that answer early, the lookups that make a draft a 404, and the calendar file
responses."""

import datetime
from http import HTTPStatus

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from crig.core.errors import CrigError
from crig.core.http import http_errors
from crig.events import selectors
from crig.events.models import Event, Meeting

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def meeting_or_404(request, pk: int) -> Meeting:
    with http_errors():
        return selectors.meeting_get(user=request.user, pk=pk)


def event_or_404(request, slug: str) -> Event:
    with http_errors():
        return selectors.event_get(user=request.user, slug=slug)


def add_error(form, error: CrigError) -> None:
    """Show a service's error on the field it names when the form has it, else
    above the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, str(error.message))
    else:
        form.add_error(None, str(error.message))


def form_status(form) -> HTTPStatus:
    return HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else HTTPStatus.OK


def ics_response(body: bytes | str, *, filename: str) -> HttpResponse:
    """A calendar file that a browser hands to the calendar application."""
    response = HttpResponse(body, content_type=ICS_MEDIA_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    return response


def registration_window(event: Event, now: datetime.datetime | None = None) -> str:
    """Where an event stands for registering: ``open``, ``not_yet``, ``closed``
    or ``cancelled``. Only for what the page shows: the service decides."""
    now = now or timezone.now()
    if event.state == Event.State.CANCELLED:
        return "cancelled"
    if event.state != Event.State.PUBLISHED:
        return "closed"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return "closed"
    return "open"
