"""The news admin: read by the staff roles, nothing written but through the
services (publish, unpublish); deliveries and subscriptions read-only."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.news.models import Delivery, NewsItem
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(member_user):
    SubscriptionFactory(person=member_user)
    return Delivery.objects.create(
        person=member_user,
        frequency="weekly",
        period_start="2026-11-16T06:00:00Z",
        period_end="2026-11-23T06:00:00Z",
        subject="CRIG Occitanie : 1 nouveauté cette semaine",
        items=[{"topic": "news", "title": "Nouveau standard PCRS"}],
        status="failed",
        attempts=2,
        error="SMTPRecipientsRefused: 550",
    )


@pytest.mark.parametrize("who", ["secretariat_user", "admin_user"])
def test_the_staff_read_items_subscriptions_and_deliveries(
    client, request, news_item, delivery, who
):
    client.force_login(request.getfixturevalue(who))

    pages = [
        reverse("admin:news_newsitem_changelist"),
        reverse("admin:news_newsitem_change", args=[news_item.pk]),
        reverse("admin:news_subscription_changelist"),
        reverse("admin:news_delivery_changelist"),
        reverse("admin:news_delivery_change", args=[delivery.pk]),
    ]

    for url in pages:
        assert client.get(url).status_code == HTTPStatus.OK, url
    detail = client.get(pages[-1]).content.decode()
    assert "SMTPRecipientsRefused: 550" in detail
    assert "Échec (sera retenté)" in detail


@pytest.mark.parametrize("who", ["plain_user", "member_user"])
def test_others_do_not_reach_the_news_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("admin:news_newsitem_changelist"))

    assert response.status_code == HTTPStatus.FOUND


def test_nothing_is_written_through_the_admin_forms(
    client, secretariat_user, news_item, delivery
):
    client.force_login(secretariat_user)

    item_post = client.post(
        reverse("admin:news_newsitem_change", args=[news_item.pk]),
        {"title": "Changé", "body": "<script>alert(1)</script>"},
    )
    delivery_post = client.post(
        reverse("admin:news_delivery_change", args=[delivery.pk]),
        {"status": "sent"},
    )
    add = client.get(reverse("admin:news_newsitem_add"))

    assert item_post.status_code == HTTPStatus.FORBIDDEN
    assert delivery_post.status_code == HTTPStatus.FORBIDDEN
    assert add.status_code == HTTPStatus.FORBIDDEN
    news_item.refresh_from_db()
    delivery.refresh_from_db()
    assert news_item.title == "Nouveau standard PCRS"
    assert delivery.status == "failed"


def test_publish_and_unpublish_are_actions_through_the_services(
    client, secretariat_user, news_item
):
    draft = NewsItemFactory(title="À publier", state="review", publish_at=None)
    client.force_login(secretariat_user)
    url = reverse("admin:news_newsitem_changelist")

    client.post(
        url, {"action": "publish_now", "_selected_action": [draft.pk, news_item.pk]}
    )
    draft.refresh_from_db()
    assert draft.state == NewsItem.State.PUBLISHED

    client.post(url, {"action": "unpublish", "_selected_action": [news_item.pk]})
    news_item.refresh_from_db()
    assert (news_item.state, news_item.publish_at) == ("draft", None)
