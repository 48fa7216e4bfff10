"""REST endpoints of the action plan (filled by the pages work)."""

from ninja import Router

router = Router()
