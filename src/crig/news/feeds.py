"""Atom 1.0 feeds of the public news: everything, per theme, per département.

Every feed reads ``selectors.news_public_feed``, which returns public,
published items whose date is reached — never a members-only or community item,
a draft or a scheduled item, whoever asks: a feed is fetched by aggregators
without a session and cached by them, so it must not depend on the reader.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from crig.needs.models import Theme
from crig.news import selectors
from crig.news.models import NewsItem
from crig.territory.models import Departement

FEED_SIZE = 50


class NewsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        # The site's name is set per site (``crig_name``); the request's host
        # makes the links absolute.
        return None

    def title(self, obj):
        return _("CRIG Occitanie — news")

    def subtitle(self, obj):
        return _(
            "News of the regional geographic-information council and relays of the "
            "national council (CNIG)."
        )

    def link(self, obj):
        return reverse("news:list")

    def feed_url(self, obj):
        return reverse("news:feed")

    def items(self, obj):
        return self._items()

    def _items(self, **filters):
        return selectors.news_public_feed(limit=FEED_SIZE, **filters)

    def item_title(self, item: NewsItem):
        if item.kind == NewsItem.Kind.CNIG:
            return _("CNIG relay: %(title)s") % {"title": item.title}
        return item.title

    def item_description(self, item: NewsItem):
        # The body is HTML sanitised when it was stored (crig.news.sanitise);
        # Atom1Feed escapes it into a <summary type="html">.
        if item.summary:
            return f"<p>{escape(item.summary)}</p>{item.body}"
        return item.body

    def item_link(self, item: NewsItem):
        return item.get_absolute_url()

    def item_pubdate(self, item: NewsItem):
        return item.publish_at or item.created_at

    def item_updateddate(self, item: NewsItem):
        return max(item.updated_at, item.publish_at or item.updated_at)

    def item_author_name(self, item: NewsItem):
        if item.kind == NewsItem.Kind.CNIG and item.source_name:
            return item.source_name
        return "CRIG Occitanie"

    def item_categories(self, item: NewsItem):
        return [theme.get_theme_display() for theme in item.themes.all()]


class ThemeFeed(NewsFeed):
    def get_object(self, request, theme):
        if theme not in Theme.values:
            raise Http404(_("No such theme."))
        return Theme(theme)

    def title(self, obj):
        return _("CRIG Occitanie — news on “%(theme)s”") % {"theme": obj.label}

    def link(self, obj):
        return reverse("news:list") + f"?theme={obj.value}"

    def feed_url(self, obj):
        return reverse("news:feed_theme", args=[obj.value])

    def items(self, obj):
        return self._items(theme=obj.value)


class TerritoryFeed(NewsFeed):
    def get_object(self, request, code):
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            raise Http404(_("No such département."))
        return departement

    def title(self, obj):
        return _("CRIG Occitanie — news of %(departement)s") % {"departement": obj.name}

    def subtitle(self, obj):
        return _("Public news concerning communes of %(departement)s.") % {
            "departement": obj.name
        }

    def link(self, obj):
        return reverse("news:list") + f"?departement={obj.code}"

    def feed_url(self, obj):
        return reverse("news:feed_territory", args=[obj.code])

    def items(self, obj):
        return self._items(departement=obj.code)


routes = [
    path("feeds/news.atom", NewsFeed(), name="feed"),
    path("feeds/theme/<str:theme>.atom", ThemeFeed(), name="feed_theme"),
    path("feeds/territory/<str:code>.atom", TerritoryFeed(), name="feed_territory"),
]
