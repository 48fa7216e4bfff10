"""Reads of the news module. CONTRACT (signatures fixed; bodies by the news
domain work)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from crig.news.models import NewsItem


@dataclass(frozen=True)
class NewsFilters:
    q: str = ""
    kind: str = ""
    theme: str = ""
    departement: str = ""
    year: int | None = None


def news_visible_to(user) -> QuerySet[NewsItem]:
    """Items the person may read (see rules): for the anonymous public, public
    published items whose date is reached, only."""
    raise NotImplementedError


def news_list(*, user, filters: NewsFilters = NewsFilters()) -> QuerySet[NewsItem]:
    raise NotImplementedError


def news_get(*, user, pk: int) -> NewsItem:
    raise NotImplementedError


def news_public_feed(
    *, theme: str = "", departement: str = "", limit: int = 50
) -> QuerySet[NewsItem]:
    """For the Atom feeds: public, published, date reached — nothing else, ever."""
    raise NotImplementedError


@dataclass(frozen=True)
class DigestEntry:
    topic: str  # Subscription.Topic
    title: str
    url: str  # absolute
    at: datetime.datetime
    summary: str = ""
    themes: list[str] = field(default_factory=list)


def digest_entries(
    *, person, start: datetime.datetime, end: datetime.datetime
) -> list[DigestEntry]:
    """What the person's subscription selects in [start, end): news items they
    may read, new public datasets, published needs, published opinions, plan
    updates, published events and meetings — filtered by their themes, topics
    and territory (items without a territory always pass the territorial
    filter). Pulled from each module's selectors; only what the person may see."""
    raise NotImplementedError


@dataclass(frozen=True)
class RelayNewsletter:
    signatory: object
    start: datetime.date
    end: datetime.date
    items: list[NewsItem]
    html: str
    text: str


def relay_newsletter(
    *, signatory, start: datetime.date, end: datetime.date
) -> RelayNewsletter:
    """What the signatory should relay to its community for the period: public
    items and those for its community, as a ready newsletter (HTML + text)."""
    raise NotImplementedError
