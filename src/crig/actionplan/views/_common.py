"""What the action-plan views share: domain errors as HTTP answers, permission
checks that answer early, and the lookups that make a draft a 404."""

from http import HTTPStatus

from crig.actionplan import selectors
from crig.actionplan.models import Action, Plan
from crig.core.errors import CrigError
from crig.core.http import http_errors


def plan_or_404(request, year: int) -> Plan:
    with http_errors():
        return selectors.plan_get(user=request.user, year=year)


def action_or_404(request, pk: int) -> Action:
    with http_errors():
        return selectors.action_get(user=request.user, pk=pk)


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
