"""Pages of meetings and events (filled by the pages work); ``routes`` gathered by
``crig.events.urls``."""

routes = []
