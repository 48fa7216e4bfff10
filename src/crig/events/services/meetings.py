"""Writes of council meetings."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import PermissionDenied
from crig.events.models import Meeting


def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    """Publish a meeting: its agenda and minutes become public (confidential
    items redacted by the selectors). Publishing twice keeps the first date."""
    if actor is None or not actor.has_perm("events.change_meeting", meeting):
        raise PermissionDenied(_("Only the secretariat may publish a meeting."))
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if current.state != "published":
            current.state = "published"
            current.published_at = timezone.now()
            current.save(update_fields=["state", "published_at", "updated_at"])
    meeting.refresh_from_db()
    return meeting
