"""What the funding services share: permission checks, the audit trail and the
conversion of values to what an ``AuditEntry`` stores (JSON)."""

import datetime
from decimal import Decimal

from crig.core.errors import PermissionDenied
from crig.funding.models import AuditEntry, FundingRequest


def require(user, perm: str, obj, message) -> None:
    """``PermissionDenied`` with ``message`` unless ``user`` has ``perm`` on ``obj``."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def require_predicate(predicate, user, obj, message) -> None:
    """Like ``require`` for a predicate of ``rules`` that is not a permission: used
    where the role is checked apart from the state, so that a person entitled to
    act but at the wrong moment gets a ``Conflict`` rather than a refusal."""
    if user is None or not predicate.test(user, obj):
        raise PermissionDenied(message)


def plain(value):
    """A value as JSON stores it: Decimals and dates as text, the rest as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def diff(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value changed."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = plain(before.get(name)), plain(after.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def audit(request: FundingRequest, action: str, *, actor, changes: dict) -> AuditEntry:
    """One entry of the request's audit trail (``action`` is the service's name)."""
    return AuditEntry.objects.create(
        request=request,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        changes=plain(changes),
    )
