"""Needs, supports, heat map and exports (filled by the API work)."""

from ninja import Router

router = Router()
