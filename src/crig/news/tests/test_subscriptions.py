"""Subscriptions: one's own only, validated choices, territory, and the signed
one-click unsubscribe link (tampered or outdated: refused)."""

import pytest
from django.core import signing
from django.utils import translation

from crig.core.errors import InvalidInput, PermissionDenied
from crig.news import services
from crig.news.models import Subscription
from crig.news.selectors import subscription_territory
from crig.territory.selection import territory_selection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _token(subscription: Subscription) -> str:
    return (
        services.subscription_unsubscribe_url(subscription).rstrip("/").split("/")[-1]
    )


def test_a_person_creates_then_changes_their_own_subscription(member_user):
    created = services.subscription_update(
        person=member_user,
        themes=["pcrs", "lidar", "pcrs"],
        topics=["news", "datasets"],
        frequency="weekly",
    )
    changed = services.subscription_update(
        person=member_user, themes=[], topics=["needs"], frequency="daily"
    )

    assert created.pk == changed.pk
    assert Subscription.objects.count() == 1
    changed.refresh_from_db()
    assert (changed.themes, changed.topics, changed.frequency) == (
        [],
        ["needs"],
        "daily",
    )
    assert created.themes == ["pcrs", "lidar"]


@pytest.mark.parametrize(
    ("values", "message", "field"),
    [
        ({"themes": ["astrologie"]}, "Choose themes from the list.", "themes"),
        ({"topics": ["gossip"]}, "Choose what to receive from the list.", "topics"),
        ({"frequency": "hourly"}, "Choose a frequency from the list.", "frequency"),
    ],
)
def test_bad_choices_are_refused_and_nothing_changes(
    member_user, values, message, field
):
    arguments = {"themes": ["pcrs"], "topics": ["news"], "frequency": "weekly"}
    services.subscription_update(person=member_user, **arguments)

    with pytest.raises(InvalidInput) as caught:
        services.subscription_update(person=member_user, **{**arguments, **values})

    assert (str(caught.value.message), caught.value.field) == (message, field)
    subscription = Subscription.objects.get(person=member_user)
    assert (subscription.themes, subscription.topics, subscription.frequency) == (
        ["pcrs"],
        ["news"],
        "weekly",
    )


def test_the_anonymous_visitor_has_no_subscription():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.subscription_update(
            person=AnonymousUser(), themes=[], topics=["news"], frequency="weekly"
        )
    assert Subscription.objects.count() == 0


def test_the_territory_defaults_to_the_organisations_perimeters(
    member_user, organisation, territory
):
    from crig.members.services import organisation_set_perimeter

    organisation_set_perimeter(organisation=organisation, communes=["31555", "31069"])
    subscription = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )

    assert sorted(
        subscription_territory(subscription).values_list("insee", flat=True)
    ) == [
        "31069",
        "31555",
    ]


def test_picked_communes_kept_then_the_whole_region(member_user, territory):
    subscription = services.subscription_update(
        person=member_user,
        themes=[],
        topics=["news"],
        frequency="weekly",
        use_organisation_perimeter=False,
        territory=territory_selection(communes=["34172"]),
    )
    assert list(
        subscription_territory(subscription).values_list("insee", flat=True)
    ) == ["34172"]
    assert subscription.territory_description == "Montpellier"

    # Unchanged when no territory is given
    services.subscription_update(
        person=member_user,
        themes=["pcrs"],
        topics=["news"],
        frequency="weekly",
        use_organisation_perimeter=False,
    )
    assert list(subscription.communes.values_list("insee", flat=True)) == ["34172"]

    # Removed on request: the whole region
    services.subscription_update(
        person=member_user,
        themes=["pcrs"],
        topics=["news"],
        frequency="weekly",
        use_organisation_perimeter=False,
        clear_territory=True,
    )
    assert subscription_territory(subscription) is None


def test_a_person_without_organisation_follows_the_whole_region(plain_user):
    subscription = services.subscription_update(
        person=plain_user, themes=[], topics=["news"], frequency="weekly"
    )

    assert subscription_territory(subscription) is None


def test_the_signed_link_unsubscribes_once_and_again_harmlessly(member_user):
    subscription = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )
    token = _token(subscription)

    first = services.subscription_unsubscribe(token=token)
    second = services.subscription_unsubscribe(token=token)

    assert (first.pk, first.active, second.active) == (subscription.pk, False, False)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "",
        lambda token: "not-a-token",
        # A validly signed value with another salt (another feature's link)
        lambda token: signing.dumps({"s": 1, "t": "0" * 32}),
    ],
)
def test_a_tampered_link_is_refused_and_nothing_changes(member_user, tamper):
    subscription = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )

    with pytest.raises(InvalidInput) as caught:
        services.subscription_unsubscribe(token=tamper(_token(subscription)))

    assert str(caught.value.message) == (
        "This unsubscribe link is not valid (altered, or replaced by a newer one). "
        "Manage your subscription from your account."
    )
    subscription.refresh_from_db()
    assert subscription.active is True


def test_a_link_for_another_subscription_id_is_refused(member_user, referent_user):
    mine = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )
    other = services.subscription_update(
        person=referent_user, themes=[], topics=["news"], frequency="weekly"
    )
    forged = signing.dumps(
        {"s": other.pk, "t": mine.token.hex},
        salt="crig.news.unsubscribe",
        compress=True,
    )

    with pytest.raises(InvalidInput):
        services.subscription_unsubscribe(token=forged)
    other.refresh_from_db()
    assert other.active is True


def test_resubscribing_invalidates_the_old_links(member_user):
    subscription = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )
    old_token = _token(subscription)
    services.subscription_unsubscribe(token=old_token)

    # When the person subscribes again
    renewed = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )

    # Then the link of an old e-mail no longer unsubscribes them
    with pytest.raises(InvalidInput):
        services.subscription_unsubscribe(token=old_token)
    renewed.refresh_from_db()
    assert renewed.active is True
    assert _token(renewed) != old_token
    assert services.subscription_unsubscribe(token=_token(renewed)).active is False


def test_changing_an_active_subscription_keeps_its_links(member_user):
    subscription = services.subscription_update(
        person=member_user, themes=[], topics=["news"], frequency="weekly"
    )
    token = _token(subscription)

    services.subscription_update(
        person=member_user, themes=["pcrs"], topics=["news"], frequency="daily"
    )

    assert services.subscription_unsubscribe(token=token).active is False
