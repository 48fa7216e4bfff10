"""Pages of the action plan (filled by the pages work); ``routes`` gathered by
``crig.actionplan.urls``."""

routes = []
