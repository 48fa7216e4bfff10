"""Who may see and do what with meetings and events — written once, used by pages,
API, ICS feeds and exports.

Council meetings: a draft (agenda in preparation, minutes being written) is seen
by the council only — the secretariat, administrators and the signatories'
people; published minutes are public, with confidential items redacted. Events:
published ones are public; registering is open to anyone, signed in or not; a
participants list shows only those who consented, without e-mails; e-mails,
accessibility and dietary needs, check-in and exports are for the secretariat.

Predicates receive ``(user, obj)``; ``obj`` is a ``Meeting``, an ``Event`` or a
``Registration``.
"""

import rules

from crig.events.models import Event
from crig.members.rules import is_active_person, is_administrator, is_secretariat

is_staff_role = is_secretariat | is_administrator


@rules.predicate
def is_council_person(user) -> bool:
    """The secretariat, administrators, and the people of the signatories."""
    return is_staff_role(user) or (
        is_active_person(user)
        and (
            user.memberships.filter(organisation__signatory__isnull=False).exists()
            or user.reviewer_assignments.exists()
        )
    )


@rules.predicate
def is_published_meeting(user, meeting) -> bool:
    return meeting is not None and meeting.state == "published"


@rules.predicate
def is_published_event(user, event) -> bool:
    return event is not None and event.state in (
        Event.State.PUBLISHED,
        Event.State.CANCELLED,
    )


@rules.predicate
def is_own_registration(user, registration) -> bool:
    return (
        is_active_person(user)
        and registration is not None
        and registration.person_id == user.pk
    )


rules.add_perm("events.view_meeting", is_published_meeting | is_council_person)
rules.add_perm("events.view_meeting_confidential", is_council_person)
rules.add_perm("events.change_meeting", is_staff_role)
rules.add_perm("events.view_event", is_published_event | is_staff_role)
rules.add_perm("events.change_event", is_staff_role)
rules.add_perm("events.view_registrations", is_staff_role)  # personal data
rules.add_perm("events.check_in", is_staff_role)
rules.add_perm("events.export_registrations", is_staff_role)
rules.add_perm("events.view_stats", is_published_event | is_staff_role)
rules.add_perm("events.view_own_registration", is_own_registration | is_staff_role)
