"""Needs: creation, edition, submission, the secretariat's decisions, merge, split.

Every service is atomic, checks permissions with ``rules``
(``crig.core.errors.PermissionDenied``), raises ``InvalidInput`` with a translated
message on bad input and saves nothing then, records a ``NeedEvent``, and schedules
notifications with ``transaction.on_commit`` (``crig.needs.tasks``).

**States.** ``TRANSITIONS`` is the whole state machine: a draft is submitted by its
author (``need_submit``); the secretariat then qualifies, retains, satisfies or
rejects (``need_transition``); "merged" is only reached through ``need_merge``.
Every change made by the secretariat (transition, merge, split) e-mails the people
involved; a submission does not (its author just did it).

**Horizon.** A date in the past is refused when a need is created and whenever the
horizon is changed; an unchanged horizon that has since passed is kept on edit, so
that an old need can still be corrected.
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput
from crig.core.uploads import attachment_check
from crig.members.models import Membership
from crig.needs.models import (
    Need,
    NeedAttachment,
    NeedEvent,
    Support,
    SupportCommune,
    Theme,
)
from crig.needs.services._common import (
    check_cofunding,
    consolidate,
    copy_territory,
    record,
    require,
    require_membership,
    store_territory,
)
from crig.territory.selection import TerritorySelection

State = Need.State

# The state machine. Drafts leave through ``need_submit`` only, "merged" is
# reached through ``need_merge`` only; every other arrow is the secretariat's.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.NEW}),
    State.NEW: frozenset({State.QUALIFIED, State.REJECTED}),
    State.QUALIFIED: frozenset({State.RETAINED, State.REJECTED}),
    State.RETAINED: frozenset({State.SATISFIED, State.REJECTED}),
    State.SATISFIED: frozenset(),
    State.REJECTED: frozenset(),
    State.MERGED: frozenset(),
}
# Arrows ``need_transition`` takes (the secretariat's decisions).
SECRETARIAT_TRANSITIONS: dict[str, frozenset[str]] = {
    state: targets for state, targets in TRANSITIONS.items() if state != State.DRAFT
}
# A decision the members must be able to read: the public answer is required.
ANSWER_REQUIRED = frozenset({State.RETAINED, State.SATISFIED, State.REJECTED})
# States a need can be merged or split in; a decided need (satisfied, rejected)
# stays as it was decided.
OPEN_STATES = frozenset({State.NEW, State.QUALIFIED, State.RETAINED})


@dataclass(frozen=True)
class NeedData:
    """The fields a person fills in (create and update)."""

    title: str
    description: str
    theme: str
    precision: str = ""
    resolution_m: float | None = None
    horizon: datetime.date | None = None
    intended_use: str = ""
    cofunding_min: int | None = None
    cofunding_max: int | None = None


def _clean_data(data: NeedData, *, check_horizon: bool) -> dict:
    title = (data.title or "").strip()
    description = (data.description or "").strip()
    if not title:
        raise InvalidInput(_("Give the need a title."), field="title")
    if len(title) > Need._meta.get_field("title").max_length:
        raise InvalidInput(
            _("The title is too long (200 characters at most)."), field="title"
        )
    if not description:
        raise InvalidInput(_("Describe the need."), field="description")
    if data.theme not in Theme.values:
        raise InvalidInput(_("Choose a theme from the list."), field="theme")
    precision = (data.precision or "").strip()
    if len(precision) > Need._meta.get_field("precision").max_length:
        raise InvalidInput(
            _("The wanted precision is too long (100 characters at most)."),
            field="precision",
        )
    if data.resolution_m is not None and not (
        math.isfinite(data.resolution_m) and data.resolution_m > 0
    ):
        raise InvalidInput(
            _("The wanted ground resolution must be above 0 m."), field="resolution_m"
        )
    if check_horizon and data.horizon is not None:
        if data.horizon < timezone.localdate():
            raise InvalidInput(_("The horizon cannot be in the past."), field="horizon")
    check_cofunding(data.cofunding_min, data.cofunding_max)
    return {
        "title": title,
        "description": description,
        "theme": data.theme,
        "precision": precision,
        "resolution_m": data.resolution_m,
        "horizon": data.horizon,
        "intended_use": (data.intended_use or "").strip(),
        "cofunding_min": data.cofunding_min,
        "cofunding_max": data.cofunding_max,
    }


def _check_contact(contact, organisation) -> None:
    if not (
        contact.is_active
        and Membership.objects.filter(
            person=contact, organisation=organisation
        ).exists()
    ):
        raise InvalidInput(
            _("The contact must be a member of the organisation expressing the need."),
            field="contact",
        )


@transaction.atomic
def need_create(
    *,
    author,
    organisation,
    data: NeedData,
    territory: TerritorySelection,
    contact=None,
    submit: bool = False,
) -> Need:
    """A new need in ``organisation``'s name (the author must belong to it), as a
    draft, or submitted (state "new") when ``submit``."""
    require(
        author,
        "needs.add_need",
        None,
        _("Only members of an organisation may express a need."),
    )
    require_membership(
        author,
        organisation,
        _("You may only express a need in the name of an organisation you belong to."),
    )
    fields = _clean_data(data, check_horizon=True)
    contact = contact or author
    _check_contact(contact, organisation)
    if territory is None:
        raise InvalidInput(_("Give the need's territory."), field="territory")
    now = timezone.now()
    need = Need(
        **fields,
        organisation=organisation,
        author=author,
        contact=contact,
        state=State.NEW if submit else State.DRAFT,
        submitted_at=now if submit else None,
        state_changed_at=now if submit else None,
    )
    need.save()
    store_territory(need, territory)
    consolidate(need)
    record(need, NeedEvent.Kind.CREATED, actor=author, to_state=State.DRAFT)
    if submit:
        record(
            need,
            NeedEvent.Kind.SUBMITTED,
            actor=author,
            from_state=State.DRAFT,
            to_state=State.NEW,
        )
    return need


@transaction.atomic
def need_update(
    *,
    actor,
    need: Need,
    data: NeedData,
    territory: TerritorySelection | None = None,
    contact=None,
) -> Need:
    """Change the fields (and the territory when given). The author or a referent
    of the organisation while the need is a draft or new; the secretariat on a
    published need."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        actor,
        "needs.change_need",
        need,
        _("You may not change this need."),
    )
    if need.state == State.MERGED:
        raise Conflict(
            _("A merged need cannot be changed; change the need it went into.")
        )
    fields = _clean_data(data, check_horizon=data.horizon != need.horizon)
    if contact is not None and contact.pk != need.contact_id:
        _check_contact(contact, need.organisation)
        need.contact = contact
    changed = [
        str(Need._meta.get_field(name).verbose_name)
        for name, value in fields.items()
        if getattr(need, name) != value
    ]
    for name, value in fields.items():
        setattr(need, name, value)
    need.save()
    if territory is not None:
        store_territory(need, territory)
        consolidate(need)
        changed.append(str(Need._meta.get_field("territory_description").verbose_name))
    record(need, NeedEvent.Kind.EDITED, actor=actor, message=", ".join(changed))
    return need


@transaction.atomic
def need_submit(*, actor, need: Need) -> Need:
    """Draft → new: the need becomes public."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        actor,
        "needs.submit_need",
        need,
        _("Only the author of a need may submit it."),
    )
    if need.state != State.DRAFT:
        raise Conflict(_("This need has already been submitted."))
    now = timezone.now()
    need.state = State.NEW
    need.submitted_at = now
    need.state_changed_at = now
    need.save()
    record(
        need,
        NeedEvent.Kind.SUBMITTED,
        actor=actor,
        from_state=State.DRAFT,
        to_state=State.NEW,
    )
    return need


@transaction.atomic
def need_delete(*, actor, need: Need) -> None:
    """Delete a draft (and its attachments' files, once the deletion is committed)."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        actor,
        "needs.delete_need",
        need,
        _("Only the author of a draft may delete it."),
    )
    files = [attachment.file for attachment in need.attachments.all()]
    need.delete()
    for file in files:
        transaction.on_commit(lambda file=file: file.storage.delete(file.name))


@transaction.atomic
def need_transition(
    *,
    actor,
    need: Need,
    to_state: str,
    answer: str = "",
    plan_fit: str | None = None,
) -> Need:
    """The secretariat moves a need along: new → qualified → retained → satisfied,
    or → rejected (from new, qualified or retained); a retained, satisfied or
    rejected need needs a public ``answer``. Notifies everyone involved.

    A retained need is meant to be linked to an action of the action plan; that
    module does not exist yet, so no link is recorded here: the public answer says
    what will be done until then.
    """
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        actor,
        "needs.qualify_need",
        need,
        _("Only the secretariat may decide on a need."),
    )
    if to_state not in State.values:
        raise InvalidInput(_("Unknown state."), field="state")
    if to_state not in SECRETARIAT_TRANSITIONS.get(need.state, ()):
        raise Conflict(
            _("A need cannot go from “%(from)s” to “%(to)s”.")
            % {"from": State(need.state).label, "to": State(to_state).label}
        )
    answer = (answer or "").strip()
    if to_state in ANSWER_REQUIRED and not answer:
        raise InvalidInput(
            _("Write the public answer that explains this decision."), field="answer"
        )
    if plan_fit is not None:
        if plan_fit not in Need.PlanFit.values:
            raise InvalidInput(
                _("Choose the fit with the plan from the list."), field="plan_fit"
            )
        need.plan_fit = plan_fit
    from_state = need.state
    need.state = to_state
    need.state_changed_at = timezone.now()
    if answer:
        need.public_answer = answer
    need.save()
    record(
        need,
        NeedEvent.Kind.STATE_CHANGED,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        message=answer,
        notify=True,
    )
    return need


@transaction.atomic
def need_merge(*, actor, need: Need, into: Need, message: str = "") -> Need:
    """Merge a duplicate ``need`` into ``into``: its supports move over (the
    duplicate's organisation becomes a supporter with its territory), its history
    stays, it becomes "merged" and points to ``into``. Returns ``into``.

    The duplicate's organisation becomes a supporter unless it is ``into``'s own
    organisation or already supports it. A support of the duplicate by an
    organisation already behind ``into`` is dropped (that organisation keeps its
    support of ``into``); the others move over with their territory. Both needs'
    histories record the merge; the people involved in either are e-mailed.
    """
    if need.pk == into.pk:
        raise InvalidInput(_("A need cannot be merged into itself."), field="into")
    locked = {
        n.pk: n
        for n in Need.objects.select_for_update().filter(pk__in=[need.pk, into.pk])
    }
    need, into = locked[need.pk], locked[into.pk]
    message_denied = _("Only the secretariat may merge needs.")
    require(actor, "needs.merge_need", need, message_denied)
    require(actor, "needs.merge_need", into, message_denied)
    if need.state not in OPEN_STATES:
        raise Conflict(
            _("Only a new, qualified or retained need can be merged into another.")
        )
    if into.state not in OPEN_STATES:
        raise Conflict(
            _("A need can only be merged into a new, qualified or retained need.")
        )
    behind_into = set(into.supports.values_list("organisation_id", flat=True))
    behind_into.add(into.organisation_id)
    if need.organisation_id not in behind_into:
        support = Support.objects.create(
            need=into,
            organisation=need.organisation,
            author=need.author,
            comment=need.description,
            cofunding_min=need.cofunding_min,
            cofunding_max=need.cofunding_max,
        )
        copy_territory(need, support)
        behind_into.add(need.organisation_id)
    for support in need.supports.all():
        if support.organisation_id in behind_into:
            support.delete()
        else:
            support.need = into
            support.save()
            behind_into.add(support.organisation_id)
    message = (message or "").strip()
    from_state = need.state
    need.state = State.MERGED
    need.merged_into = into
    need.state_changed_at = timezone.now()
    need.save()
    consolidate(need)
    consolidate(into)
    record(
        into,
        NeedEvent.Kind.ABSORBED,
        actor=actor,
        message=message,
        related_need=need,
    )
    # One notification for both sides: its recipients are the people of the
    # duplicate and of the need it went into (see services.notifications).
    record(
        need,
        NeedEvent.Kind.MERGED,
        actor=actor,
        from_state=from_state,
        to_state=State.MERGED,
        message=message,
        related_need=into,
        notify=True,
    )
    return into


_COPIED_FIELDS = (
    "description",
    "theme",
    "precision",
    "resolution_m",
    "horizon",
    "intended_use",
    "organisation_id",
    "author_id",
    "contact_id",
    "cofunding_min",
    "cofunding_max",
    "state",
    "plan_fit",
    "public_answer",
    "submitted_at",
    "state_changed_at",
)


@transaction.atomic
def need_split(
    *,
    actor,
    need: Need,
    parts: list[tuple[str, TerritorySelection]],
    message: str = "",
) -> list[Need]:
    """Split a need into parts, each a (title, territory), at least two. The
    original becomes the first part (its URL stays); the others are new needs in
    the same state copying its fields, with ``split_from`` set. Each part keeps the
    supports whose territory shares a commune with it (copied to new parts).
    Returns all the parts, the original first.

    A support sharing no commune with any part stays on the original, so that no
    organisation silently stops backing the need. Attachments stay on the
    original.
    """
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        actor, "needs.split_need", need, _("Only the secretariat may split a need.")
    )
    if need.state not in OPEN_STATES:
        raise Conflict(_("Only a new, qualified or retained need can be split."))
    if len(parts) < 2:
        raise InvalidInput(_("Split the need into at least two parts."), field="parts")
    cleaned = []
    for index, (title, territory) in enumerate(parts, start=1):
        title = (title or "").strip()
        if not title:
            raise InvalidInput(
                _("Give part %(number)d a title.") % {"number": index}, field="parts"
            )
        if len(title) > Need._meta.get_field("title").max_length:
            raise InvalidInput(
                _("The title of part %(number)d is too long (200 characters at most).")
                % {"number": index},
                field="parts",
            )
        if territory is None or not territory.communes:
            raise InvalidInput(
                _("Give part %(number)d a territory.") % {"number": index},
                field="parts",
            )
        cleaned.append((title, territory))
    message = (message or "").strip()
    supports = list(need.supports.all())
    support_communes: dict[int, set[str]] = {support.pk: set() for support in supports}
    for support_id, insee in SupportCommune.objects.filter(
        support__in=supports
    ).values_list("support_id", "commune_id"):
        support_communes[support_id].add(insee)

    result = [need]
    first_title, first_territory = cleaned[0]
    need.title = first_title
    need.save()
    store_territory(need, first_territory)
    for title, territory in cleaned[1:]:
        part = Need(title=title, split_from=need)
        for name in _COPIED_FIELDS:
            setattr(part, name, getattr(need, name))
        part.save()
        store_territory(part, territory)
        result.append(part)

    for support in supports:
        matching = [
            part
            for part, (_title, territory) in zip(result, cleaned, strict=True)
            if support_communes[support.pk] & set(territory.communes)
        ]
        if not matching:
            continue  # stays on the original, see the docstring
        keeper = need if any(part is need for part in matching) else matching[0]
        if keeper is not need:
            support.need = keeper
            support.save()
        for part in matching:
            if part is keeper:
                continue
            copy = Support.objects.create(
                need=part,
                organisation=support.organisation,
                author=support.author,
                comment=support.comment,
                cofunding_min=support.cofunding_min,
                cofunding_max=support.cofunding_max,
            )
            copy_territory(support, copy)

    for part in result:
        consolidate(part)
    for part in result[1:]:
        record(
            part,
            NeedEvent.Kind.SPLIT_FROM,
            actor=actor,
            message=message,
            related_need=need,
        )
    record(
        need,
        NeedEvent.Kind.SPLIT,
        actor=actor,
        message=message,
        notify=True,
    )
    return result


# --- Attachments -------------------------------------------------------------------


def _check_attachment(name: str, data: bytes) -> tuple[str, str]:
    return attachment_check(name, data, max_bytes=settings.NEEDS_ATTACHMENT_MAX_BYTES)


def need_attachment_add(*, actor, need: Need, name: str, data: bytes) -> NeedAttachment:
    """Attach a file (PDF, PNG, JPEG, odt, ods, docx, xlsx, CSV;
    ``NEEDS_ATTACHMENT_MAX_BYTES``), stored through the default storage under a
    generated name. The content must match the extension. If the database write
    fails, the stored file is removed."""
    require(
        actor,
        "needs.add_attachment",
        need,
        _("You may not add attachments to this need."),
    )
    display, storage_name = _check_attachment(name, data)
    attachment = NeedAttachment(
        need=need, name=display, size=len(data), uploaded_by=actor
    )
    stored = False
    try:
        with transaction.atomic():
            attachment.file.save(storage_name, ContentFile(data), save=False)
            stored = True
            attachment.save()
            record(
                need,
                NeedEvent.Kind.ATTACHMENT_ADDED,
                actor=actor,
                message=display,
            )
    except BaseException:
        if stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def need_attachment_remove(*, actor, attachment: NeedAttachment) -> None:
    """Remove an attachment; its file is deleted once the removal is committed."""
    need = attachment.need
    require(
        actor,
        "needs.add_attachment",
        need,
        _("You may not remove attachments from this need."),
    )
    file = attachment.file
    name = attachment.name
    attachment.delete()
    record(need, NeedEvent.Kind.ATTACHMENT_REMOVED, actor=actor, message=name)
    transaction.on_commit(lambda: file.storage.delete(file.name))
