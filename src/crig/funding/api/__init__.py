"""REST endpoints of the funding module (filled by the API work)."""

from ninja import Router

router = Router()
