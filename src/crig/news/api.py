"""REST endpoints of the news module (filled by the pages work)."""

from ninja import Router

router = Router()
