"""Writes of the news module. CONTRACT (signatures fixed; bodies by the news
domain work). Atomic, permission-checked with ``rules``, translated
``InvalidInput`` with nothing saved on bad input; bodies are sanitised
(``crig.news.sanitise``) before they are stored.
"""

import datetime
from dataclasses import dataclass, field

from crig.news.models import Delivery, NewsItem, Subscription
from crig.territory.selection import TerritorySelection


@dataclass(frozen=True)
class NewsData:
    title: str
    body: str  # HTML from the editor; sanitised by the service
    kind: str = "news"
    summary: str = ""
    audience: str = "public"
    community_id: int | None = None  # a Signatory, for the community audience
    themes: list[str] = field(default_factory=list)
    source_name: str = ""
    source_url: str = ""
    standard: str = ""
    deadline: datetime.date | None = None
    dataset_ids: list[int] = field(default_factory=list)
    need_ids: list[int] = field(default_factory=list)
    opinion_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)


def news_create(
    *, author, data: NewsData, territory: TerritorySelection | None = None
) -> NewsItem:
    """A draft. Linked objects must be visible to the author."""
    raise NotImplementedError


def news_update(
    *,
    actor,
    item: NewsItem,
    data: NewsData,
    territory: TerritorySelection | None = None,
) -> NewsItem:
    raise NotImplementedError


def news_submit_for_review(*, actor, item: NewsItem) -> NewsItem:
    raise NotImplementedError


def news_publish(
    *, actor, item: NewsItem, publish_at: datetime.datetime | None = None
) -> NewsItem:
    """Published now, or scheduled when ``publish_at`` is in the future. Immediate
    subscribers get it at the next delivery run."""
    raise NotImplementedError


def news_unpublish(*, actor, item: NewsItem) -> NewsItem:
    raise NotImplementedError


def subscription_update(
    *,
    person,
    themes: list[str],
    topics: list[str],
    frequency: str,
    use_organisation_perimeter: bool = True,
    territory: TerritorySelection | None = None,
    active: bool = True,
) -> Subscription:
    """Create or change the person's own subscription."""
    raise NotImplementedError


def subscription_unsubscribe(*, token: str) -> Subscription:
    """From a signed one-click link; a tampered or outdated link is refused."""
    raise NotImplementedError


def subscription_unsubscribe_url(subscription: Subscription) -> str:
    raise NotImplementedError


def deliveries_prepare(
    *, frequency: str, now: datetime.datetime | None = None
) -> list[Delivery]:
    """Record the pending deliveries of the period ending now for every active
    subscription of that frequency that has something to send (no empty
    digest). Idempotent: an existing delivery of the period is kept."""
    raise NotImplementedError


def delivery_send(*, delivery_id: int) -> Delivery:
    """Send one pending (or failed) delivery; marks it sent, or failed with the
    error and one more attempt (retried by the next run). Never sends a sent one."""
    raise NotImplementedError


def deliveries_run(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """Prepare then enqueue the sending of every pending/failed delivery
    (``crig news send --frequency …``, run by cron). Returns how many."""
    raise NotImplementedError
