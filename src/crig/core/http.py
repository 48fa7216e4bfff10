"""What every module's pages share to turn domain errors into HTTP answers."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from crig.core.errors import NotFound, PermissionDenied


@contextmanager
def http_errors():
    """A selector's or service's ``NotFound`` is a 404 page, its
    ``PermissionDenied`` a 403; other ``CrigError``s go through to the view."""
    try:
        yield
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error.message)) from error


def require_perm(request, perm: str, obj=None) -> None:
    """A 403 page unless the person has ``perm`` (on ``obj``)."""
    if not request.user.has_perm(perm, obj):
        raise DjangoPermissionDenied
