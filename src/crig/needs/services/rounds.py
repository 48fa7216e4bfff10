"""Prioritisation rounds and ballots. CONTRACT (signatures fixed).

A round is prepared by the secretariat (draft, shortlist of published needs),
opened, receives one ballot per organisation (a complete ranking of the
shortlist, each need once, cast by a referent; a new ballot replaces the previous
one while the round is open), then closed: ``Round.result`` then holds the Borda
and Schulze results (``crig.needs.ranking``).
"""

import datetime

from crig.needs.models import Ballot, Round


def round_create(
    *,
    actor,
    year: int,
    title: str,
    description: str = "",
    need_ids: list[int],
    closes_at: datetime.datetime | None = None,
) -> Round:
    raise NotImplementedError


def round_update(
    *,
    actor,
    round_: Round,
    title: str,
    description: str = "",
    need_ids: list[int],
    closes_at: datetime.datetime | None = None,
) -> Round:
    """Only while in preparation."""
    raise NotImplementedError


def round_open(*, actor, round_: Round) -> Round:
    raise NotImplementedError


def ballot_submit(*, actor, round_: Round, organisation, ranking: list[int]) -> Ballot:
    raise NotImplementedError


def round_close(*, actor, round_: Round) -> Round:
    raise NotImplementedError
