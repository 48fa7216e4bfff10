"""What the action-plan views share: domain errors as HTTP answers, permission
checks that answer early, and the lookups that make a draft a 404."""

from contextlib import contextmanager
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from crig.actionplan import selectors
from crig.actionplan.models import Action, Plan
from crig.core.errors import CrigError, NotFound, PermissionDenied


@contextmanager
def http_errors():
    """A service's ``NotFound`` is a 404 page, its ``PermissionDenied`` a 403."""
    try:
        yield
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error.message)) from error


def plan_or_404(request, year: int) -> Plan:
    with http_errors():
        return selectors.plan_get(user=request.user, year=year)


def action_or_404(request, pk: int) -> Action:
    with http_errors():
        return selectors.action_get(user=request.user, pk=pk)


def require_perm(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise DjangoPermissionDenied


def add_error(form, error: CrigError, *, field_map: dict | None = None) -> None:
    """Show a service's error on the field it names when the form has it, else
    above the form."""
    name = (field_map or {}).get(error.field, error.field)
    if name and name in form.fields:
        form.add_error(name, str(error.message))
    else:
        form.add_error(None, str(error.message))


def form_status(*forms) -> HTTPStatus:
    bound = [form for form in forms if form is not None and form.is_bound]
    if any(not form.is_valid() for form in bound):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.OK
