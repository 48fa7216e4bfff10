"""The REST API under ``/api/v1/``: one router per module, shared conventions."""

from django.http import Http404
from ninja import Router

from crig import __version__
from crig.actionplan.api import router as actionplan_router
from crig.catalog.api import router as catalog_router
from crig.core.api import CrigAPI, install_error_handlers
from crig.events.api import router as events_router
from crig.funding.api import router as funding_router
from crig.members.api import router as members_router
from crig.needs.api import router as needs_router
from crig.news.api import router as news_router
from crig.territory.api import router as territory_router

api = CrigAPI(
    title="crig API",
    version=f"1 ({__version__})",
    description=(
        "REST API of the CRIG platform. Lists answer `{count, items}` paged with "
        "`limit` and `offset`; errors answer `{message}`. Authenticate with the "
        "session cookie or `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", territory_router, tags=["territory"])
api.add_router("/", members_router, tags=["members"])
api.add_router("/", catalog_router, tags=["catalog"])
api.add_router("/", needs_router, tags=["needs"])
api.add_router("/", funding_router, tags=["funding"])
api.add_router("/", actionplan_router, tags=["action plan"])
api.add_router("/", events_router, tags=["events"])
api.add_router("/", news_router, tags=["news"])


# Last, so that it answers only what no module does: a path under /api/v1/ that
# matches no operation (``/needs/abc``) is a JSON 404 like any other, not the site's
# HTML page.
unknown_paths = Router()


@unknown_paths.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request, rest: str):
    raise Http404


api.add_router("/", unknown_paths)
