"""Domain errors and where they turn into HTTP answers and French messages.

Services raise a subclass of ``CrigError`` with a message meant for a person (marked
for translation); views show it, the API answers it as JSON with ``status_code``.

``server_error`` is the project's ``handler500``: a database that cannot be reached
is answered 503 with a page in the site's layout (JSON for the API) instead of 500.
"""

import logging
import sys
from http import HTTPStatus

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views import defaults

logger = logging.getLogger(__name__)


class CrigError(Exception):
    """Base class of the errors a person can fix by changing their input."""

    status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidInput(CrigError):
    pass


class NotFound(CrigError):
    status_code = HTTPStatus.NOT_FOUND


class PermissionDenied(CrigError):
    status_code = HTTPStatus.FORBIDDEN


class Conflict(CrigError):
    status_code = HTTPStatus.CONFLICT


class DeliveryFailed(CrigError):
    """An e-mail or another message could not be handed to its server."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE


# -- The database going away -------------------------------------------------------

#: Seconds a client is asked to wait before trying again.
DATABASE_RETRY_AFTER = 30
_DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached:
    refused connection, server gone, connection closed, SQLite busy past its
    timeout."""
    while exc is not None:
        if isinstance(exc, _DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def database_unavailable_response(request) -> HttpResponse:
    """503 for a person (the site's layout, nothing read from the database: no
    account menu, no messages) or JSON for the API, with ``Retry-After``."""
    message = gettext(
        "The service is temporarily unavailable. Please try again in a few moments."
    )
    if request.path.startswith(("/api/", "/ogcapi/")):
        response = JsonResponse(
            {"message": message}, status=HTTPStatus.SERVICE_UNAVAILABLE
        )
    else:
        # Rendered without the request's context processors: they would read the
        # session and the user from the database that just failed.
        html = render_to_string(
            "503.html",
            {
                "request": request,
                "csrf_token": get_token(request),
                "crig_name": settings.CRIG_NAME,
                "message": message,
            },
        )
        response = HttpResponse(html, status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def server_error(request):
    """``handler500``: a database that went away is a 503 with a page saying so,
    anything else Django's 500 page. Called by Django inside its ``except`` block
    (after logging the error with its traceback), so ``sys.exc_info()`` holds the
    exception whatever raised it: a view, a middleware, the session's save."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.error("Database unavailable on %s: %s", request.path, exc)
        return database_unavailable_response(request)
    return defaults.server_error(request)
