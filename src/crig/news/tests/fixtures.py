"""News fixtures, a pytest plugin registered by the root ``conftest.py``."""

import pytest

from crig.news.models import NewsItem
from crig.news.tests import factories


@pytest.fixture
def news_item(db) -> NewsItem:
    return factories.NewsItemFactory(
        title="Nouveau standard PCRS", themes=["pcrs"], kind=NewsItem.Kind.CNIG
    )


@pytest.fixture
def members_item(db) -> NewsItem:
    return factories.NewsItemFactory(
        title="Réservé aux membres", audience=NewsItem.Audience.MEMBERS
    )


@pytest.fixture
def draft_item(db) -> NewsItem:
    return factories.NewsItemFactory(
        title="Brouillon d'actualité", state=NewsItem.State.DRAFT, publish_at=None
    )
