"""Pages and feeds of the news module: ``items`` (list, item pages, editorial
work), ``subscriptions`` (one's own settings, digest preview, one-click
unsubscribe), ``relay`` (the signatories' relay newsletters) and the Atom feeds
of ``crig.news.feeds``. Gathered by ``crig.news.urls``."""

from crig.news import feeds
from crig.news.views import items, relay, subscriptions

routes = [*items.routes, *subscriptions.routes, *relay.routes, *feeds.routes]
