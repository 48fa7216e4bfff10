"""REST endpoints of the funding module: requests, their entry and analysis
(``requests``), and the public register of opinions (``opinions``)."""

from ninja import Router

from crig.funding.api import opinions, requests

router = Router()
router.add_router("", requests.router)
router.add_router("", opinions.router)
