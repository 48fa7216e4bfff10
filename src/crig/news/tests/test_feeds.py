"""Atom feeds: valid Atom 1.0 (feedparser and an XML parser), public items only —
never members-only or community items, drafts, items in review or scheduled
items, whoever asks — per theme and per département."""

import datetime
from http import HTTPStatus

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from crig.members.tests.factories import SignatoryFactory
from crig.news.models import NewsItem
from crig.news.tests.factories import NewsItemFactory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def hidden_items(db, members_item, draft_item):
    """Everything a feed must leave out."""
    return [
        members_item,
        draft_item,
        NewsItemFactory(
            title="Pour une communauté",
            audience=NewsItem.Audience.COMMUNITY,
            community=SignatoryFactory(),
            themes=["pcrs"],
        ),
        NewsItemFactory(
            title="Programmée",
            publish_at=timezone.now() + datetime.timedelta(days=1),
            themes=["pcrs"],
        ),
        NewsItemFactory(
            title="En relecture", state=NewsItem.State.REVIEW, themes=["pcrs"]
        ),
    ]


def _parse(response):
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    # An XML parser reads it too, with the Atom namespace at the root.
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return feed


def test_the_news_feed_is_valid_atom_with_the_public_items_only(
    client, news_item, hidden_items
):
    # Given a public CNIG relay item and items the public may not read
    news_item.summary = "Le standard évolue."
    news_item.save()

    # When an aggregator fetches the feed
    feed = _parse(client.get("/feeds/news.atom"))

    # Then it holds the public item only, with its link, date and themes
    assert feed.feed.title == "CRIG Occitanie — actualités"
    assert [entry.title for entry in feed.entries] == [
        "Relais CNIG : Nouveau standard PCRS"
    ]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver/actualites/{news_item.pk}/"
    assert entry.id == f"http://testserver/actualites/{news_item.pk}/"
    assert entry.summary == (
        "<p>Le standard évolue.</p><p>Nouvelle orthophotographie disponible.</p>"
    )
    assert [tag.term for tag in entry.tags] == ["Plan de corps de rue simplifié (PCRS)"]
    assert datetime.datetime(
        *entry.published_parsed[:6], tzinfo=datetime.UTC
    ) == news_item.publish_at.replace(microsecond=0)


def test_the_theme_feed_holds_the_public_items_of_the_theme(
    client, news_item, hidden_items
):
    NewsItemFactory(title="Sur le LIDAR", themes=["lidar"])

    pcrs = _parse(client.get("/feeds/theme/pcrs.atom"))
    lidar = _parse(client.get("/feeds/theme/lidar.atom"))

    assert [entry.title for entry in pcrs.entries] == [
        "Relais CNIG : Nouveau standard PCRS"
    ]
    assert [entry.title for entry in lidar.entries] == ["Sur le LIDAR"]
    assert pcrs.feed.links[0].href == "http://testserver/actualites/?theme=pcrs"


def test_the_territory_feed_holds_the_public_items_on_the_departement(
    client, territory, toulouse, montpellier, news_item, members_item
):
    # Given public items on Toulouse (31) and Montpellier (34), a members-only
    # item on Toulouse and one without territory
    on_toulouse = NewsItemFactory(title="À Toulouse")
    on_toulouse.communes.add(toulouse)
    NewsItemFactory(title="À Montpellier").communes.add(montpellier)
    members_item.communes.add(toulouse)

    feed = _parse(client.get("/feeds/territory/31.atom"))

    assert [entry.title for entry in feed.entries] == ["À Toulouse"]
    assert feed.feed.title == "CRIG Occitanie — actualités : Haute-Garonne"


def test_a_feed_is_the_same_for_a_signed_in_secretariat(
    client, secretariat_user, news_item, hidden_items
):
    client.force_login(secretariat_user)

    feed = _parse(client.get("/feeds/news.atom"))

    assert [entry.title for entry in feed.entries] == [
        "Relais CNIG : Nouveau standard PCRS"
    ]


def test_an_empty_feed_is_valid_atom(client, db):
    feed = _parse(client.get("/feeds/news.atom"))

    assert feed.entries == []


@pytest.mark.parametrize(
    "url", ["/feeds/theme/inconnu.atom", "/feeds/territory/99.atom"]
)
def test_an_unknown_theme_or_departement_is_a_404(client, territory, url):
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_body_with_markup_is_escaped_in_the_xml(client, db):
    # Given an item whose title holds markup (plain text) and whose body is
    # sanitised HTML
    NewsItemFactory(
        title="<script>alert(1)</script> & co", body="<p>Un <em>texte</em>.</p>"
    )

    response = client.get("/feeds/news.atom")

    # Then the XML stays well formed and the reader gets the title as text
    feed = _parse(response)
    assert feed.entries[0].title == "<script>alert(1)</script> & co"
    assert b"<script>" not in response.content
    root = etree.fromstring(response.content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>Un <em>texte</em>.</p>"


def test_the_list_and_item_pages_link_the_feeds(client, news_item):
    for url in (reverse("news:list"), news_item.get_absolute_url()):
        response = client.get(url)
        assert (
            '<link rel="alternate" type="application/atom+xml" '
            'title="Toutes les actualités publiques" href="/feeds/news.atom">'
        ) in response.text
