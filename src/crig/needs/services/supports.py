"""Supports (“nous aussi”): another organisation joins a need with its own
territory, comment and co-funding range. Each write recomputes the need's
consolidated territory and is recorded in the need's history."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from crig.core.errors import Conflict
from crig.needs.models import Need, NeedEvent, Support
from crig.needs.rules import SUPPORTABLE_STATES
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


@dataclass(frozen=True)
class SupportData:
    comment: str = ""
    cofunding_min: int | None = None
    cofunding_max: int | None = None


@transaction.atomic
def support_create(
    *,
    author,
    need: Need,
    organisation,
    data: SupportData,
    territory: TerritorySelection | None = None,
) -> Support:
    """``organisation`` (the author belongs to it; not the need's own) supports the
    need, with its territory (the need's own when None). Updates the consolidated
    territory."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(
        author,
        "needs.support_need",
        need,
        _(
            "You may not support this need: it is not open to supports, or all "
            "your organisations already stand behind it."
        ),
    )
    require_membership(
        author,
        organisation,
        _("You may only support a need in the name of an organisation you belong to."),
    )
    if organisation.pk == need.organisation_id:
        raise Conflict(_("This need is already expressed by your organisation."))
    if need.supports.filter(organisation=organisation).exists():
        raise Conflict(_("Your organisation already supports this need."))
    check_cofunding(data.cofunding_min, data.cofunding_max)
    support = Support.objects.create(
        need=need,
        organisation=organisation,
        author=author,
        comment=(data.comment or "").strip(),
        cofunding_min=data.cofunding_min,
        cofunding_max=data.cofunding_max,
    )
    if territory is None:
        copy_territory(need, support)
    else:
        store_territory(support, territory)
    consolidate(need)
    record(need, NeedEvent.Kind.SUPPORTED, actor=author, message=organisation.name)
    return support


def _check_need_open(need: Need) -> None:
    if need.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("The need has been decided or merged: its supports can no longer change.")
        )


@transaction.atomic
def support_update(
    *,
    actor,
    support: Support,
    data: SupportData,
    territory: TerritorySelection | None = None,
) -> Support:
    """Change the comment, the co-funding range and (when given) the territory,
    while the need is open (new, qualified or retained)."""
    support = (
        Support.objects.select_for_update().select_related("need").get(pk=support.pk)
    )
    require(
        actor,
        "needs.change_support",
        support,
        _(
            "Only the author of the support or a referent of its organisation may "
            "change it."
        ),
    )
    _check_need_open(support.need)
    check_cofunding(data.cofunding_min, data.cofunding_max)
    support.comment = (data.comment or "").strip()
    support.cofunding_min = data.cofunding_min
    support.cofunding_max = data.cofunding_max
    support.save()
    if territory is not None:
        store_territory(support, territory)
        consolidate(support.need)
    record(
        support.need,
        NeedEvent.Kind.SUPPORT_CHANGED,
        actor=actor,
        message=support.organisation.name,
    )
    return support


@transaction.atomic
def support_withdraw(*, actor, support: Support) -> None:
    """The organisation stops supporting the need (while it is open)."""
    support = (
        Support.objects.select_for_update().select_related("need").get(pk=support.pk)
    )
    require(
        actor,
        "needs.change_support",
        support,
        _(
            "Only the author of the support or a referent of its organisation may "
            "withdraw it."
        ),
    )
    _check_need_open(support.need)
    need = support.need
    organisation = support.organisation.name
    support.delete()
    consolidate(need)
    record(need, NeedEvent.Kind.SUPPORT_WITHDRAWN, actor=actor, message=organisation)
