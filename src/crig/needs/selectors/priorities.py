"""Scores and round results for pages and API. CONTRACT (signatures fixed; bodies
by the prioritisation work; the pure arithmetic is in ``crig.needs.scoring`` and
``crig.needs.ranking``)."""

from dataclasses import dataclass

from crig.needs.models import Need, Round, ScoringWeights


def weights_current() -> ScoringWeights:
    """The latest published weights, or an unsaved instance with the defaults."""
    raise NotImplementedError


@dataclass(frozen=True)
class CriterionScore:
    name: str  # ScoringWeights.CRITERIA item
    label: str  # translated
    raw: float | None  # the need's figure (e.g. 3 organisations, 120,000 people)
    raw_display: str  # the figure for a person, translated, with its unit
    normalised: float  # 0–1, as documented in crig.needs.scoring
    weight: int
    points: float  # normalised × weight


@dataclass(frozen=True)
class NeedScore:
    need: Need
    total: float  # Σ points / Σ weights × 100, on 0–100
    criteria: list[CriterionScore]
    rank: int  # 1 = highest among the needs scored together


def needs_scored(*, user, needs: list[Need] | None = None) -> list[NeedScore]:
    """Scores of the given needs (default: every visible need open to
    prioritisation: new, qualified, retained), best first. Normalisation is
    relative to the set scored (see crig.needs.scoring)."""
    raise NotImplementedError


def need_score(*, user, need: Need) -> NeedScore:
    """The need's score among all needs open to prioritisation."""
    raise NotImplementedError


def rounds_visible_to(user):
    raise NotImplementedError


def round_get(*, user, pk: int) -> Round:
    raise NotImplementedError


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    ballots: int
    eligible_organisations: int
    own_ballot: object | None  # the person's organisation's ballot, if any


def round_status(*, user, round_: Round) -> RoundStatus:
    raise NotImplementedError


@dataclass(frozen=True)
class RankedNeed:
    need: Need
    position: int  # 1-based; equal positions are ties
    tied: bool
    borda_points: int  # total Borda points (also shown in the Schulze list)


@dataclass(frozen=True)
class RoundResult:
    round: Round
    ballots: int
    needs: list[Need]  # the shortlist, in the order of the matrices below
    borda: list[RankedNeed]
    schulze: list[RankedNeed]
    pairwise: list[list[int]]  # pairwise[i][j]: ballots ranking needs[i] above needs[j]
    strongest: list[list[int]]  # Schulze strongest path strengths, same order
    notes: list[str]  # translated: how ties were handled, whether methods agree


def round_result(*, user, round_: Round) -> RoundResult | None:
    """The published result of a closed round (None before it closes)."""
    raise NotImplementedError
