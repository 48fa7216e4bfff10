"""Domain errors and where they turn into HTTP answers and French messages.

Services raise a subclass of ``CrigError`` with a message meant for a person (marked
for translation); views show it, the API answers it as JSON with ``status_code``.
"""

from http import HTTPStatus


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
