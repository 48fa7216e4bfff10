"""Writes of the news module, one module per entity, re-exported here. CONTRACT
(signatures fixed). Atomic, permission-checked with ``rules``, translated
``InvalidInput`` with nothing saved on bad input; bodies are sanitised
(``crig.news.sanitise``) before they are stored.
"""

from crig.news.services.deliveries import (
    deliveries_prepare,
    deliveries_run,
    delivery_send,
)
from crig.news.services.items import (
    NewsData,
    news_attachment_add,
    news_attachment_remove,
    news_create,
    news_publish,
    news_submit_for_review,
    news_unpublish,
    news_update,
)
from crig.news.services.subscriptions import (
    subscription_unsubscribe,
    subscription_unsubscribe_url,
    subscription_update,
)

__all__ = [
    "NewsData",
    "deliveries_prepare",
    "deliveries_run",
    "delivery_send",
    "news_create",
    "news_publish",
    "news_submit_for_review",
    "news_attachment_add",
    "news_attachment_remove",
    "news_unpublish",
    "news_update",
    "subscription_unsubscribe",
    "subscription_unsubscribe_url",
    "subscription_update",
]
