"""REST endpoints of meetings and events (filled by the pages work)."""

from ninja import Router

router = Router()
