"""Scores, weights, rounds, ballots and rankings (filled by the prioritisation work)."""

from ninja import Router

router = Router()
