"""The priority score's weights. CONTRACT (signatures fixed)."""

from crig.needs.models import ScoringWeights


def weights_publish(
    *, actor, weights: dict[str, int], note: str = ""
) -> ScoringWeights:
    """Publish a new set (each weight an integer 0–10, at least one positive); the
    previous sets are kept."""
    raise NotImplementedError
