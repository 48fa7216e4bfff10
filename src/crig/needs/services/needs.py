"""Needs: creation, edition, submission, the secretariat's decisions, merge, split.

CONTRACT (signatures fixed; bodies by the needs-domain work). Every service is
atomic, checks permissions with ``rules`` (``crig.core.errors.PermissionDenied``),
raises ``InvalidInput`` with a translated message on bad input and saves nothing
then, records a ``NeedEvent``, and schedules notifications with
``transaction.on_commit`` (``crig.needs.tasks``).
"""

import datetime
from dataclasses import dataclass

from crig.needs.models import Need, NeedAttachment
from crig.territory.selection import TerritorySelection


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
    raise NotImplementedError


def need_update(
    *,
    actor,
    need: Need,
    data: NeedData,
    territory: TerritorySelection | None = None,
    contact=None,
) -> Need:
    """Change the fields (and the territory when given)."""
    raise NotImplementedError


def need_submit(*, actor, need: Need) -> Need:
    """Draft → new: the need becomes public."""
    raise NotImplementedError


def need_delete(*, actor, need: Need) -> None:
    """Delete a draft."""
    raise NotImplementedError


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
    rejected need needs a public ``answer``. Notifies everyone involved."""
    raise NotImplementedError


def need_merge(*, actor, need: Need, into: Need, message: str = "") -> Need:
    """Merge a duplicate ``need`` into ``into``: its supports move over (the
    duplicate's organisation becomes a supporter with its territory), its history
    stays, it becomes "merged" and points to ``into``. Returns ``into``."""
    raise NotImplementedError


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
    Returns all the parts, the original first."""
    raise NotImplementedError


def need_attachment_add(*, actor, need: Need, name: str, data: bytes) -> NeedAttachment:
    """Attach a file (PDF, images, office documents; ``NEEDS_ATTACHMENT_MAX_BYTES``)."""
    raise NotImplementedError


def need_attachment_remove(*, actor, attachment: NeedAttachment) -> None:
    raise NotImplementedError
