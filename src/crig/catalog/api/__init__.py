"""The catalogue's REST API: datasets and search, and coverage per commune."""

from ninja import Router

from crig.catalog.api import coverage, datasets

router = Router()
router.add_router("", datasets.router)
router.add_router("", coverage.router)
