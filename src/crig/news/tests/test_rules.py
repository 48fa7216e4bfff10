"""Every news permission per role, and ``news_visible_to`` agreeing with the
``news.view_item`` rule for every role and every kind of item."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.members.tests.factories import SignatoryFactory
from crig.news.models import NewsItem
from crig.news.selectors import news_visible_to
from crig.news.tests.factories import NewsItemFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "plain_user",
    "member_user",
    "referent_user",
    "signatory_member_user",
    "reviewer_user",
    "secretariat_user",
    "admin_user",
]


@pytest.fixture
def items(signatory, other_organisation) -> dict[str, NewsItem]:
    other_signatory = SignatoryFactory(organisation=other_organisation)
    later = timezone.now() + datetime.timedelta(days=2)
    return {
        "public": NewsItemFactory(title="public"),
        "members": NewsItemFactory(title="members", audience="members"),
        "community": NewsItemFactory(
            title="community", audience="community", community=signatory
        ),
        "other_community": NewsItemFactory(
            title="other_community", audience="community", community=other_signatory
        ),
        "draft": NewsItemFactory(title="draft", state="draft", publish_at=None),
        "review": NewsItemFactory(title="review", state="review", publish_at=None),
        "scheduled": NewsItemFactory(title="scheduled", publish_at=later),
        "other_community_draft": NewsItemFactory(
            title="other_community_draft",
            state="draft",
            publish_at=None,
            audience="community",
            community=other_signatory,
        ),
    }


EDITORIAL = {"draft", "review", "scheduled"}
EVERYTHING = {
    "public",
    "members",
    "community",
    "other_community",
    *EDITORIAL,
    "other_community_draft",
}
VISIBLE = {
    "anonymous": {"public"},
    "plain_user": {"public"},
    "member_user": {"public", "members"},
    "referent_user": {"public", "members"},
    # A member of the signatory's organisation: its community, and an editor
    "signatory_member_user": {"public", "members", "community", *EDITORIAL},
    # A reviewer for the signatory, in no organisation: not "members"
    "reviewer_user": {"public", "community", *EDITORIAL},
    "secretariat_user": EVERYTHING,
    "admin_user": EVERYTHING,
}


def _user(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_what(request, items, role):
    user = _user(request, role)

    by_rule = {
        key for key, item in items.items() if user.has_perm("news.view_item", item)
    }
    by_queryset = set(news_visible_to(user).values_list("title", flat=True))

    assert by_rule == VISIBLE[role]
    assert by_queryset == VISIBLE[role]


def test_an_author_always_sees_their_own_items(items, member_user):
    own = NewsItemFactory(
        title="own", author=member_user, state="draft", publish_at=None
    )

    assert member_user.has_perm("news.view_item", own)
    assert own in news_visible_to(member_user)


def test_a_closed_account_sees_only_public_items(items, member_user):
    member_user.is_active = False
    member_user.save()

    assert set(news_visible_to(member_user).values_list("title", flat=True)) == {
        "public"
    }
    assert not member_user.has_perm("news.view_item", items["members"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", False),
        ("referent_user", False),
        ("signatory_member_user", True),
        ("reviewer_user", True),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_who_writes_publishes_and_previews_relays(request, role, expected):
    user = _user(request, role)

    assert user.has_perm("news.add_item") is expected
    assert user.has_perm("news.publish_item") is expected
    assert user.has_perm("news.preview_relay") is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("member_user", False),
        ("signatory_member_user", False),  # another editor's item
        ("reviewer_user", True),  # its author
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_who_changes_an_item(request, reviewer_user, role, expected):
    item = NewsItemFactory(author=reviewer_user, state="draft", publish_at=None)

    assert _user(request, role).has_perm("news.change_item", item) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", False),
        ("signatory_member_user", False),
        ("reviewer_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_who_sees_the_deliveries(request, role, expected):
    assert _user(request, role).has_perm("news.view_deliveries") is expected
