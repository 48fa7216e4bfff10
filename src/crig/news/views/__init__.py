"""Pages and feeds of the news module (filled by the pages work); ``routes``
gathered by ``crig.news.urls``."""

routes = []
