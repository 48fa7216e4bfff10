"""The priority score, pure arithmetic: worked examples with exact figures."""

import datetime

import pytest

from crig.needs import scoring
from crig.needs.models import ScoringWeights

TODAY = datetime.date(2025, 3, 1)
DEFAULT_WEIGHTS = {
    "supporters": 3,
    "population": 2,
    "area": 1,
    "coverage_gap": 3,
    "urgency": 1,
    "cofunding": 2,
    "plan_fit": 2,
}


def figures(key, **overrides):
    values = {
        "organisations": 1,
        "population": 0,
        "area_km2": 0.0,
        "coverage_gap": 0.0,
        "horizon": None,
        "cofunding_eur": 0,
        "plan_fit": "unknown",
    }
    values.update(overrides)
    return scoring.NeedFigures(key=key, **values)


def test_criteria_are_those_of_the_weights_model():
    assert scoring.CRITERIA == ScoringWeights.CRITERIA
    assert ScoringWeights().as_dict() == DEFAULT_WEIGHTS


def test_worked_example_two_needs_with_the_default_weights():
    # Given a large, supported, urgent need and a small one
    big = figures(
        1,
        organisations=4,
        population=999_999,
        area_km2=99.0,
        coverage_gap=1.0,
        horizon=TODAY + datetime.timedelta(days=100),
        cofunding_eur=20_000,
        plan_fit="full",
    )
    small = figures(
        2,
        organisations=1,
        population=999,
        area_km2=9.0,
        coverage_gap=0.25,
        horizon=None,
        cofunding_eur=5_000,
        plan_fit="partial",
    )

    # When they are scored together
    scores = scoring.score_needs([small, big], DEFAULT_WEIGHTS, today=TODAY)

    # Then the big one has every share at 1, hence 100
    assert [s.key for s in scores] == [1, 2]
    assert scores[0].total == pytest.approx(100.0)
    assert scores[0].rank == 1
    # and the small one: 1/4 of the organisations, log10(1000)/log10(10^6) = 0.5
    # of the population, log10(10)/log10(100) = 0.5 of the area, a quarter not
    # covered, no horizon (0.5), 5,000/20,000 of the co-funding, partial fit (0.5)
    shares = {c.name: c.normalised for c in scores[1].criteria}
    assert shares == pytest.approx(
        {
            "supporters": 0.25,
            "population": 0.5,
            "area": 0.5,
            "coverage_gap": 0.25,
            "urgency": 0.5,
            "cofunding": 0.25,
            "plan_fit": 0.5,
        }
    )
    points = {c.name: c.points for c in scores[1].criteria}
    assert points == pytest.approx(
        {
            "supporters": 0.75,
            "population": 1.0,
            "area": 0.5,
            "coverage_gap": 0.75,
            "urgency": 0.5,
            "cofunding": 0.5,
            "plan_fit": 1.0,
        }
    )
    # Σ points = 5 over Σ weights = 14
    assert scores[1].total == pytest.approx(500 / 14)
    assert scores[1].rank == 2


def test_raw_figures_are_kept_with_each_criterion():
    need = figures(
        7,
        organisations=3,
        population=1200,
        area_km2=12.5,
        coverage_gap=0.4,
        horizon=TODAY + datetime.timedelta(days=400),
        cofunding_eur=1500,
        plan_fit="none",
    )
    [score] = scoring.score_needs([need], DEFAULT_WEIGHTS, today=TODAY)
    raw = {c.name: c.raw for c in score.criteria}
    assert raw == {
        "supporters": 3,
        "population": 1200,
        "area": 12.5,
        "coverage_gap": 0.4,
        "urgency": 400,
        "cofunding": 1500,
        "plan_fit": None,
    }
    assert [c.weight for c in score.criteria] == list(DEFAULT_WEIGHTS.values())


def test_a_single_weight_makes_the_score_that_criterion_in_percent():
    weights = dict.fromkeys(scoring.CRITERIA, 0) | {"coverage_gap": 5}
    scores = scoring.score_needs(
        [figures(1, coverage_gap=0.8), figures(2, coverage_gap=0.3)],
        weights,
        today=TODAY,
    )
    assert [(s.key, round(s.total, 9)) for s in scores] == [(1, 80.0), (2, 30.0)]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-30, 1.0),  # horizon passed: as urgent as can be
        (0, 1.0),
        (183, 1.0),  # six months
        (639, 0.5),  # half-way between six months and three years
        (1095, 0.0),  # three years
        (2000, 0.0),
    ],
)
def test_urgency_from_the_horizon(days, expected):
    horizon = TODAY + datetime.timedelta(days=days)
    assert scoring.urgency_share(horizon, today=TODAY) == (days, expected)


def test_no_horizon_is_half_urgent():
    assert scoring.urgency_share(None, today=TODAY) == (None, 0.5)


def test_cofunding_counts_the_lower_bound_or_the_upper_one_alone():
    offered = scoring.cofunding_offered([(1000, 5000), (None, 2000), (None, None)])
    assert offered == 3000


@pytest.mark.parametrize(
    ("plan_fit", "share"),
    [("full", 1.0), ("partial", 0.5), ("unknown", 0.5), ("none", 0.0)],
)
def test_plan_fit_shares(plan_fit, share):
    weights = dict.fromkeys(scoring.CRITERIA, 0) | {"plan_fit": 1}
    [score] = scoring.score_needs([figures(1, plan_fit=plan_fit)], weights, today=TODAY)
    assert score.total == share * 100


def test_shares_relative_to_the_set_are_zero_when_every_figure_is_zero():
    weights = dict.fromkeys(scoring.CRITERIA, 1)
    [a, b] = scoring.score_needs(
        [figures(1, population=0), figures(2, population=0)], weights, today=TODAY
    )
    population = [c for c in a.criteria if c.name == "population"][0]
    assert population.normalised == 0.0
    assert a.total == b.total


def test_equal_totals_share_a_rank():
    weights = dict.fromkeys(scoring.CRITERIA, 0) | {"coverage_gap": 1}
    scores = scoring.score_needs(
        [
            figures(1, coverage_gap=0.9),
            figures(2, coverage_gap=0.5),
            figures(3, coverage_gap=0.5),
            figures(4, coverage_gap=0.1),
        ],
        weights,
        today=TODAY,
    )
    assert [(s.key, s.rank) for s in scores] == [(1, 1), (2, 2), (3, 2), (4, 4)]


def test_every_weight_zero_scores_zero():
    weights = dict.fromkeys(scoring.CRITERIA, 0)
    [score] = scoring.score_needs([figures(1, coverage_gap=1.0)], weights, today=TODAY)
    assert score.total == 0.0


def test_nothing_to_score():
    assert scoring.score_needs([], DEFAULT_WEIGHTS, today=TODAY) == []
