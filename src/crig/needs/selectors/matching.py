"""What the catalogue already holds on a need's territory for its theme.

Read live from the catalogue's commune coverage (``catalog.CommuneCoverage``), so
it follows every harvest and coverage computation; only datasets the person may
see count (``catalog.selectors.visibility.datasets_published_to``).

Area shares are estimated per commune: the area a dataset covers inside the need's
territory is Σ over its communes of area(commune) × min(share of the commune in
the need, share of the commune the dataset covers). Exact when either share is 1,
which is the common case (communes picked whole, footprints covering communes).

The need's covered share takes, in each commune, the best of the datasets (the
largest such minimum), not their union: the commune coverage does not say where
in the commune each footprint lies, so two datasets covering half a commune each
may be the same half. The covered share is therefore a lower bound, and the gap
an upper bound, which is the prudent side for funding decisions.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crig.catalog.models import CommuneCoverage
from crig.catalog.selectors.coverage import (
    _DATASET_FIELDS,
    CoveringDataset,
    Status,
    best_of,
    min_share_setting,
)
from crig.catalog.selectors.visibility import datasets_published_to
from crig.needs.models import Need, Theme
from crig.needs.selectors.needs import (
    need_consolidated_communes,
    needs_consolidated_communes,
)
from crig.territory.models import Commune

# Resolutions are compared with this relative tolerance: a "0.2 m" record and a
# need for "20 cm" stored as 0.20000001 are the same thing.
_RESOLUTION_TOLERANCE = 1e-6


def _percent(share: float) -> str:
    """A share as people say it: "80 %", "< 1 %" for a sliver, "> 99 %"."""
    percent = share * 100
    if 0 < percent < 1:
        return _("< 1 %")
    if 99 < percent < 100:
        return _("> 99 %")
    return _("%(percent)s %%") % {"percent": number_format(round(percent))}


def resolution_label(resolution_m: float | None) -> str:
    """ "20 cm", "1,5 m" (in the active language); "" when unknown."""
    if resolution_m is None:
        return ""
    if resolution_m < 1:
        centimetres = round(resolution_m * 100, 1)
        return _("%(value)s cm") % {
            "value": number_format(
                centimetres, decimal_pos=0 if centimetres.is_integer() else 1
            )
        }
    metres = round(resolution_m, 1)
    return _("%(value)s m") % {
        "value": number_format(metres, decimal_pos=0 if metres.is_integer() else 1)
    }


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

    @property
    def area_percent(self) -> str:
        return _percent(self.area_share)

    @property
    def resolution_label(self) -> str:
        return resolution_label(self.resolution_m)

    @property
    def summary(self) -> str:
        """A sentence for pages: "80 % de la surface couverte par BD ORTHO (2023,
        20 cm)"."""
        details = [str(self.year)] if self.year else []
        if self.resolution_m is not None:
            details.append(self.resolution_label)
        if details:
            return _("%(percent)s of the area covered by %(title)s (%(details)s)") % {
                "percent": self.area_percent,
                "title": self.title,
                "details": ", ".join(details),
            }
        return _("%(percent)s of the area covered by %(title)s") % {
            "percent": self.area_percent,
            "title": self.title,
        }


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

    @property
    def covered_percent(self) -> str:
        return _percent(self.covered_share)

    @property
    def gap_percent(self) -> str:
        return _percent(self.gap_share)


def _fine_enough(dataset_resolution: float | None, wanted: float | None) -> bool | None:
    if dataset_resolution is None or wanted is None:
        return None
    return dataset_resolution <= wanted * (1 + _RESOLUTION_TOLERANCE)


def _covered_km2(
    shares: dict[str, float],
    areas: dict[str, float],
    fractions: dict[str, dict[int, float]],
) -> float:
    """Σ over communes of area × the best min(need share, dataset share)."""
    covered = 0.0
    for insee, share in shares.items():
        by_dataset = fractions.get(insee)
        if by_dataset:
            covered += areas.get(insee, 0.0) * min(share, max(by_dataset.values()))
    return covered


def need_match(
    *, user, need: Need, consolidated: bool = False, older_than: int | None = None
) -> NeedMatch:
    """The match for the need's own territory, or the consolidated one.

    ``older_than`` (years) marks a commune "outdated" when its best dataset is
    older than that or of unknown year, as on the catalogue's coverage pages;
    without it a commune is "covered" or a "gap".
    """
    if consolidated:
        shares = need_consolidated_communes(need)
    else:
        shares = dict(need.commune_links.values_list("commune_id", "fraction"))
    return territory_match(
        user=user,
        shares=shares,
        theme=need.theme,
        resolution_m=need.resolution_m,
        older_than=older_than,
    )


def territory_match(
    *,
    user,
    shares: dict[str, float],
    theme: str,
    resolution_m: float | None = None,
    older_than: int | None = None,
) -> NeedMatch:
    """What the catalogue holds for ``theme`` on a territory given as INSEE code →
    share of the commune inside it (a need's, a funding request's…)."""
    communes = {
        row[0]: row
        for row in Commune.objects.filter(insee__in=list(shares)).values_list(
            "insee", "name", "area_km2"
        )
    }
    areas = {insee: row[2] or 0.0 for insee, row in communes.items()}
    total_km2 = sum(areas[insee] * share for insee, share in shares.items())
    referentiel = Theme(theme).referentiel

    fractions: dict[str, dict[int, float]] = defaultdict(dict)
    datasets: dict[int, dict] = {}
    if referentiel is not None and shares:
        visible = datasets_published_to(user).filter(referentiel=referentiel)
        for insee, dataset_id, fraction in CommuneCoverage.objects.filter(
            commune_id__in=list(shares), dataset__in=visible.values("pk")
        ).values_list("commune_id", "dataset_id", "fraction"):
            fractions[insee][dataset_id] = fraction
        ids = {d for by_dataset in fractions.values() for d in by_dataset}
        datasets = {
            row["pk"]: row
            for row in visible.filter(pk__in=ids).values(*_DATASET_FIELDS)
        }

    dataset_km2: dict[int, float] = defaultdict(float)
    dataset_communes: dict[int, int] = defaultdict(int)
    for insee, by_dataset in fractions.items():
        for dataset_id, fraction in by_dataset.items():
            dataset_km2[dataset_id] += areas.get(insee, 0.0) * min(
                shares[insee], fraction
            )
            dataset_communes[dataset_id] += 1

    def as_match(dataset_id: int) -> DatasetMatch:
        row = datasets[dataset_id]
        return DatasetMatch(
            dataset_id=dataset_id,
            title=row["title"],
            year=row["year"],
            resolution_m=row["resolution_m"],
            producer_name=row["producer_name"],
            area_share=min(1.0, dataset_km2[dataset_id] / total_km2)
            if total_km2
            else 0.0,
            communes=dataset_communes[dataset_id],
            fine_enough=_fine_enough(row["resolution_m"], resolution_m),
        )

    matches = {dataset_id: as_match(dataset_id) for dataset_id in datasets}
    min_share = min_share_setting()
    this_year = timezone.localdate().year
    commune_matches = []
    for insee in sorted(shares):
        entries = [
            CoveringDataset(datasets[dataset_id], fraction)
            for dataset_id, fraction in fractions.get(insee, {}).items()
        ]
        best = best_of(entries, min_share)
        if best is None:
            status = Status.GAP
        elif older_than is not None and (
            not best.dataset["year"] or this_year - best.dataset["year"] > older_than
        ):
            status = Status.OUTDATED
        else:
            status = Status.COVERED
        row = communes.get(insee)
        commune_matches.append(
            CommuneMatch(
                insee=insee,
                name=row[1] if row else "",
                need_share=shares[insee],
                best=matches[best.dataset["pk"]] if best else None,
                status=status,
            )
        )

    covered_share = (
        min(1.0, _covered_km2(shares, areas, fractions) / total_km2)
        if total_km2 and referentiel is not None
        else 0.0
    )
    ordered = sorted(
        matches.values(),
        key=lambda match: (-match.area_share, -(match.year or 0), match.dataset_id),
    )
    return NeedMatch(
        referentiel=referentiel.value if referentiel is not None else None,
        area_km2=total_km2,
        covered_share=covered_share,
        gap_share=1.0 - covered_share,
        datasets=ordered,
        communes=commune_matches,
    )


#: Up to this many communes, ``needs_gap_shares`` filters the coverage by commune in
#: SQL (a need over the whole region lists 4,453).
_COMMUNES_IN_SQL = 500


def needs_gap_shares(*, user, needs: list[Need]) -> dict[int, float]:
    """``gap_share`` of many needs' consolidated territories in a few queries (for
    the score of a whole list): the communes (two queries), their areas (one), and
    the coverage of every référentiel concerned by the visible datasets (one)."""
    needs = list(needs)
    if not needs:
        return {}
    shares = needs_consolidated_communes([need.pk for need in needs])
    codes = {insee for by_commune in shares.values() for insee in by_commune}
    areas = {
        insee: area or 0.0
        for insee, area in Commune.objects.filter(insee__in=list(codes)).values_list(
            "insee", "area_km2"
        )
    }
    referentiels = {need.pk: Theme(need.theme).referentiel for need in needs}
    wanted = {r.value for r in referentiels.values() if r is not None}
    # referentiel → commune → {0: best fraction}
    fractions: dict[str, dict[str, dict[int, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    if wanted and codes:
        visible = datasets_published_to(user).filter(referentiel__in=wanted)
        # Only the best fraction per commune and référentiel counts
        # (``_covered_km2``): the database keeps one row of each.
        coverage = CommuneCoverage.objects.filter(dataset__in=visible.values("pk"))
        if len(codes) <= _COMMUNES_IN_SQL:
            coverage = coverage.filter(commune_id__in=list(codes))
        # else a list of thousands of codes costs the database more than it saves:
        # the communes are picked below.
        best = (
            coverage.values_list("commune_id", "dataset__referentiel")
            .annotate(best=Max("fraction"))
            .order_by()
        )
        for insee, referentiel, fraction in best:
            if insee in codes:
                fractions[referentiel][insee][0] = fraction
    gaps = {}
    for need in needs:
        referentiel = referentiels[need.pk]
        need_shares = shares[need.pk]
        total = sum(areas.get(insee, 0.0) * s for insee, s in need_shares.items())
        if referentiel is None or not total:
            gaps[need.pk] = 1.0
            continue
        covered = _covered_km2(need_shares, areas, fractions[referentiel.value])
        gaps[need.pk] = 1.0 - min(1.0, covered / total)
    return gaps
