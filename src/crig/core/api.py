"""Conventions shared by every module's REST API.

- Lists answer ``{"count": <total>, "items": [...]}``, paged with ``limit``/``offset``
  (``Paginated``).
- Errors answer ``{"message": "<readable>", ...}`` with the right status
  (``install_error_handlers``).
- A request is authenticated by its session or by ``Authorization: Bearer <token>``
  (``crig.core.middleware.ApiTokenMiddleware`` sets ``request.user``); endpoints that
  need a person use ``auth=authenticated``, which also checks CSRF for sessions.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from crig.core.errors import CrigError

OFFSET_MAX = 2**31 - 1
"""The largest ``offset`` a list takes: past it, slicing a query overflows the
database's integers, a 500 instead of an empty page."""


class Paginated(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=OFFSET_MAX)


class AuthenticatedUser(AuthBase):
    """Lets a signed-in person through (session with CSRF, or API token)."""

    openapi_type = "apiKey"

    def __init__(self):
        self.openapi_in = "cookie"
        self.openapi_name = "sessionid"
        super().__init__()

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "authenticated_by_token", False):
            error = check_csrf(request)
            if error:
                raise HttpError(HTTPStatus.FORBIDDEN, _("CSRF check failed."))
        return user


authenticated = AuthenticatedUser()


def _error(api, request, status, message, **extra):
    return api.create_response(
        request, {"message": str(message), **extra}, status=status
    )


def install_error_handlers(api) -> None:
    @api.exception_handler(CrigError)
    def crig_error(request, exc):
        extra = {"field": exc.field} if exc.field else {}
        return _error(api, request, exc.status_code, exc.message, **extra)

    @api.exception_handler(DjangoValidationError)
    def validation_error(request, exc):
        if hasattr(exc, "message_dict"):
            errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            message = " ".join(m for msgs in errors.values() for m in msgs)
            return _error(api, request, HTTPStatus.BAD_REQUEST, message, errors=errors)
        return _error(api, request, HTTPStatus.BAD_REQUEST, " ".join(exc.messages))

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request, exc):
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]),
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        message = _("Invalid request: %(detail)s") % {"detail": detail}
        return _error(
            api, request, HTTPStatus.UNPROCESSABLE_ENTITY, message, errors=errors
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, HTTPStatus.NOT_FOUND, _("Not found."))

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return _error(api, request, HTTPStatus.FORBIDDEN, _("You may not do this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _error(
            api, request, HTTPStatus.UNAUTHORIZED, _("Authentication required.")
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return _error(api, request, exc.status_code, exc.message)
