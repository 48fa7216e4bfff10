"""News reads: lists and feeds per audience, filters, the digest's selection
(themes, topics, territory, what the person may see) and relay newsletters."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from crig.actionplan.tests.factories import ActionFactory, ProgressUpdateFactory
from crig.catalog.models import CommuneCoverage, Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import InvalidInput, NotFound
from crig.events.tests.factories import EventFactory, MeetingFactory
from crig.funding.models import FundingRequest
from crig.funding.tests.factories import FundingRequestFactory, OpinionFactory
from crig.members.tests.factories import SignatoryFactory
from crig.needs.models import Need
from crig.needs.tests.factories import NeedFactory
from crig.news import selectors
from crig.news.models import NewsItem, Subscription
from crig.news.sanitise import sanitise_html
from crig.news.selectors import NewsFilters
from crig.news.tests.factories import NewsItemFactory

pytestmark = pytest.mark.django_db

TOULOUSE, MONTPELLIER = "31555", "34172"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crig.example"
    with translation.override("en"):
        yield


def _titles(items) -> list[str]:
    return [item.title for item in items]


# --- Lists and feeds ---------------------------------------------------------


@pytest.fixture
def audiences(signatory, other_organisation, territory):
    other = SignatoryFactory(organisation=other_organisation)
    hour = datetime.timedelta(hours=1)
    now = timezone.now()
    items = {
        "public": NewsItemFactory(title="Public", publish_at=now - 1 * hour),
        "members": NewsItemFactory(
            title="Membres", audience="members", publish_at=now - 2 * hour
        ),
        "community": NewsItemFactory(
            title="Communauté",
            audience="community",
            community=signatory,
            publish_at=now - 3 * hour,
        ),
        "other": NewsItemFactory(
            title="Autre communauté",
            audience="community",
            community=other,
            publish_at=now - 4 * hour,
        ),
        "draft": NewsItemFactory(title="Brouillon", state="draft", publish_at=None),
        "scheduled": NewsItemFactory(title="Programmée", publish_at=now + 5 * hour),
    }
    return items


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", ["Public"]),
        ("plain_user", ["Public"]),
        ("member_user", ["Public", "Membres"]),
        ("signatory_member_user", ["Public", "Membres", "Communauté"]),
        ("reviewer_user", ["Public", "Communauté"]),
        (
            "secretariat_user",
            ["Public", "Membres", "Communauté", "Autre communauté"],
        ),
    ],
)
def test_the_list_shows_live_items_by_audience_newest_first(
    request, audiences, role, expected
):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)

    assert _titles(selectors.news_list(user=user)) == expected


def test_the_public_feed_is_public_and_live_only_whatever_the_filters(audiences):
    assert _titles(selectors.news_public_feed()) == ["Public"]
    assert _titles(selectors.news_public_feed(limit=0)) == []


def test_list_filters(secretariat_user, territory):
    now = timezone.now()
    cnig = NewsItemFactory(
        title="Standard PCRS", kind="cnig", themes=["pcrs"], standard="PCRS v2.0"
    )
    cnig.communes.set([TOULOUSE])
    NewsItemFactory(
        title="Orthophoto de l'Hérault", themes=["orthophotographie"]
    ).communes.set([MONTPELLIER])
    NewsItemFactory(
        title="Ancienne", publish_at=now.replace(year=now.year - 1), body="<p>x</p>"
    )

    def titles(**filters):
        return _titles(
            selectors.news_list(user=secretariat_user, filters=NewsFilters(**filters))
        )

    assert titles(kind="cnig") == ["Standard PCRS"]
    assert titles(theme="orthophotographie") == ["Orthophoto de l'Hérault"]
    assert titles(departement="31") == ["Standard PCRS"]
    assert titles(q="v2.0 pcrs") == ["Standard PCRS"]
    assert titles(year=now.year - 1) == ["Ancienne"]
    for bad in ({"kind": "x"}, {"theme": "x"}, {"departement": "99"}):
        with pytest.raises(InvalidInput):
            titles(**bad)


def test_news_get_hides_what_the_person_may_not_read(audiences, member_user):
    assert selectors.news_get(user=member_user, pk=audiences["members"].pk).title == (
        "Membres"
    )
    for hidden in ("community", "draft", "scheduled"):
        with pytest.raises(NotFound) as caught:
            selectors.news_get(user=member_user, pk=audiences[hidden].pk)
        assert str(caught.value.message) == (
            "This news item does not exist or is not visible to you."
        )
    with pytest.raises(NotFound):
        selectors.news_get(user=member_user, pk=999999)


# --- Digests -----------------------------------------------------------------


@pytest.fixture
def period():
    now = timezone.now()
    return now - datetime.timedelta(days=7), now + datetime.timedelta(minutes=1)


def _subscribe(person, *, themes=("pcrs",), topics=None, communes=(TOULOUSE,)):
    subscription = Subscription.objects.create(
        person=person,
        themes=list(themes),
        topics=list(topics or Subscription.Topic.values),
        use_organisation_perimeter=False,
    )
    subscription.communes.set(list(communes))
    return subscription


def _dataset(title, *, insee=TOULOUSE, **fields):
    fields.setdefault("referentiel", "pcrs")
    fields.setdefault("published_on", timezone.localdate())
    dataset = DatasetFactory(title=title, coverage_computed_at=timezone.now(), **fields)
    CommuneCoverage.objects.create(dataset=dataset, commune_id=insee, fraction=0.5)
    return dataset


@pytest.fixture
def everything(territory, signatory, other_organisation, plan, draft_plan):
    """One thing per topic that a PCRS-on-Toulouse subscriber should get, and
    one that differs from it by one criterion each."""
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=30)
    other = SignatoryFactory(organisation=other_organisation)
    # News
    NewsItemFactory(title="N PCRS national", themes=["pcrs"])
    NewsItemFactory(title="N PCRS Toulouse", themes=["pcrs"]).communes.set([TOULOUSE])
    NewsItemFactory(title="N PCRS Montpellier", themes=["pcrs"]).communes.set(
        [MONTPELLIER]
    )
    NewsItemFactory(title="N LIDAR", themes=["lidar"])
    NewsItemFactory(title="N sans thème")
    NewsItemFactory(title="N PCRS membres", themes=["pcrs"], audience="members")
    NewsItemFactory(
        title="N PCRS autre communauté",
        themes=["pcrs"],
        audience="community",
        community=other,
    )
    NewsItemFactory(title="N PCRS ancien", themes=["pcrs"], publish_at=long_ago)
    NewsItemFactory(
        title="N PCRS brouillon", themes=["pcrs"], state="draft", publish_at=None
    )
    # Datasets
    _dataset("D PCRS Toulouse")
    _dataset("D PCRS Montpellier", insee=MONTPELLIER)
    _dataset("D ortho Toulouse", referentiel="orthophotographie")
    _dataset("D PCRS restreint", visibility=Visibility.RESTRICTED)
    _dataset("D PCRS vieux", published_on=datetime.date(2019, 1, 1))
    _dataset("D PCRS vu il y a un mois", first_seen_at=long_ago)
    DatasetFactory(title="D PCRS sans date", referentiel="pcrs")
    # Needs
    NeedFactory(title="B PCRS Toulouse", theme="pcrs")
    NeedFactory(title="B PCRS Montpellier", theme="pcrs", communes=[MONTPELLIER])
    NeedFactory(title="B ortho Toulouse", theme="orthophotographie")
    NeedFactory(
        title="B PCRS brouillon", theme="pcrs", state="draft", submitted_at=None
    )
    NeedFactory(
        title="B PCRS retenu",
        theme="pcrs",
        state=Need.State.RETAINED,
        submitted_at=long_ago,
        state_changed_at=now,
    )
    # Opinions
    published = FundingRequest.State.PUBLISHED
    OpinionFactory(
        request=FundingRequestFactory(title="A PCRS Toulouse", state=published),
        published_at=now,
    )
    OpinionFactory(
        request=FundingRequestFactory(
            title="A PCRS Montpellier", state=published, communes=[MONTPELLIER]
        ),
        published_at=now,
    )
    OpinionFactory(
        request=FundingRequestFactory(title="A PCRS non publié"), published_at=None
    )
    # Plan updates
    today = timezone.localdate()
    pcrs_action = ActionFactory(plan=plan, title="P PCRS", theme="pcrs")
    ProgressUpdateFactory(action=pcrs_action, dated=today)
    ProgressUpdateFactory(action=pcrs_action, dated=datetime.date(2020, 1, 1))
    ProgressUpdateFactory(
        action=ActionFactory(plan=plan, title="P ortho", theme="orthophotographie"),
        dated=today,
    )
    ProgressUpdateFactory(
        action=ActionFactory(plan=draft_plan, title="P PCRS brouillon", theme="pcrs"),
        dated=today,
    )
    # Events and meetings
    EventFactory(title="E à Toulouse")
    EventFactory(title="E à Montpellier", longitude=3.8767, latitude=43.6108)
    EventFactory(title="E brouillon", state="draft")
    MeetingFactory(title="R publiée", published_at=now)
    MeetingFactory(title="R brouillon", state="draft", published_at=None)


def _digest(person, period) -> list[tuple[str, str]]:
    start, end = period
    return [
        (entry.topic, entry.title)
        for entry in selectors.digest_entries(person=person, start=start, end=end)
    ]


def test_the_digest_selects_by_theme_territory_and_visibility(
    everything, member_user, period
):
    _subscribe(member_user)

    assert _digest(member_user, period) == [
        ("news", "N PCRS national"),
        ("news", "N PCRS Toulouse"),
        ("news", "N PCRS membres"),
        ("datasets", "D PCRS Toulouse"),
        ("needs", "B PCRS Toulouse"),
        ("needs", "B PCRS retenu"),
        ("opinions", "A PCRS Toulouse"),
        ("plan", _plan_title()),
        ("events", "E à Toulouse"),
        ("events", "R publiée"),
    ]


def _plan_title() -> str:
    from crig.actionplan.models import Action

    return str(Action.objects.get(title="P PCRS"))


def test_the_digest_follows_the_topics_only(everything, member_user, period):
    _subscribe(member_user, topics=["datasets", "opinions"])

    assert _digest(member_user, period) == [
        ("datasets", "D PCRS Toulouse"),
        ("opinions", "A PCRS Toulouse"),
    ]


def test_no_theme_followed_is_every_theme(everything, member_user, period):
    _subscribe(member_user, themes=(), topics=["news"])

    assert _digest(member_user, period) == [
        ("news", "N PCRS national"),
        ("news", "N PCRS Toulouse"),
        ("news", "N LIDAR"),
        ("news", "N sans thème"),
        ("news", "N PCRS membres"),
    ]


def test_without_territory_the_whole_region(everything, plain_user, period):
    _subscribe(plain_user, communes=(), topics=["news", "datasets", "needs"])

    assert _digest(plain_user, period) == [
        ("news", "N PCRS national"),
        ("news", "N PCRS Toulouse"),
        ("news", "N PCRS Montpellier"),
        ("datasets", "D PCRS Toulouse"),
        ("datasets", "D PCRS Montpellier"),
        ("needs", "B PCRS Toulouse"),
        ("needs", "B PCRS Montpellier"),
        ("needs", "B PCRS retenu"),
    ]


def test_a_community_item_reaches_only_its_community(
    everything, signatory, signatory_member_user, member_user, period
):
    NewsItemFactory(
        title="N PCRS communauté",
        themes=["pcrs"],
        audience="community",
        community=signatory,
    )
    _subscribe(signatory_member_user, topics=["news"])
    _subscribe(member_user, topics=["news"])

    assert ("news", "N PCRS communauté") in _digest(signatory_member_user, period)
    assert ("news", "N PCRS communauté") not in _digest(member_user, period)
    assert ("news", "N PCRS membres") in _digest(member_user, period)


def test_no_subscription_no_digest(everything, member_user, period):
    assert _digest(member_user, period) == []


def test_a_digest_entry_has_an_absolute_link(member_user, period, territory):
    item = NewsItemFactory(
        title="Relais", kind="cnig", standard="PCRS v2.0", summary="Consultation."
    )
    _subscribe(member_user, themes=(), topics=["news"])
    start, end = period

    (entry,) = selectors.digest_entries(person=member_user, start=start, end=end)

    assert entry.url == f"https://crig.example/actualites/{item.pk}/"
    assert entry.summary == "CNIG relay · PCRS v2.0 · Consultation."
    assert entry.at == item.publish_at


def test_the_digest_period(member_user):
    subscription = _subscribe(member_user)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    now = datetime.datetime(2026, 11, 23, 6, 42, 10, tzinfo=datetime.UTC)
    hour = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)

    assert selectors.digest_period(person=member_user, frequency="weekly", now=now) == (
        hour - datetime.timedelta(days=7),
        hour,
    )
    assert selectors.digest_period(person=member_user, frequency="daily", now=now) == (
        hour - datetime.timedelta(days=1),
        hour,
    )
    minute = datetime.datetime(2026, 11, 23, 6, 42, tzinfo=datetime.UTC)
    assert selectors.digest_period(
        person=member_user, frequency="immediate", now=now
    ) == (minute - datetime.timedelta(days=1), minute)

    # A subscription created three days ago: its first digest starts then
    created = hour - datetime.timedelta(days=3)
    Subscription.objects.filter(pk=subscription.pk).update(created_at=created)
    assert selectors.digest_period(person=member_user, frequency="weekly", now=now) == (
        created,
        hour,
    )


# --- Relay newsletters -------------------------------------------------------


def test_the_relay_newsletter_of_a_signatory(signatory, other_organisation, territory):
    other = SignatoryFactory(organisation=other_organisation)
    day = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
    NewsItemFactory(
        title="Standard PCRS v2.0 : consultation",
        kind="cnig",
        standard="PCRS v2.0",
        source_name="CNIG",
        source_url="https://cnig.gouv.fr/",
        deadline=datetime.date(2026, 12, 15),
        # Stored bodies are sanitised (the services do it)
        body=sanitise_html('<p>Répondez <a href="https://cnig.gouv.fr/">ici</a>.</p>'),
        publish_at=day,
    )
    NewsItemFactory(title="Pour la Région", audience="community", community=signatory,
                    publish_at=day)  # fmt: skip
    NewsItemFactory(title="Pour UM", audience="community", community=other,
                    publish_at=day)  # fmt: skip
    NewsItemFactory(title="Membres seulement", audience="members", publish_at=day)
    NewsItemFactory(title="Avant", publish_at=day - datetime.timedelta(days=30))
    NewsItemFactory(title="Brouillon", state="draft", publish_at=None)

    with translation.override("fr"):
        newsletter = selectors.relay_newsletter(
            signatory=signatory,
            start=datetime.date(2026, 11, 1),
            end=datetime.date(2026, 11, 10),
        )
        other_newsletter = selectors.relay_newsletter(
            signatory=other,
            start=datetime.date(2026, 11, 1),
            end=datetime.date(2026, 11, 10),
        )

    assert _titles(newsletter.items) == [
        "Standard PCRS v2.0 : consultation",
        "Pour la Région",
    ]
    assert _titles(other_newsletter.items) == [
        "Standard PCRS v2.0 : consultation",
        "Pour UM",
    ]
    for text in (newsletter.html, newsletter.text):
        assert "Pour UM" not in text
        assert "Membres seulement" not in text
    assert "Du 1 novembre 2026 au 10 novembre 2026, relayées par Région Occitanie." in (
        newsletter.text
    )
    assert "Répondez ici (https://cnig.gouv.fr/)." in newsletter.text
    assert "Date limite : 15 décembre 2026" in newsletter.text
    assert "<strong>Relais CNIG</strong>" in newsletter.html
    assert '<a href="https://cnig.gouv.fr/" rel="noopener noreferrer">ici</a>' in (
        newsletter.html
    )


def test_a_reversed_relay_period_is_refused(signatory):
    with pytest.raises(InvalidInput):
        selectors.relay_newsletter(
            signatory=signatory,
            start=datetime.date(2026, 11, 10),
            end=datetime.date(2026, 11, 1),
        )


def test_a_title_is_escaped_in_the_relay_newsletter(signatory, territory):
    NewsItemFactory(title="<script>alert(1)</script>", publish_at=timezone.now())
    today = timezone.localdate()

    newsletter = selectors.relay_newsletter(signatory=signatory, start=today, end=today)

    assert "<script>" not in newsletter.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in newsletter.html
    assert NewsItem.objects.count() == 1
