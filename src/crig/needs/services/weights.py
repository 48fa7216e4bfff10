"""The priority score's weights. CONTRACT (signatures fixed)."""

from django.db import transaction
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, PermissionDenied
from crig.needs.models import ScoringWeights

MAX_WEIGHT = 10


@transaction.atomic
def weights_publish(
    *, actor, weights: dict[str, int], note: str = ""
) -> ScoringWeights:
    """Publish a new set (each weight an integer 0–10, at least one positive); the
    previous sets are kept."""
    if actor is None or not actor.has_perm("needs.publish_weights"):
        raise PermissionDenied(_("Only the secretariat may publish the weights."))
    criteria = ScoringWeights.CRITERIA
    unknown = sorted(set(weights) - set(criteria))
    if unknown:
        raise InvalidInput(
            _("Unknown criteria: %(names)s.") % {"names": ", ".join(unknown)}
        )
    missing = [name for name in criteria if name not in weights]
    if missing:
        raise InvalidInput(
            _("A weight is missing for: %(names)s.") % {"names": ", ".join(missing)}
        )
    for name in criteria:
        value = weights[name]
        # bool is an int in Python; True is not a weight a person typed.
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(
                _("The weight of “%(criterion)s” must be a whole number.")
                % {"criterion": _label(name)},
                field=name,
            )
        if not 0 <= value <= MAX_WEIGHT:
            raise InvalidInput(
                _("The weight of “%(criterion)s” must be between 0 and %(max)s.")
                % {"criterion": _label(name), "max": MAX_WEIGHT},
                field=name,
            )
    if not any(weights[name] for name in criteria):
        raise InvalidInput(_("At least one weight must be above 0."))
    return ScoringWeights.objects.create(
        **{name: weights[name] for name in criteria},
        note=note.strip(),
        published_by=actor,
    )


def _label(name: str) -> str:
    return str(ScoringWeights._meta.get_field(name).verbose_name)
