"""What the news services share: permission checks and territories."""

from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, PermissionDenied
from crig.territory.models import Commune
from crig.territory.selection import TerritorySelection


def require(user, perm: str, obj, message) -> None:
    """``PermissionDenied`` with ``message`` unless ``user`` has ``perm`` on ``obj``."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def is_staff(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_secretariat)
    )


def selection_communes(territory: TerritorySelection) -> list[str]:
    """The INSEE codes a territory selection reaches, each known, or
    ``InvalidInput``."""
    codes = sorted(code for code, share in territory.communes.items() if share > 0)
    if not codes:
        raise InvalidInput(_("The territory is empty."), field="territory")
    known = set(Commune.objects.filter(insee__in=codes).values_list("insee", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidInput(
            _("Unknown commune codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="territory",
        )
    return codes
