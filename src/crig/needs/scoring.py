"""The priority score of needs: plain arithmetic, no Django, explained in
``docs/architecture/needs-prioritisation.md``.

Each criterion turns one figure of a need into a share between 0 and 1; the
score is the weighted mean of those shares, on 0–100::

    total = Σ (share × weight) / Σ weights × 100

The shares, each readable in one sentence:

- ``supporters``: organisations behind the need (the one expressing it and
  each supporter) divided by the largest such number among the needs scored.
- ``population``: log10(1 + people concerned) divided by log10(1 + the largest
  population among the needs scored); a logarithmic scale, so that a need over
  a city does not crush every need over a rural area (ten times more people
  adds the same step).
- ``area``: the same logarithmic share for the area concerned in km².
- ``coverage_gap``: the share of the area the catalogue does not cover for the
  theme (already between 0 and 1).
- ``urgency``: 1 when the horizon is six months away or less (or past), 0 when
  it is three years away or more, a straight line in between; 0.5 without a
  horizon.
- ``cofunding``: the co-funding offered by the need and its supports (each
  range counts for its lower bound, or its upper bound when only that is
  given) divided by the largest such amount among the needs scored.
- ``plan_fit``: 1 within the current plan, 0.5 partly within it or not yet
  assessed, 0 outside it.

Shares relative to the set scored (supporters, population, area, co-funding)
mean that a need's score depends on the others it is compared with: the
largest figure of the set gets the full share.
"""

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CRITERIA = (
    "supporters",
    "population",
    "area",
    "coverage_gap",
    "urgency",
    "cofunding",
    "plan_fit",
)

#: Horizon (days from today) at or below which a need is fully urgent.
URGENT_WITHIN_DAYS = 183  # six months
#: Horizon (days from today) at or beyond which a need has no urgency.
NOT_URGENT_FROM_DAYS = 3 * 365  # three years
#: Share of urgency of a need without a horizon: neither urgent nor not.
UNKNOWN_URGENCY = 0.5

PLAN_FIT_SHARES = {"full": 1.0, "partial": 0.5, "unknown": 0.5, "none": 0.0}


@dataclass(frozen=True)
class NeedFigures:
    """What the score reads of one need (its consolidated territory, its supports)."""

    key: int  # the need's id, or anything identifying it
    organisations: int  # the expressing organisation + supporting ones
    population: int
    area_km2: float
    coverage_gap: float  # 0–1
    horizon: datetime.date | None
    cofunding_eur: int  # see ``cofunding_offered``
    plan_fit: str  # Need.PlanFit value


@dataclass(frozen=True)
class CriterionShare:
    name: str
    raw: float | None  # the figure the share comes from (days to the horizon…)
    normalised: float  # 0–1
    weight: int
    points: float  # normalised × weight


@dataclass(frozen=True)
class Score:
    key: int
    total: float  # 0–100
    criteria: list[CriterionShare]
    rank: int  # 1 = best; equal totals share a rank (1, 2, 2, 4)


def cofunding_offered(ranges: Iterable[tuple[int | None, int | None]]) -> int:
    """Σ of the amounts offered: the lower bound of each (min, max) range, which
    is what is surely offered, or the upper bound when only that is given."""
    total = 0
    for low, high in ranges:
        if low is not None:
            total += low
        elif high is not None:
            total += high
    return total


def urgency_share(
    horizon: datetime.date | None, *, today: datetime.date
) -> tuple[int | None, float]:
    """(days from today to the horizon, urgency share 0–1)."""
    if horizon is None:
        return None, UNKNOWN_URGENCY
    days = (horizon - today).days
    if days <= URGENT_WITHIN_DAYS:
        return days, 1.0
    if days >= NOT_URGENT_FROM_DAYS:
        return days, 0.0
    span = NOT_URGENT_FROM_DAYS - URGENT_WITHIN_DAYS
    return days, (NOT_URGENT_FROM_DAYS - days) / span


def linear_share(value: float, largest: float) -> float:
    """value / largest, 0 when the largest is 0."""
    if largest <= 0:
        return 0.0
    return max(0.0, min(1.0, value / largest))


def log_share(value: float, largest: float) -> float:
    """log10(1 + value) / log10(1 + largest), 0 when the largest is 0."""
    if largest <= 0:
        return 0.0
    return max(0.0, min(1.0, math.log10(1 + max(value, 0)) / math.log10(1 + largest)))


def score_total(shares: Mapping[str, float], weights: Mapping[str, int]) -> float:
    """Σ share × weight / Σ weights × 100 (0 when every weight is 0)."""
    weight_sum = sum(weights[name] for name in CRITERIA)
    if weight_sum <= 0:
        return 0.0
    points = sum(shares[name] * weights[name] for name in CRITERIA)
    return points / weight_sum * 100


def score_needs(
    figures: list[NeedFigures], weights: Mapping[str, int], *, today: datetime.date
) -> list[Score]:
    """Scores of the needs, best first (equal totals: in the order given)."""
    if not figures:
        return []
    most_organisations = max(f.organisations for f in figures)
    most_people = max(f.population for f in figures)
    largest_area = max(f.area_km2 for f in figures)
    most_cofunding = max(f.cofunding_eur for f in figures)

    scores = []
    for need in figures:
        days, urgency = urgency_share(need.horizon, today=today)
        raw_and_shares = {
            "supporters": (
                need.organisations,
                linear_share(need.organisations, most_organisations),
            ),
            "population": (
                need.population,
                log_share(need.population, most_people),
            ),
            "area": (need.area_km2, log_share(need.area_km2, largest_area)),
            "coverage_gap": (
                need.coverage_gap,
                max(0.0, min(1.0, need.coverage_gap)),
            ),
            "urgency": (days, urgency),
            "cofunding": (
                need.cofunding_eur,
                linear_share(need.cofunding_eur, most_cofunding),
            ),
            "plan_fit": (None, PLAN_FIT_SHARES.get(need.plan_fit, 0.5)),
        }
        criteria = [
            CriterionShare(
                name=name,
                raw=raw_and_shares[name][0],
                normalised=raw_and_shares[name][1],
                weight=weights[name],
                points=raw_and_shares[name][1] * weights[name],
            )
            for name in CRITERIA
        ]
        total = score_total(
            {name: share for name, (_raw, share) in raw_and_shares.items()}, weights
        )
        scores.append((need.key, total, criteria))

    order = sorted(range(len(scores)), key=lambda i: -scores[i][1])
    ranked = []
    previous_total, previous_rank = None, 0
    for position, index in enumerate(order, start=1):
        key, total, criteria = scores[index]
        # Totals are compared rounded so that float noise does not split a tie.
        rounded = round(total, 9)
        rank = previous_rank if rounded == previous_total else position
        previous_total, previous_rank = rounded, rank
        ranked.append(Score(key=key, total=total, criteria=criteria, rank=rank))
    return ranked
