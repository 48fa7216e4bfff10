"""What the action-plan services share: the permission check, the history of an
action, and the values written into it."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from crig.actionplan.models import Action, ActionChange
from crig.core.errors import InvalidInput, PermissionDenied


def require(user, perm: str, obj, message) -> None:
    """``PermissionDenied`` with ``message`` unless ``user`` has ``perm`` on ``obj``."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def history_value(value):
    """A value as the history stores it (JSON): dates in ISO format, amounts as
    text so that no decimal is rounded, lists as lists."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [history_value(item) for item in value]
    return value


def record(action: Action, what: str, *, actor, changes: dict) -> ActionChange | None:
    """One history entry, ``field → [before, after]``, with only the fields whose
    value changed; nothing when nothing changed."""
    changed = {
        name: [history_value(before), history_value(after)]
        for name, (before, after) in changes.items()
        if history_value(before) != history_value(after)
    }
    if not changed:
        return None
    return ActionChange.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        what=what,
        changes=changed,
    )


def check_progress(progress, field: str = "progress") -> int:
    if isinstance(progress, bool) or not isinstance(progress, int):
        raise InvalidInput(
            _("The progress must be a whole number between 0 and 100."), field=field
        )
    if not 0 <= progress <= 100:
        raise InvalidInput(
            _("The progress must be between 0 and 100 %% (not %(value)s).")
            % {"value": progress},
            field=field,
        )
    return progress


def check_status(status: str, field: str = "status") -> str:
    if status not in Action.Status.values:
        raise InvalidInput(_("Choose a status from the list."), field=field)
    return status


def check_amount(
    value, *, field: str, message, below: Decimal = Decimal(10) ** 12
) -> Decimal:
    """A positive amount with two decimals, below the column's limit."""
    try:
        amount = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        raise InvalidInput(message, field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= below:
        raise InvalidInput(message, field=field)
    return amount.quantize(Decimal("0.01"))
