"""REST endpoints of the needs module (filled by the API work)."""

from ninja import Router

router = Router()
