"""Aggregating ranked ballots: the Borda count and the Schulze method. Plain
Python, no Django; explained in ``docs/architecture/needs-prioritisation.md``.

A ballot is a complete strict ranking of the items (every item once, most
wanted first). Both methods return *tiers*: lists of items sharing a position,
best tier first.

- **Borda**: on each ballot the first item gets n − 1 points, the second n − 2…,
  the last 0; items are ordered by their total. Equal totals are a tie.
- **Schulze**: d[a][b] is the number of ballots ranking a above b. A path from a
  to b is a chain of items each beating the next in d (d[x][y] > d[y][x]); its
  strength is its weakest link d[x][y]; p[a][b] is the strength of the
  strongest path (0 when there is none), computed by the widest-path variant of
  Floyd–Warshall. a is placed above b when p[a][b] > p[b][a]; this relation is
  transitive, so the order is well defined. Items not placed above one another
  (p[a][b] == p[b][a]) share a tier.

No tie-break is applied: a tie is published as a tie (equal positions), since
breaking it by another rule would present an order the ballots do not contain.
Inside a tier the items are *listed* by Borda points then in the order of the
shortlist, for reading only. ``round_outcome`` gathers both methods and the
notes that say how ties were handled, as JSON for ``Round.result``.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

Item = Hashable


class BallotInvalid(ValueError):
    """A ballot that is not a complete strict ranking of the items.

    ``problem`` is ``"repeated"``, ``"missing"`` or ``"unknown"``; ``items``
    are the items concerned (in the order of the items, or of the ballot for
    unknown ones)."""

    def __init__(self, problem: str, items: list):
        super().__init__(f"{problem}: {items!r}")
        self.problem = problem
        self.items = items


def ballot_check(ballot: Sequence[Item], items: Sequence[Item]) -> None:
    """Raise ``BallotInvalid`` unless ``ballot`` ranks every item exactly once."""
    known = set(items)
    seen = set()
    repeated, unknown = [], []
    for item in ballot:
        if item not in known:
            if item not in unknown:
                unknown.append(item)
        elif item in seen:
            if item not in repeated:
                repeated.append(item)
        seen.add(item)
    if unknown:
        raise BallotInvalid("unknown", unknown)
    if repeated:
        raise BallotInvalid("repeated", [i for i in items if i in repeated])
    missing = [item for item in items if item not in seen]
    if missing:
        raise BallotInvalid("missing", missing)


@dataclass(frozen=True)
class BordaResult:
    points: dict  # item → total points
    tiers: list[list]


@dataclass(frozen=True)
class SchulzeResult:
    pairwise: list[list[int]]  # d[i][j], indexes in the order of the items
    strongest: list[list[int]]  # p[i][j]
    tiers: list[list]


def borda(ballots: Sequence[Sequence[Item]], items: Sequence[Item]) -> BordaResult:
    for ballot in ballots:
        ballot_check(ballot, items)
    n = len(items)
    points = dict.fromkeys(items, 0)
    for ballot in ballots:
        for position, item in enumerate(ballot):
            points[item] += n - 1 - position
    totals = sorted(set(points.values()), reverse=True)
    tiers = [[item for item in items if points[item] == total] for total in totals]
    return BordaResult(points=points, tiers=tiers)


def pairwise_matrix(
    ballots: Sequence[Sequence[Item]], items: Sequence[Item]
) -> list[list[int]]:
    """d[i][j]: the number of ballots ranking items[i] above items[j]."""
    index = {item: i for i, item in enumerate(items)}
    n = len(items)
    d = [[0] * n for _ in range(n)]
    for ballot in ballots:
        positions = [index[item] for item in ballot]
        for above, i in enumerate(positions):
            for j in positions[above + 1 :]:
                d[i][j] += 1
    return d


def strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """p[i][j]: the strength of the strongest path from i to j (widest path,
    Floyd–Warshall), 0 when i does not beat anyone on a path to j."""
    n = len(d)
    p = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j and d[i][j] > d[j][i]:
                p[i][j] = d[i][j]
    for k in range(n):
        for i in range(n):
            if i == k:
                continue
            for j in range(n):
                if j in (i, k):
                    continue
                p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def schulze(ballots: Sequence[Sequence[Item]], items: Sequence[Item]) -> SchulzeResult:
    for ballot in ballots:
        ballot_check(ballot, items)
    d = pairwise_matrix(ballots, items)
    p = strongest_paths(d)
    remaining = list(range(len(items)))
    tiers = []
    while remaining:
        # The items no remaining item is placed above form the next tier.
        tier = [i for i in remaining if not any(p[j][i] > p[i][j] for j in remaining)]
        tiers.append([items[i] for i in tier])
        remaining = [i for i in remaining if i not in tier]
    return SchulzeResult(pairwise=d, strongest=p, tiers=tiers)


def condorcet_winner(d: list[list[int]], items: Sequence[Item]):
    """The item preferred to every other by more ballots than the reverse, if any."""
    n = len(items)
    for i in range(n):
        if all(d[i][j] > d[j][i] for j in range(n) if j != i):
            return items[i]
    return None


def _listed(tiers: list[list], borda_points: dict, items: Sequence[Item]) -> list:
    order = {item: position for position, item in enumerate(items)}
    return [
        sorted(tier, key=lambda item: (-borda_points[item], order[item]))
        for tier in tiers
    ]


def round_outcome(ballots: Sequence[Sequence[Item]], items: Sequence[Item]) -> dict:
    """Both methods' results and the notes, JSON-serialisable (``Round.result``).

    ``items`` must be JSON-serialisable (need ids). Notes are codes with their
    items, translated when shown: ``no_ballots``, ``condorcet_winner``,
    ``condorcet_cycle``, ``schulze_tie``, ``borda_tie``, ``methods_agree``,
    ``methods_differ``.
    """
    items = list(items)
    borda_result = borda(ballots, items)
    schulze_result = schulze(ballots, items)
    borda_tiers = _listed(borda_result.tiers, borda_result.points, items)
    schulze_tiers = _listed(schulze_result.tiers, borda_result.points, items)

    notes = []
    if not ballots:
        notes.append({"code": "no_ballots", "items": []})
    else:
        winner = condorcet_winner(schulze_result.pairwise, items)
        if winner is not None:
            notes.append({"code": "condorcet_winner", "items": [winner]})
        else:
            notes.append({"code": "condorcet_cycle", "items": []})
        for tier in schulze_tiers:
            if len(tier) > 1:
                notes.append({"code": "schulze_tie", "items": tier})
        for tier in borda_tiers:
            if len(tier) > 1:
                notes.append({"code": "borda_tie", "items": tier})
    agree = borda_tiers == schulze_tiers
    notes.append({"code": "methods_agree" if agree else "methods_differ", "items": []})

    return {
        "method_version": 1,
        "items": items,
        "ballots": len(ballots),
        "borda": {
            "points": [borda_result.points[item] for item in items],
            "tiers": borda_tiers,
        },
        "schulze": {
            "pairwise": schulze_result.pairwise,
            "strongest": schulze_result.strongest,
            "tiers": schulze_tiers,
        },
        "notes": notes,
    }
