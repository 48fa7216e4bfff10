"""The secretariat's pages of an event: check-in on the day (a page for a phone,
one big button per confirmed registrant, which works without JavaScript), the
printable attendance list, and the export of registrations (personal data:
every export is logged with ``services.registrations_export_logged``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from crig.core.errors import CrigError
from crig.core.exports import export_response
from crig.core.http import http_errors, require_perm
from crig.events import services
from crig.events.forms import CheckInSearchForm
from crig.events.models import Event, Registration
from crig.events.views._common import (
    event_or_404,
)
from crig.territory.names import search_key


def _organisation(registration: Registration) -> str:
    if registration.organisation_id:
        return registration.organisation.name
    return registration.organisation_name


def _registrations(event: Event, *statuses):
    # Personal data, for the secretariat only: the views check ``check_in`` or
    # ``export_registrations`` before calling this.
    registrations = event.registrations.select_related("organisation", "departement")
    if statuses:
        registrations = registrations.filter(status__in=statuses)
    return registrations


def _matches(registration: Registration, key: str) -> bool:
    return key in search_key(f"{registration.full_name} {_organisation(registration)}")


@login_required
def event_checkin(request, slug):
    event = event_or_404(request, slug)
    require_perm(request, "events.check_in", event)
    form = CheckInSearchForm(request.GET or None)
    query = form.query()
    confirmed = sorted(
        _registrations(event, Registration.Status.CONFIRMED),
        key=lambda r: search_key(r.full_name),
    )
    present = sum(1 for r in confirmed if r.checked_in_at)
    shown = confirmed
    if query:
        key = search_key(query)
        shown = [r for r in confirmed if _matches(r, key)]
    return render(
        request,
        "events/event_checkin.html",
        {
            "event": event,
            "form": form,
            "query": query,
            "rows": [
                {"registration": r, "organisation": _organisation(r)} for r in shown
            ],
            "confirmed": len(confirmed),
            "present": present,
        },
    )


@login_required
@require_POST
def event_checkin_toggle(request, slug, registration_pk):
    event = event_or_404(request, slug)
    require_perm(request, "events.check_in", event)
    registration = get_object_or_404(event.registrations, pk=registration_pk)
    present = request.POST.get("present") == "1"
    try:
        with http_errors():
            services.registration_check_in(
                actor=request.user, registration=registration, present=present
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        text = (
            _("%(name)s is marked present.")
            if present
            else _("%(name)s is no longer marked present.")
        )
        messages.success(request, text % {"name": registration.full_name})
    url = reverse("events:event_checkin", args=[event.slug])
    query = request.POST.get("q", "").strip()
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(f"{url}#registration-{registration.pk}")


@login_required
def event_checkin_print(request, slug):
    event = event_or_404(request, slug)
    require_perm(request, "events.check_in", event)
    confirmed = sorted(
        _registrations(event, Registration.Status.CONFIRMED),
        key=lambda r: search_key(r.full_name),
    )
    return render(
        request,
        "events/event_checkin_print.html",
        {
            "event": event,
            "rows": [
                {"registration": r, "organisation": _organisation(r)} for r in confirmed
            ],
            "printed_at": timezone.now(),
        },
    )


REGISTRATION_HEADER = (
    pgettext_lazy("events export column", "Name"),
    pgettext_lazy("events export column", "E-mail"),
    pgettext_lazy("events export column", "Organisation"),
    pgettext_lazy("events export column", "In the directory"),
    pgettext_lazy("events export column", "Kind of organisation"),
    pgettext_lazy("events export column", "Département"),
    pgettext_lazy("events export column", "OPenIG member"),
    pgettext_lazy("events export column", "Came before (declared)"),
    pgettext_lazy("events export column", "Accessibility needs"),
    pgettext_lazy("events export column", "Dietary needs"),
    pgettext_lazy("events export column", "In the participants list"),
    pgettext_lazy("events export column", "Status"),
    pgettext_lazy("events export column", "Registered at"),
    pgettext_lazy("events export column", "Present at"),
    pgettext_lazy("events export column", "Cancelled at"),
)


def registration_table(event: Event) -> tuple[list[str], list[list]]:
    """Every registration of the event with its personal data, for the
    secretariat's exports (page and API)."""
    header = [str(label) for label in REGISTRATION_HEADER]
    rows = [
        [
            r.full_name,
            r.email,
            _organisation(r),
            r.organisation_id is not None,
            r.get_category_display(),
            f"{r.departement.code} {r.departement.name}" if r.departement else "",
            r.is_openig_member,
            r.attended_before,
            r.accessibility_needs,
            r.dietary_needs,
            r.consent_to_list,
            r.get_status_display(),
            r.created_at,
            r.checked_in_at,
            r.cancelled_at,
        ]
        for r in _registrations(event).order_by("created_at", "pk")
    ]
    return header, rows


def registrations_export_response(*, actor, event: Event, fmt: str):
    header, rows = registration_table(event)
    with http_errors():
        services.registrations_export_logged(
            actor=actor, event=event, what=f"registrations.{fmt}", rows=len(rows)
        )
    return export_response(
        format=fmt,
        filename=f"inscriptions-{event.slug}",
        header=header,
        rows=rows,
        sheet_title=_("Registrations"),
    )


@login_required
def event_export(request, slug, fmt):
    event = event_or_404(request, slug)
    require_perm(request, "events.export_registrations", event)
    return registrations_export_response(actor=request.user, event=event, fmt=fmt)


routes = [
    path("evenements/<slug:slug>/pointage/", event_checkin, name="event_checkin"),
    path(
        "evenements/<slug:slug>/pointage/<int:registration_pk>/",
        event_checkin_toggle,
        name="event_checkin_toggle",
    ),
    path(
        "evenements/<slug:slug>/pointage/liste/",
        event_checkin_print,
        name="event_checkin_print",
    ),
    re_path(
        r"^evenements/(?P<slug>[-\w]+)/inscriptions\.(?P<fmt>csv|xlsx)$",
        event_export,
        name="event_export",
    ),
]
