"""Borda count and Schulze method against worked examples (pure, no database)."""

import json

import pytest

from crig.needs import ranking

# The Schulze method's example on Wikipedia (45 voters, 5 candidates).
WIKIPEDIA = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def ballots_of(spec):
    return [list(order) for count, order in spec for _ in range(count)]


def test_schulze_wikipedia_example():
    # Given the 45 ballots of the example
    ballots = ballots_of(WIKIPEDIA)

    # When aggregated by the Schulze method
    result = ranking.schulze(ballots, list("ABCDE"))

    # Then the matrices and the order are those of the example: E > A > C > B > D
    assert result.pairwise == [
        [0, 20, 26, 30, 22],
        [25, 0, 16, 33, 18],
        [19, 29, 0, 17, 24],
        [15, 12, 28, 0, 14],
        [23, 27, 21, 31, 0],
    ]
    assert result.strongest == [
        [0, 28, 28, 30, 24],
        [25, 0, 28, 33, 24],
        [25, 29, 0, 29, 24],
        [25, 28, 28, 0, 24],
        [25, 28, 28, 31, 0],
    ]
    assert result.tiers == [["E"], ["A"], ["C"], ["B"], ["D"]]


def test_borda_wikipedia_example():
    result = ranking.borda(ballots_of(WIKIPEDIA), list("ABCDE"))
    # 4 points for a first place … 0 for a last
    assert result.points == {"A": 98, "B": 92, "C": 89, "D": 69, "E": 102}
    assert result.tiers == [["E"], ["A"], ["B"], ["C"], ["D"]]


def test_condorcet_cycle_is_a_three_way_tie_for_schulze():
    # Rock beats scissors, scissors beat paper, paper beats rock, 2 to 1 each
    ballots = [["R", "S", "P"], ["S", "P", "R"], ["P", "R", "S"]]

    result = ranking.schulze(ballots, ["R", "P", "S"])

    assert result.pairwise == [[0, 1, 2], [2, 0, 1], [1, 2, 0]]
    assert result.strongest == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    assert result.tiers == [["R", "P", "S"]]
    assert ranking.borda(ballots, ["R", "P", "S"]).tiers == [["R", "P", "S"]]


def test_borda_tie_between_two_of_three():
    # A first twice (2 + 2 points); B and C swap places (1 + 0 and 0 + 1)
    ballots = [["A", "B", "C"], ["A", "C", "B"]]
    result = ranking.borda(ballots, ["A", "B", "C"])
    assert result.points == {"A": 4, "B": 1, "C": 1}
    assert result.tiers == [["A"], ["B", "C"]]


def test_single_ballot_is_its_own_order():
    ballot = ["C", "A", "B"]
    assert ranking.borda([ballot], ["A", "B", "C"]).tiers == [["C"], ["A"], ["B"]]
    result = ranking.schulze([ballot], ["A", "B", "C"])
    assert result.tiers == [["C"], ["A"], ["B"]]
    assert result.pairwise == [[0, 1, 0], [0, 0, 0], [1, 1, 0]]


def test_two_items_split_evenly_are_tied_in_both_methods():
    ballots = [[1, 2], [2, 1]]
    assert ranking.borda(ballots, [1, 2]).tiers == [[1, 2]]
    schulze = ranking.schulze(ballots, [1, 2])
    assert schulze.pairwise == [[0, 1], [1, 0]]
    assert schulze.strongest == [[0, 0], [0, 0]]
    assert schulze.tiers == [[1, 2]]


def test_two_items_with_a_majority():
    ballots = [[1, 2], [2, 1], [2, 1]]
    assert ranking.schulze(ballots, [1, 2]).tiers == [[2], [1]]
    assert ranking.borda(ballots, [1, 2]).points == {1: 1, 2: 2}


@pytest.mark.parametrize(
    ("ballot", "problem", "items"),
    [
        ([1, 2], "missing", [3]),
        ([1, 2, 2], "repeated", [2]),
        ([1, 2, 3, 1], "repeated", [1]),
        ([1, 2, 3, 9], "unknown", [9]),
        ([], "missing", [1, 2, 3]),
    ],
)
def test_ballots_that_are_not_complete_strict_rankings(ballot, problem, items):
    with pytest.raises(ranking.BallotInvalid) as raised:
        ranking.borda([ballot], [1, 2, 3])
    assert (raised.value.problem, raised.value.items) == (problem, items)
    with pytest.raises(ranking.BallotInvalid):
        ranking.schulze([ballot], [1, 2, 3])


def test_round_outcome_wikipedia_is_json_with_notes():
    outcome = ranking.round_outcome(ballots_of(WIKIPEDIA), list("ABCDE"))

    assert json.loads(json.dumps(outcome)) == outcome
    assert outcome["items"] == list("ABCDE")
    assert outcome["ballots"] == 45
    assert outcome["borda"]["points"] == [98, 92, 89, 69, 102]
    assert outcome["borda"]["tiers"] == [["E"], ["A"], ["B"], ["C"], ["D"]]
    assert outcome["schulze"]["tiers"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    # No candidate beats all the others head to head in this example
    assert outcome["notes"] == [
        {"code": "condorcet_cycle", "items": []},
        {"code": "methods_differ", "items": []},
    ]


def test_round_outcome_cycle_lists_the_tie_by_borda_points_then_shortlist():
    ballots = [[3, 1, 2], [1, 2, 3], [2, 3, 1], [3, 1, 2]]
    # Borda: 1 → 1+2+0+1 = 4, 2 → 0+1+2+0 = 3, 3 → 2+0+1+2 = 5
    outcome = ranking.round_outcome(ballots, [1, 2, 3])
    assert outcome["borda"]["points"] == [4, 3, 5]
    assert outcome["borda"]["tiers"] == [[3], [1], [2]]
    # 3 beats 1 (3–1), 1 beats 2 (3–1), 2 against 3 is 2–2: 3 is above both
    assert outcome["schulze"]["pairwise"] == [[0, 3, 1], [1, 0, 2], [3, 2, 0]]
    assert outcome["schulze"]["tiers"] == [[3], [1], [2]]
    assert outcome["notes"] == [
        {"code": "condorcet_cycle", "items": []},
        {"code": "methods_agree", "items": []},
    ]


def test_round_outcome_notes_ties_and_a_condorcet_winner():
    ballots = [[1, 2, 3], [1, 3, 2]]
    outcome = ranking.round_outcome(ballots, [1, 2, 3])
    assert outcome["schulze"]["tiers"] == [[1], [2, 3]]
    assert outcome["notes"] == [
        {"code": "condorcet_winner", "items": [1]},
        {"code": "schulze_tie", "items": [2, 3]},
        {"code": "borda_tie", "items": [2, 3]},
        {"code": "methods_agree", "items": []},
    ]


def test_round_outcome_without_ballots_ties_everything():
    outcome = ranking.round_outcome([], [1, 2])
    assert outcome["borda"]["tiers"] == [[1, 2]]
    assert outcome["schulze"]["tiers"] == [[1, 2]]
    assert outcome["notes"] == [
        {"code": "no_ballots", "items": []},
        {"code": "methods_agree", "items": []},
    ]


def test_schulze_tie_listed_by_borda_points():
    # 1 against 2 is 1–1 and no path places one above the other: they share the
    # first position; 2 has more Borda points (3 against 2), so it is listed first
    ballots = [[1, 2, 3], [2, 3, 1]]
    outcome = ranking.round_outcome(ballots, [1, 2, 3])
    assert outcome["borda"]["points"] == [2, 3, 1]
    assert outcome["schulze"]["pairwise"] == [[0, 1, 1], [1, 0, 2], [1, 0, 0]]
    assert outcome["schulze"]["tiers"] == [[2, 1], [3]]
    assert outcome["borda"]["tiers"] == [[2], [1], [3]]
    assert {"code": "schulze_tie", "items": [2, 1]} in outcome["notes"]
    assert outcome["notes"][-1] == {"code": "methods_differ", "items": []}
