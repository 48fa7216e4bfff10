"""Reads of needs shared by pages, API, exports and maps. CONTRACT (signatures
fixed; bodies by the needs-domain work). Everything starts from
``needs_visible_to(user)``: a draft is seen by its author only."""

from dataclasses import dataclass

from django.db.models import QuerySet

from crig.needs.models import Need


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    theme: str = ""
    state: str = ""
    organisation: str = ""  # slug
    departement: str = ""  # code: needs with at least one commune in it
    epci: str = ""  # SIREN
    commune: str = ""  # INSEE
    year: int | None = None  # year of submission
    mine: bool = False  # expressed or supported by one of the person's organisations


def needs_visible_to(user) -> QuerySet[Need]:
    raise NotImplementedError


def needs_list(*, user, filters: NeedFilters = NeedFilters()) -> QuerySet[Need]:
    """Visible needs matching the filters, newest first, with organisation
    selected and supports counted (``supporter_count`` annotation: the
    organisation expressing it plus supporting organisations)."""
    raise NotImplementedError


def need_get(*, user, pk: int) -> Need:
    """The need, or ``NotFound`` (also when the person may not see it)."""
    raise NotImplementedError


def need_consolidated_communes(need: Need) -> dict[str, float]:
    """INSEE → share of the commune inside the need's or a support's territory
    (the largest share of any of them)."""
    raise NotImplementedError


@dataclass(frozen=True)
class Backer:
    """An organisation behind a need: the one expressing it or a supporter."""

    organisation: object
    is_author_organisation: bool
    comment: str
    cofunding_min: int | None
    cofunding_max: int | None
    territory_description: str
    area_km2: float | None
    support: object | None


def need_backers(need: Need) -> list[Backer]:
    raise NotImplementedError


@dataclass(frozen=True)
class HeatCell:
    insee: str
    name: str
    needs: int  # needs whose own territory includes the commune
    supports: int  # supports whose territory includes the commune


def needs_heatmap(*, user, theme: str = "") -> list[HeatCell]:
    """Per commune, how many visible (published, not merged) needs and supports
    concern it, optionally for one theme; communes with none are left out."""
    raise NotImplementedError
