"""Registering for an event, the confirmation page, and cancelling through the
link of the confirmation e-mail.

Registering is open to anyone, signed in or not. After a registration the page
redirects (so that reloading does not post again) to a confirmation page that
finds the registration in the session: nobody can read someone else's by
guessing a number.
"""

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from crig.core.errors import CrigError
from crig.events import selectors, services
from crig.events.forms import RegistrationForm
from crig.events.models import Registration
from crig.events.views._common import (
    add_error,
    event_or_404,
    form_status,
    registration_window,
)

SESSION_KEY = "events_registrations"


def _remember(request, registration: Registration) -> None:
    known = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [*known[-9:], registration.pk]


@require_http_methods(["GET", "POST"])
def event_register(request, slug):
    event = event_or_404(request, slug)
    window = registration_window(event)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        event=event,
        person=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                event=event,
                data=form.registration_data(),
                person=request.user if request.user.is_authenticated else None,
            )
        except CrigError as error:
            add_error(form, error)
        else:
            _remember(request, registration)
            return redirect("events:event_registered", slug=event.slug)
    return render(
        request,
        "events/event_register.html",
        {
            "event": event,
            "form": form,
            "window": window,
            "places": selectors.event_places(event),
        },
        status=form_status(form),
    )


def event_registered(request, slug):
    event = event_or_404(request, slug)
    known = request.session.get(SESSION_KEY, [])
    registration = (
        event.registrations.filter(pk__in=known).order_by("-created_at").first()
    )
    if registration is None:
        return redirect(event)
    return render(
        request,
        "events/event_registered.html",
        {"event": event, "registration": registration},
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token):
    try:
        registration = services.registration_for_token(token)
    except CrigError as error:
        return render(
            request,
            "events/registration_cancel.html",
            {"error": error.message},
            status=error.status_code,
        )
    already = registration.status == Registration.Status.CANCELLED
    done = False
    if request.method == "POST" and not already:
        try:
            registration = services.registration_cancel(token=token)
        except CrigError as error:
            return render(
                request,
                "events/registration_cancel.html",
                {"error": error.message, "registration": registration},
                status=error.status_code,
            )
        done = True
    return render(
        request,
        "events/registration_cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "already": already,
            "done": done,
            "action": reverse("events:registration_cancel", args=[token]),
        },
    )


routes = [
    path(
        "evenements/inscriptions/annuler/<str:token>/",
        registration_cancel,
        name="registration_cancel",
    ),
    path("evenements/<slug:slug>/inscription/", event_register, name="event_register"),
    path(
        "evenements/<slug:slug>/inscription/confirmation/",
        event_registered,
        name="event_registered",
    ),
]
