"""Conventions shared by every module's REST API.

- Lists answer ``{"count": <total>, "items": [...]}``, paged with ``limit``/``offset``
  (``Paginated``).
- Errors answer ``{"message": "<readable>", ...}`` with the right status
  (``install_error_handlers``).
- The OpenAPI document declares these error answers (``ErrorOut``): 401 on every
  operation (a wrong token), 403 on those that need a person (CSRF), 404 on those with
  a path parameter, 400 and 422 on those with any parameter or body (400: a value
  the database cannot take, such as a NUL character), and the media type of
  each ``?format=`` (``CrigAPI``); an
  operation declares the others it can answer (400, 403, 404, 409) with ``errors()``.
- A request is authenticated by its session or by ``Authorization: Bearer <token>``
  (``crig.core.middleware.ApiTokenMiddleware`` sets ``request.user``); endpoints that
  need a person use ``auth=authenticated``, which also checks CSRF for sessions.
"""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from crig.core.errors import CrigError

logger = logging.getLogger(__name__)

OFFSET_MAX = 2**31 - 1
"""The largest ``offset`` a list takes: past it, slicing a query overflows the
database's integers, a 500 instead of an empty page."""


class Paginated(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=OFFSET_MAX)


class ErrorOut(Schema):
    message: str = Field(description="What went wrong, in the caller's language.")
    field: str | None = Field(None, description="The input at fault, if one is.")


class FieldErrorOut(Schema):
    field: str
    message: str


class InvalidRequestOut(Schema):
    message: str = Field(description="What went wrong, in the caller's language.")
    errors: list[FieldErrorOut] = Field(
        default_factory=list, description="The fields at fault, when known."
    )


def errors(*statuses: HTTPStatus) -> dict:
    """The error answers an operation can give, to merge into its ``response``."""
    return {
        status: (
            InvalidRequestOut if status == HTTPStatus.UNPROCESSABLE_ENTITY else ErrorOut
        )
        for status in statuses
    }


GEOJSON_MEDIA_TYPE = "application/geo+json"

#: What ``?format=<key>`` answers instead of JSON, wherever an operation takes it.
FORMAT_MEDIA_TYPES = {
    "geojson": (GEOJSON_MEDIA_TYPE, {"type": "object"}),
    "csv": ("text/csv", {"type": "string"}),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {"type": "string", "format": "binary"},
    ),
}


def geojson_answer() -> dict:
    """``openapi_extra`` of an operation that answers GeoJSON."""
    content = {GEOJSON_MEDIA_TYPE: {"schema": {"type": "object"}}}
    return {"responses": {HTTPStatus.OK: {"content": content}}}


_GENERIC_ERRORS = {
    HTTPStatus.BAD_REQUEST: "The input is refused (the message says why).",
    HTTPStatus.UNAUTHORIZED: "Authentication required, or the API token is wrong "
    "or revoked.",
    HTTPStatus.FORBIDDEN: "Not allowed (or the CSRF check failed).",
    HTTPStatus.NOT_FOUND: "Not found, or not visible to the caller.",
    HTTPStatus.UNPROCESSABLE_ENTITY: "A parameter or the body is invalid.",
}


def _schema_reference(document, model) -> dict:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if model.__name__ not in schemas:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _document_formats(operation) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["name"] != "format":
            continue
        content = operation["responses"].get(HTTPStatus.OK, {}).get("content")
        for value in parameter["schema"].get("enum", []):
            if content is not None and value in FORMAT_MEDIA_TYPES:
                media_type, schema = FORMAT_MEDIA_TYPES[value]
                content.setdefault(media_type, {"schema": schema})


def document_answers(document) -> None:
    """Declare the answers that follow from an operation's shape, so the document
    says every status and media type the API gives (schemathesis checks it)."""
    for path, operations in document["paths"].items():
        for operation in operations.values():
            _document_formats(operation)
            statuses = [HTTPStatus.UNAUTHORIZED]
            if operation.get("security"):
                statuses.append(HTTPStatus.FORBIDDEN)
            if "{" in path:
                statuses.append(HTTPStatus.NOT_FOUND)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses += [HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY]
            responses = operation["responses"]
            for status, model in errors(*statuses).items():
                if status in responses or str(int(status)) in responses:
                    continue
                responses[int(status)] = {
                    "description": _GENERIC_ERRORS[status],
                    "content": {
                        "application/json": {
                            "schema": _schema_reference(document, model)
                        }
                    },
                }


class CrigAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        document = super().get_openapi_schema(**kwargs)
        document_answers(document)
        return document


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

    @api.exception_handler(DataError)
    def data_error(request, exc):
        # What the database refuses to store or compare, whatever the schema let
        # through: a NUL character in a text (PostgreSQL), an integer past 64 bits.
        # A service's atomic block has already rolled its writes back; an enclosing
        # one (ATOMIC_REQUESTS, a test) cannot go on after the failed statement.
        if transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        logger.warning("API input refused by the database on %s: %s", request.path, exc)
        return _error(
            api,
            request,
            HTTPStatus.BAD_REQUEST,
            _("The request holds a value the database cannot take (a NUL character?)."),
        )

    @api.exception_handler(SuspiciousOperation)
    def request_refused(request, exc):
        # Django's own refusals (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
        # fields…) answered as JSON like every other error, not as an HTML page.
        return _error(
            api,
            request,
            HTTPStatus.BAD_REQUEST,
            _("The request is malformed or too large."),
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
