"""The public register of opinions (filled by the pages work)."""

routes = []
