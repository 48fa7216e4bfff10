"""Why a source could not be read (the run fails, nothing is changed)."""

from http import HTTPStatus

from crig.core.errors import CrigError


class HarvestSourceError(CrigError):
    status_code = HTTPStatus.BAD_GATEWAY


class HarvestSourceUnreachable(HarvestSourceError):
    """No answer: DNS, refused connection, timeout."""


class HarvestSourceTimeout(HarvestSourceUnreachable):
    pass


class HarvestSourceHttpError(HarvestSourceError):
    """An answer with an HTTP error status."""


class HarvestResponseTooLarge(HarvestSourceError):
    pass


class HarvestSourceInvalid(HarvestSourceError):
    """An answer that is not what the protocol promises (garbage, truncated page)."""
