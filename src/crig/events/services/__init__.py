"""Writes of meetings and events. CONTRACT (signatures fixed; bodies by the
events domain work). Atomic, permission-checked with ``rules``, translated
``InvalidInput``/``Conflict`` on bad input with nothing saved; e-mails sent in the
background (django-tasks) after commit, safe to run twice.
"""

import datetime
from dataclasses import dataclass

from crig.events.models import Event, Meeting, Registration


@dataclass(frozen=True)
class RegistrationData:
    full_name: str
    email: str
    category: str  # Organisation.Category
    organisation_id: int | None = None
    organisation_name: str = ""
    departement: str = ""  # code
    is_openig_member: bool = False
    attended_before: bool = False
    accessibility_needs: str = ""
    dietary_needs: str = ""
    consent_to_list: bool = False


def registration_create(
    *, event: Event, data: RegistrationData, person=None
) -> Registration:
    """Register (signed in or not): confirmed while places remain, else on the
    waiting list. Refused: a live registration with the same e-mail (case
    folded), registration not open or closed, a draft or cancelled event, an
    invalid e-mail. Sends the confirmation (ICS attached, cancellation link)."""
    raise NotImplementedError


def registration_cancel_link(registration: Registration) -> str:
    """The signed, absolute cancellation URL sent by e-mail."""
    raise NotImplementedError


def registration_cancel(*, token: str) -> Registration:
    """Cancel through a signed link; a forged or altered token is refused. The
    first on the waiting list is promoted and told. Cancelling twice is
    harmless (answers the same registration)."""
    raise NotImplementedError


def registration_cancel_by_staff(*, actor, registration: Registration) -> Registration:
    raise NotImplementedError


def registration_check_in(
    *, actor, registration: Registration, present: bool = True
) -> Registration:
    """Mark a confirmed registrant present (or undo)."""
    raise NotImplementedError


def registrations_remind(*, now: datetime.datetime | None = None) -> int:
    """E-mail confirmed registrants of events starting within 2 days, once each.
    Returns the number sent. Run daily (``crig events remind``)."""
    raise NotImplementedError


def registrations_export_logged(*, actor, event: Event, what: str, rows: int) -> None:
    """Record an export of personal data (who, what, when, how many rows)."""
    raise NotImplementedError


def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    raise NotImplementedError
