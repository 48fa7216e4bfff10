"""Pages of the score, the weights and the prioritisation rounds (filled by the
prioritisation work)."""

routes = []
