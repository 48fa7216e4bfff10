import pytest
from django.db import IntegrityError

from crig.news.models import NewsItem
from crig.news.tests.factories import NewsItemFactory


@pytest.mark.django_db
def test_a_community_item_must_name_its_signatory():
    with pytest.raises(IntegrityError):
        NewsItemFactory(audience=NewsItem.Audience.COMMUNITY, community=None)


@pytest.mark.django_db
def test_the_news_item_fixture_is_a_cnig_relay_on_pcrs(news_item):
    assert news_item.kind == "cnig"
    assert list(news_item.themes.values_list("theme", flat=True)) == ["pcrs"]
