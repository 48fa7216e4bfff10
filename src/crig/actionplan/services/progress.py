"""What the leads keep current: dated progress updates (with an attachment),
indicators' current values and milestones done. The members of a lead
organisation do it on a published plan; the secretariat and the signatories on
any plan (``actionplan.update_progress``)."""

import datetime
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from crig.actionplan.models import Action, Indicator, Milestone, ProgressUpdate
from crig.actionplan.services._common import (
    check_amount,
    check_progress,
    check_status,
    record,
    require,
)
from crig.core.errors import InvalidInput, NotFound

# Documents a lead shares about an action: PDF, images, office files. No
# archives: they would hide their content from the check below. The office
# formats are zip containers, checked as such.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
}


def _check_attachment(name: str, data: bytes) -> str:
    """The storage name of an acceptable file; ``InvalidInput`` else."""
    display = os.path.basename((name or "").replace("\\", "/")).strip()
    stem, dot, extension = display.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension not in ATTACHMENT_SIGNATURES:
        raise InvalidInput(
            _(
                "This kind of file cannot be attached. Accepted: PDF, PNG, JPEG, "
                "OpenDocument (odt, ods, odp) and Office (docx, xlsx, pptx)."
            ),
            field="attachment",
        )
    if not data:
        raise InvalidInput(_("The file is empty."), field="attachment")
    limit = settings.NEEDS_ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            _("The file is too large (%(size)d MB at most).")
            % {"size": limit // (1024 * 1024)},
            field="attachment",
        )
    if not any(data.startswith(magic) for magic in ATTACHMENT_SIGNATURES[extension]):
        raise InvalidInput(
            _("The file’s content does not match its extension (.%(extension)s).")
            % {"extension": extension},
            field="attachment",
        )
    safe_stem = get_valid_filename(slugify(stem))[:60] or "piece-jointe"
    return f"{uuid.uuid4().hex[:12]}-{safe_stem}.{extension}"


def progress_update_add(
    *,
    actor,
    action: Action,
    dated: datetime.date,
    body: str,
    progress: int | None = None,
    status: str = "",
    attachment: tuple[str, bytes] | None = None,
) -> ProgressUpdate:
    """A lead's dated note; sets the action's progress and status when given.
    The attachment (PDF, images, office files; ``NEEDS_ATTACHMENT_MAX_BYTES``)
    is stored through the default storage under a generated name; if the
    database write fails, the stored file is removed."""
    require(
        actor,
        "actionplan.update_progress",
        action,
        _("Only the members of the lead organisations may post progress updates."),
    )
    if not isinstance(dated, datetime.date):
        raise InvalidInput(_("Give the date of the update."), field="dated")
    if dated > timezone.localdate():
        raise InvalidInput(
            _("The date of an update cannot be in the future."), field="dated"
        )
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write what happened."), field="body")
    if progress is not None:
        check_progress(progress)
    if status:
        check_status(status)
    storage_name = _check_attachment(*attachment) if attachment else None
    stored = None
    try:
        with transaction.atomic():
            Action.objects.select_for_update().filter(pk=action.pk).first()
            action.refresh_from_db()
            update = ProgressUpdate(
                action=action,
                author=actor,
                dated=dated,
                body=body,
                progress=progress,
                status=status or "",
            )
            if storage_name:
                update.attachment.save(
                    storage_name, ContentFile(attachment[1]), save=False
                )
                stored = update.attachment
            update.save()
            before = {"progress": action.progress, "status": action.status}
            if progress is not None:
                action.progress = progress
            if status:
                action.status = status
            action.save(update_fields=["progress", "status", "updated_at"])
            record(
                action,
                "progress_update",
                actor=actor,
                changes={
                    "update": [None, dated.isoformat()],
                    "progress": [before["progress"], action.progress],
                    "status": [before["status"], action.status],
                },
            )
    except BaseException:
        if stored is not None:
            stored.storage.delete(stored.name)
        raise
    return update


@transaction.atomic
def indicator_set_current(
    *, actor, action: Action, indicator_id: int, current: Decimal
) -> Indicator:
    require(
        actor,
        "actionplan.update_progress",
        action,
        _("Only the members of the lead organisations may update the indicators."),
    )
    indicator = (
        Indicator.objects.select_for_update()
        .filter(pk=indicator_id, action=action)
        .first()
    )
    if indicator is None:
        raise NotFound(_("This action has no such indicator."))
    value = check_amount(
        current,
        field="current",
        message=_("An indicator's current value must be a positive number."),
    )
    before = indicator.current
    indicator.current = value
    indicator.save(update_fields=["current"])
    record(
        action,
        "indicator",
        actor=actor,
        changes={f"indicator: {indicator.name}": [before, value]},
    )
    return indicator


@transaction.atomic
def milestone_mark_done(
    *, actor, action: Action, milestone_id: int, done_on: datetime.date | None
) -> Milestone:
    """Mark the milestone done on ``done_on`` (``None``: not done after all)."""
    require(
        actor,
        "actionplan.update_progress",
        action,
        _("Only the members of the lead organisations may update the milestones."),
    )
    milestone = (
        Milestone.objects.select_for_update()
        .filter(pk=milestone_id, action=action)
        .first()
    )
    if milestone is None:
        raise NotFound(_("This action has no such milestone."))
    if done_on is not None:
        if not isinstance(done_on, datetime.date):
            raise InvalidInput(_("Give the date it was done."), field="done_on")
        if done_on > timezone.localdate():
            raise InvalidInput(
                _("A milestone cannot be done in the future."), field="done_on"
            )
    before = milestone.done_on
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    record(
        action,
        "milestone",
        actor=actor,
        changes={f"milestone: {milestone.title}": [before, done_on]},
    )
    return milestone
