"""Writes of meetings and events, one module per entity, re-exported here.

Atomic, permission-checked with ``rules``, translated ``InvalidInput``/``Conflict``
on bad input with nothing saved; e-mails sent in the background (django-tasks)
after commit, safe to run twice.
"""

from crig.events.services.meetings import meeting_publish
from crig.events.services.registrations import (
    RegistrationData,
    registration_cancel,
    registration_cancel_by_staff,
    registration_cancel_link,
    registration_cancel_on_erasure,
    registration_check_in,
    registration_create,
    registration_for_token,
    registration_is_open,
    registrations_export_logged,
    registrations_remind,
)

__all__ = [
    "RegistrationData",
    "meeting_publish",
    "registration_cancel",
    "registration_cancel_by_staff",
    "registration_cancel_on_erasure",
    "registration_cancel_link",
    "registration_check_in",
    "registration_create",
    "registration_for_token",
    "registration_is_open",
    "registrations_export_logged",
    "registrations_remind",
]
