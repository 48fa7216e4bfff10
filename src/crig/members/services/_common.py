"""Helpers and constants shared by the members services."""

import hashlib

from django.utils.translation import gettext as _

from crig.core.errors import PermissionDenied
from crig.members.models import User


def _hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))
