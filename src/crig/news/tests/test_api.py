"""REST API of news per role: /news and /news/{id} answer only what the caller may
read; /me/subscriptions reads and changes only the caller's own subscription,
with French messages on bad input and nothing changed."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory, SignatoryFactory
from crig.news.models import NewsItem, Subscription
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

ROLES = [
    "anonymous",
    "plain_user",
    "member_user",
    "referent_user",
    "community_user",
    "reviewer_user",
    "secretariat_user",
    "admin_user",
]


@pytest.fixture
def community_user(signatory):
    return MembershipFactory(
        person__email="community@example.org",
        organisation=signatory.organisation,
        role=Membership.Role.MEMBER,
    ).person


@pytest.fixture
def items(news_item, members_item, draft_item, signatory):
    return {
        "public": news_item,
        "members": members_item,
        "draft": draft_item,
        "community": NewsItemFactory(
            title="Pour la communauté de la Région",
            audience=NewsItem.Audience.COMMUNITY,
            community=signatory,
        ),
        "other_community": NewsItemFactory(
            title="Pour une autre communauté",
            audience=NewsItem.Audience.COMMUNITY,
            community=SignatoryFactory(),
        ),
        "scheduled": NewsItemFactory(
            title="Programmée",
            publish_at=timezone.now() + datetime.timedelta(days=1),
        ),
    }


def _client_for(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


LISTED_FOR = {
    "anonymous": {"public"},
    "plain_user": {"public"},
    "member_user": {"public", "members"},
    "referent_user": {"public", "members"},
    "community_user": {"public", "members", "community"},
    "reviewer_user": {"public", "community"},
    "secretariat_user": {"public", "members", "community", "other_community"},
    "admin_user": {"public", "members", "community", "other_community"},
}


@pytest.mark.parametrize("role", ROLES)
def test_news_list_answers_the_live_items_the_caller_may_read(
    client, request, items, role
):
    client = _client_for(client, request, role)

    response = client.get("/api/v1/news")

    body = response.json()
    expected = {items[key].pk for key in LISTED_FOR[role]}
    assert response.status_code == HTTPStatus.OK
    assert body["count"] == len(expected)
    assert {item["id"] for item in body["items"]} == expected


@pytest.mark.parametrize("role", ROLES)
def test_news_detail_is_a_404_for_an_item_the_caller_may_not_read(
    client, request, items, role
):
    client = _client_for(client, request, role)

    statuses = {
        key: client.get(f"/api/v1/news/{item.pk}").status_code
        for key, item in items.items()
    }

    # The editors also open drafts and scheduled items.
    editors = ("community_user", "reviewer_user", "secretariat_user", "admin_user")
    expected = LISTED_FOR[role] | ({"draft", "scheduled"} if role in editors else set())
    assert {key for key, status in statuses.items() if status == HTTPStatus.OK} == (
        expected
    )
    assert {
        key for key, status in statuses.items() if status == HTTPStatus.NOT_FOUND
    } == set(items) - expected


def test_news_detail_of_a_hidden_item_answers_in_french(client, members_item):
    response = client.get(f"/api/v1/news/{members_item.pk}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {
        "message": "Cette actualité n'existe pas ou ne vous est pas visible."
    }


def test_news_detail_of_a_public_cnig_item(client, news_item, toulouse):
    news_item.source_name = "CNIG"
    news_item.source_url = "https://cnig.gouv.fr/pcrs"
    news_item.standard = "PCRS v2.0"
    news_item.deadline = datetime.date(2031, 6, 30)
    news_item.save()
    news_item.communes.add(toulouse)

    response = client.get(f"/api/v1/news/{news_item.pk}")

    body = response.json()
    assert response.status_code == HTTPStatus.OK
    assert body["kind"] == {"code": "cnig", "label": "Relais CNIG"}
    assert body["audience"] == {"code": "public", "label": "Public"}
    assert body["title"] == "Nouveau standard PCRS"
    assert body["body"] == "<p>Nouvelle orthophotographie disponible.</p>"
    assert body["themes"] == [
        {"code": "pcrs", "label": "Plan de corps de rue simplifié (PCRS)"}
    ]
    assert body["source_url"] == "https://cnig.gouv.fr/pcrs"
    assert body["standard"] == "PCRS v2.0"
    assert body["deadline"] == "2031-06-30"
    assert body["communes"] == ["31555"]
    assert body["links"] == []
    assert body["url"] == f"http://testserver/actualites/{news_item.pk}/"


def test_news_detail_links_only_what_the_caller_may_see(client, news_item):
    from crig.catalog.models import Visibility
    from crig.catalog.tests.factories import DatasetFactory

    public = DatasetFactory(title="BD ORTHO")
    news_item.datasets.add(public, DatasetFactory(visibility=Visibility.RESTRICTED))

    response = client.get(f"/api/v1/news/{news_item.pk}")

    assert response.json()["links"] == [
        {
            "kind": "dataset",
            "id": public.pk,
            "title": "BD ORTHO",
            "url": f"http://testserver{public.get_absolute_url()}",
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=cnig", ["Nouveau standard PCRS"]),
        ("theme=pcrs", ["Nouveau standard PCRS"]),
        ("q=standard", ["Nouveau standard PCRS"]),
        ("kind=news", ["Autre actualité"]),
        ("limit=1&offset=1", ["Nouveau standard PCRS"]),
    ],
)
def test_news_list_filters_and_pages(client, news_item, query, expected):
    NewsItemFactory(title="Autre actualité", publish_at=timezone.now())

    response = client.get(f"/api/v1/news?{query}")

    assert [item["title"] for item in response.json()["items"]] == expected


def test_news_list_refuses_an_unknown_filter_value_in_french(client, db):
    response = client.get("/api/v1/news?kind=autre")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")


# --- /me/subscriptions --------------------------------------------------------------


def test_my_subscription_needs_an_account(client, db):
    get = client.get("/api/v1/me/subscriptions")
    put = client.put(
        "/api/v1/me/subscriptions",
        {"topics": ["news"]},
        content_type="application/json",
    )

    assert get.status_code == HTTPStatus.UNAUTHORIZED
    assert put.status_code == HTTPStatus.UNAUTHORIZED
    assert get.json() == {"message": "Authentification requise."}
    assert Subscription.objects.count() == 0


def test_my_subscription_is_my_own(client, member_user, plain_user):
    # Given someone else's subscription
    SubscriptionFactory(person=plain_user, themes=["lidar"], topics=["needs"])
    client.force_login(member_user)

    # When the member reads theirs
    response = client.get("/api/v1/me/subscriptions")

    # Then it is theirs (none yet), not the other person's
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "themes": [],
        "topics": [],
        "use_organisation_perimeter": True,
        "communes": [],
        "territory_description": "",
        "frequency": {"code": "weekly", "label": "Résumé hebdomadaire"},
        "active": False,
    }


def test_put_my_subscription(client, member_user, territory, toulouse):
    client.force_login(member_user)

    response = client.put(
        "/api/v1/me/subscriptions",
        {
            "themes": ["pcrs"],
            "topics": ["news", "datasets"],
            "frequency": "daily",
            "use_organisation_perimeter": False,
            "communes": ["31555"],
        },
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["themes"] == [
        {"code": "pcrs", "label": "Plan de corps de rue simplifié (PCRS)"}
    ]
    assert [topic["code"] for topic in body["topics"]] == ["news", "datasets"]
    assert body["frequency"] == {"code": "daily", "label": "Résumé quotidien"}
    assert body["communes"] == ["31555"]
    assert body["active"] is True
    subscription = Subscription.objects.get(person=member_user)
    assert list(subscription.communes.all()) == [toulouse]


def test_put_my_subscription_with_an_empty_list_of_communes_is_the_region(
    client, member_user, toulouse
):
    subscription = SubscriptionFactory(
        person=member_user, use_organisation_perimeter=False
    )
    subscription.communes.add(toulouse)
    client.force_login(member_user)

    response = client.put(
        "/api/v1/me/subscriptions",
        {"topics": ["news"], "use_organisation_perimeter": False, "communes": []},
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["communes"] == []
    assert subscription.communes.count() == 0


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (
            {"topics": ["news"], "communes": ["99999"]},
            HTTPStatus.BAD_REQUEST,
            "Codes de commune inconnus : 99999.",
        ),
        ({"topics": ["tout"]}, HTTPStatus.UNPROCESSABLE_ENTITY, "Requête invalide"),
        (
            {"topics": ["news"], "frequency": "hourly"},
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "Requête invalide",
        ),
    ],
)
def test_put_my_subscription_with_bad_input_changes_nothing(
    client, member_user, territory, payload, status, message
):
    subscription = SubscriptionFactory(person=member_user, topics=["events"])
    client.force_login(member_user)

    response = client.put(
        "/api/v1/me/subscriptions", payload, content_type="application/json"
    )

    assert response.status_code == status
    assert response.json()["message"].startswith(message)
    subscription.refresh_from_db()
    assert subscription.topics == ["events"]
    assert subscription.frequency == Subscription.Frequency.WEEKLY


def test_put_my_subscription_needs_the_csrf_token_in_a_session(member_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)

    response = client.put(
        "/api/v1/me/subscriptions",
        {"topics": ["news"]},
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Subscription.objects.filter(person=member_user).count() == 0
