"""Reads of the computed commune coverage, for the coverage pages, the API, the
exports and the search filters.

Everything starts from ``datasets_published_to(user)``: a restricted record never
counts, even as a mere "covered", for someone who may not see it.

**Best dataset.** For a référentiel and a commune, the best dataset is the most
recent one (by ``year``, then ``revised_on``; then the larger fraction, then the
newer record) among those covering at least ``min_share`` of the commune
(``CATALOG_COVERAGE_MIN_SHARE``, 95 % by default). A commune without one is a
*gap*; with ``older_than=N``, a commune whose best dataset is more than N years old
(``today.year - year > N``, or of unknown year) is *outdated*.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.catalog.models import CommuneCoverage, Dataset, Referentiel
from crig.catalog.selectors.visibility import datasets_published_to
from crig.core.errors import InvalidInput, NotFound
from crig.territory.models import EPCI, Commune, Departement

_DATASET_FIELDS = (
    "pk",
    "title",
    "year",
    "revised_on",
    "resolution_m",
    "scale_denominator",
    "referentiel",
    "producer_name",
)


class Status:
    COVERED = "covered"
    OUTDATED = "outdated"
    GAP = "gap"


def min_share_setting() -> float:
    return float(settings.CATALOG_COVERAGE_MIN_SHARE)


def checked_min_share(min_share: float | None) -> float:
    """The share asked for, or the setting; ``InvalidInput`` outside (0, 1]."""
    if min_share is None:
        return min_share_setting()
    if not 0 < min_share <= 1:
        raise InvalidInput(
            _("The minimum share must be above 0 and at most 1."), field="min_share"
        )
    return float(min_share)


def checked_referentiel(referentiel: str) -> Referentiel:
    try:
        return Referentiel(referentiel)
    except ValueError:
        raise NotFound(_("No such reference data family.")) from None


# --- Filters for other modules ---------------------------------------------------


def datasets_covering(
    queryset: QuerySet[Dataset], *, communes: Iterable[str], min_fraction: float = 0.0
) -> QuerySet[Dataset]:
    """The datasets of ``queryset`` covering more than ``min_fraction`` (at least
    it, when positive) of one of the communes: INSEE codes, or a subquery of them
    (kept in SQL, where the (commune, fraction, dataset) index answers it)."""
    if not isinstance(communes, QuerySet):
        communes = list(communes)
    rows = CommuneCoverage.objects.filter(commune_id__in=communes)
    if min_fraction > 0:
        rows = rows.filter(fraction__gte=min_fraction)
    return queryset.filter(pk__in=rows.values("dataset_id"))


def commune_ids_covered(dataset_id: int, *, min_fraction: float = 0.0) -> list[str]:
    """INSEE codes of the communes a dataset covers (sorted)."""
    rows = CommuneCoverage.objects.filter(dataset_id=dataset_id)
    if min_fraction > 0:
        rows = rows.filter(fraction__gte=min_fraction)
    return sorted(rows.values_list("commune_id", flat=True))


# --- What covers one commune -------------------------------------------------------


@dataclass(frozen=True)
class CoveringDataset:
    """A dataset (as a dict of ``_DATASET_FIELDS``) and the share of a commune it
    covers."""

    dataset: dict
    fraction: float

    @property
    def recency(self) -> tuple:
        return (
            self.dataset["year"] or 0,
            self.dataset["revised_on"] or datetime.date.min,
            self.fraction,
            self.dataset["pk"],
        )


def best_of(
    entries: Iterable[CoveringDataset], min_share: float
) -> CoveringDataset | None:
    eligible = [entry for entry in entries if entry.fraction >= min_share]
    return max(eligible, key=lambda entry: entry.recency) if eligible else None


@dataclass(frozen=True)
class ThemeCoverage:
    referentiel: str
    label: str
    datasets: list[CoveringDataset]
    best: CoveringDataset | None


@dataclass(frozen=True)
class CommuneCoverageSummary:
    commune: Commune
    min_share: float
    themes: list[ThemeCoverage]


def commune_coverage(
    *, user, insee: str, min_share: float | None = None
) -> CommuneCoverageSummary:
    """The datasets ``user`` may see covering a commune, grouped by référentiel
    (datasets of none last), each group most recent first, with its best one."""
    min_share = checked_min_share(min_share)
    commune = Commune.objects.defer("outline").filter(insee=insee).first()
    if commune is None:
        raise NotFound(_("No such commune."))
    rows = CommuneCoverage.objects.filter(
        commune=commune,
        dataset__in=datasets_published_to(user).values("pk"),
    ).values_list("dataset_id", "fraction")
    fractions = dict(rows)
    datasets = Dataset.objects.filter(pk__in=list(fractions)).values(*_DATASET_FIELDS)
    groups: dict[str, list[CoveringDataset]] = defaultdict(list)
    for dataset in datasets:
        groups[dataset["referentiel"]].append(
            CoveringDataset(dataset, fractions[dataset["pk"]])
        )
    themes = []
    for code, label in [*Referentiel.choices, ("", _("Other datasets"))]:
        entries = sorted(
            groups.get(code, []), key=lambda entry: entry.recency, reverse=True
        )
        if entries:
            themes.append(
                ThemeCoverage(
                    referentiel=code,
                    label=str(label),
                    datasets=entries,
                    best=best_of(entries, min_share),
                )
            )
    return CommuneCoverageSummary(commune=commune, min_share=min_share, themes=themes)


# --- One référentiel over the region -----------------------------------------------


#: The columns of ``CommuneStatus.commune`` (and ``outline`` when asked for).
COMMUNE_FIELDS = ("insee", "name", "departement", "epci")


@dataclass(frozen=True)
class CommuneStatus:
    commune: Commune  # with COMMUNE_FIELDS only
    best: CoveringDataset | None
    status: str


@dataclass(frozen=True)
class ReferentielCoverage:
    referentiel: Referentiel
    min_share: float
    older_than: int | None
    rows: list[CommuneStatus]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def commune_count(self) -> int:
        return len(self.rows)

    @property
    def covered_share(self) -> float:
        if not self.rows:
            return 0.0
        return (self.commune_count - self.counts.get(Status.GAP, 0)) / len(self.rows)

    @property
    def median_year(self) -> float | None:
        years = [
            row.best.dataset["year"]
            for row in self.rows
            if row.best is not None and row.best.dataset["year"]
        ]
        return statistics.median(years) if years else None


def _communes(departement: str | None, epci: str | None) -> QuerySet[Commune]:
    communes = Commune.objects.order_by("insee")
    if departement:
        if not Departement.objects.filter(code=departement).exists():
            raise NotFound(_("No such département."))
        communes = communes.filter(departement_id=departement)
    if epci:
        if not EPCI.objects.filter(siren=epci).exists():
            raise NotFound(_("No such EPCI."))
        communes = communes.filter(epci_id=epci)
    return communes


def _best_per_commune(
    *,
    user,
    referentiel: Referentiel,
    min_share: float,
    departement: str | None = None,
    epci: str | None = None,
) -> tuple[dict[int, dict], dict[str, CoveringDataset]]:
    """The datasets of a référentiel ``user`` may see (by id), and the best of them
    for each commune that has one (by INSEE code)."""
    visible = datasets_published_to(user).filter(referentiel=referentiel)
    datasets = {row["pk"]: row for row in visible.values(*_DATASET_FIELDS)}
    rows = CommuneCoverage.objects.filter(
        dataset__in=visible.values("pk"), fraction__gte=min_share
    )
    if departement:
        rows = rows.filter(commune__departement_id=departement)
    if epci:
        rows = rows.filter(commune__epci_id=epci)
    best: dict[str, CoveringDataset] = {}
    for insee, dataset_id, fraction in rows.values_list(
        "commune_id", "dataset_id", "fraction"
    ):
        entry = CoveringDataset(datasets[dataset_id], fraction)
        current = best.get(insee)
        if current is None or entry.recency > current.recency:
            best[insee] = entry
    return datasets, best


def referentiel_coverage(
    *,
    user,
    referentiel: str,
    min_share: float | None = None,
    departement: str | None = None,
    epci: str | None = None,
    older_than: int | None = None,
    gaps_only: bool = False,
    with_outlines: bool = False,
    today: datetime.date | None = None,
) -> ReferentielCoverage:
    """Per commune (by INSEE code), the best dataset of a référentiel that
    ``user`` may see and the commune's status: covered, outdated or gap.

    ``gaps_only`` keeps the gaps and the outdated communes; ``with_outlines``
    loads the outlines (for GeoJSON).
    """
    referentiel = checked_referentiel(referentiel)
    min_share = checked_min_share(min_share)
    if older_than is not None and older_than < 0:
        raise InvalidInput(
            _("The number of years must be zero or more."), field="older_than"
        )
    today = today or timezone.localdate()
    # What the pages, the API and the exports show of a commune: loading its
    # other columns for 4,453 communes cost a tenth of a second.
    communes = _communes(departement, epci).only(
        *COMMUNE_FIELDS, *(["outline"] if with_outlines else [])
    )
    _datasets, best = _best_per_commune(
        user=user,
        referentiel=referentiel,
        min_share=min_share,
        departement=departement,
        epci=epci,
    )
    statuses = []
    counts = {Status.COVERED: 0, Status.OUTDATED: 0, Status.GAP: 0}
    for commune in communes:
        entry = best.get(commune.insee)
        status = _status(entry, older_than, today)
        counts[status] += 1
        if gaps_only and status == Status.COVERED:
            continue
        statuses.append(CommuneStatus(commune, entry, status))
    return ReferentielCoverage(
        referentiel=referentiel,
        min_share=min_share,
        older_than=older_than,
        rows=statuses,
        counts=counts,
    )


def _status(
    entry: CoveringDataset | None, older_than: int | None, today: datetime.date
) -> str:
    if entry is None:
        return Status.GAP
    if older_than is not None:
        year = entry.dataset["year"]
        if not year or today.year - year > older_than:
            return Status.OUTDATED
    return Status.COVERED


@dataclass(frozen=True)
class ReferentielSummary:
    referentiel: Referentiel
    dataset_count: int
    commune_count: int
    covered_count: int
    median_year: float | None

    @property
    def covered_share(self) -> float:
        return self.covered_count / self.commune_count if self.commune_count else 0.0


def coverage_summary(
    *, user, min_share: float | None = None
) -> list[ReferentielSummary]:
    """For each référentiel: how many datasets ``user`` may see, how many communes
    have a best dataset, and the median year of those best datasets."""
    min_share = checked_min_share(min_share)
    commune_count = Commune.objects.count()
    summaries = []
    for referentiel in Referentiel:
        # Only the best dataset of each covered commune matters here: a commune
        # without one is a gap. Building the 4,453 communes' statuses (as
        # referentiel_coverage does) cost about 0.4 s per référentiel.
        datasets, best = _best_per_commune(
            user=user, referentiel=referentiel, min_share=min_share
        )
        years = [
            entry.dataset["year"] for entry in best.values() if entry.dataset["year"]
        ]
        summaries.append(
            ReferentielSummary(
                referentiel=referentiel,
                dataset_count=len(datasets),
                commune_count=commune_count,
                covered_count=len(best),
                median_year=statistics.median(years) if years else None,
            )
        )
    return summaries
