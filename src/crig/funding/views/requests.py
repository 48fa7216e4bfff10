"""Pages of requests, their review and their opinions (filled by the pages work)."""

routes = []
