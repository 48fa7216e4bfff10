"""Pages of meetings and events: ``meetings`` (list, page, documents, calendar
file), ``events`` (list, page, calendar files, the public feed),
``registrations`` (register, confirmation, cancellation link), ``checkin``
(the secretariat's check-in, attendance list and exports) and ``stats`` (the
participation dashboard). Each module exposes its ``routes``, gathered here for
``crig.events.urls``."""

from crig.events.views import checkin, events, meetings, registrations, stats

# Registrations first: "evenements/inscriptions/…" must not be read as an event.
routes = [
    *registrations.routes,
    *meetings.routes,
    *events.routes,
    *checkin.routes,
    *stats.routes,
]
