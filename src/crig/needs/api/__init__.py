"""REST endpoints of the needs module: needs, supports, heat map and exports
(``needs``), scores, weights, rounds and rankings (``priorities``)."""

from ninja import Router

from crig.needs.api import needs, priorities

router = Router()
router.add_router("", needs.router)
router.add_router("", priorities.router)
