"""Supports (“nous aussi”). CONTRACT (signatures fixed; see services/needs.py)."""

from dataclasses import dataclass

from crig.needs.models import Need, Support
from crig.territory.selection import TerritorySelection


@dataclass(frozen=True)
class SupportData:
    comment: str = ""
    cofunding_min: int | None = None
    cofunding_max: int | None = None


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
    raise NotImplementedError


def support_update(
    *,
    actor,
    support: Support,
    data: SupportData,
    territory: TerritorySelection | None = None,
) -> Support:
    raise NotImplementedError


def support_withdraw(*, actor, support: Support) -> None:
    raise NotImplementedError
