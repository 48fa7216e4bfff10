"""What the catalogue already holds on a need's territory for its theme.
CONTRACT (signatures fixed; bodies by the needs-domain work).

Read live from the catalogue's commune coverage (``catalog.CommuneCoverage``), so
it follows every harvest and coverage computation; only datasets the person may
see count (``catalog.selectors.visibility.datasets_published_to``).

Area shares are estimated per commune: the area a dataset covers inside the need's
territory is Σ over its communes of area(commune) × min(share of the commune in
the need, share of the commune the dataset covers). Exact when either share is 1,
which is the common case (communes picked whole, footprints covering communes).
"""

from dataclasses import dataclass

from crig.needs.models import Need


@dataclass(frozen=True)
class DatasetMatch:
    dataset_id: int
    title: str
    year: int | None
    resolution_m: float | None
    producer_name: str
    area_share: float  # share of the need's area this dataset covers (0–1)
    communes: int  # communes of the need it covers at least in part
    fine_enough: bool | None  # resolution ≤ the need's wanted one; None if unknown


@dataclass(frozen=True)
class CommuneMatch:
    insee: str
    name: str
    need_share: float  # share of the commune inside the need's territory
    best: DatasetMatch | None  # most recent dataset covering ≥ min share of it
    status: str  # "covered", "outdated" or "gap" (catalog.selectors.coverage.Status)


@dataclass(frozen=True)
class NeedMatch:
    referentiel: str | None  # None: the theme is not a catalogue référentiel
    area_km2: float
    covered_share: float  # share of the area with some covering dataset (0–1)
    gap_share: float  # 1 − covered_share, or 1 when the theme has no référentiel
    datasets: list[DatasetMatch]  # by area_share, descending
    communes: list[CommuneMatch]


def need_match(*, user, need: Need, consolidated: bool = False) -> NeedMatch:
    """The match for the need's own territory, or the consolidated one."""
    raise NotImplementedError


def needs_gap_shares(*, user, needs: list[Need]) -> dict[int, float]:
    """``gap_share`` of many needs' consolidated territories in a few queries (for
    the score of a whole list)."""
    raise NotImplementedError
