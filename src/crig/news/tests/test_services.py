"""News items: creation, edition, workflow, links, CNIG fields; bad input changes
nothing. Messages are the English msgids (services are tested in English)."""

import datetime

import pytest
from django.utils import timezone

from crig.catalog.models import Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.news import services
from crig.news.models import NewsItem
from crig.news.services import NewsData
from crig.news.tests.factories import NewsItemFactory
from crig.territory.selection import territory_selection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _data(**overrides) -> NewsData:
    values = {"title": "Nouvelle orthophoto", "body": "<p>Disponible.</p>"}
    values.update(overrides)
    return NewsData(**values)


def test_the_secretariat_creates_a_draft_with_a_sanitised_body(secretariat_user):
    # Given a body with a script and an event handler
    data = _data(
        body='<p onclick="x()">Texte<script>alert(1)</script></p>',
        themes=["pcrs", "lidar", "pcrs"],
        summary="  Un   résumé\n",
    )

    # When the secretariat creates the item
    item = services.news_create(author=secretariat_user, data=data)

    # Then it is a draft with a clean body and its themes once each
    item.refresh_from_db()
    assert item.state == NewsItem.State.DRAFT
    assert item.body == "<p>Texte</p>"
    assert item.summary == "Un résumé"
    assert item.author == secretariat_user
    assert sorted(item.themes.values_list("theme", flat=True)) == ["lidar", "pcrs"]


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"title": "   "}, "Give the news item a title.", "title"),
        (
            {"title": "x" * 201},
            "The title is too long (200 characters at most).",
            "title",
        ),
        (
            {"body": "<script>alert(1)</script>"},
            "Write the text of the news item.",
            "body",
        ),
        ({"themes": ["pcrs", "astrologie"]}, "Choose themes from the list.", "themes"),
        ({"kind": "rumour"}, "Choose a kind from the list.", "kind"),
        ({"audience": "everyone"}, "Choose an audience from the list.", "audience"),
        (
            {"audience": "community"},
            "Choose the signatory whose community the item is for.",
            "community_id",
        ),
        (
            {"kind": "cnig", "standard": "PCRS"},
            "A CNIG relay item needs the link to its source.",
            "source_url",
        ),
        (
            {"kind": "cnig", "source_url": "https://cnig.gouv.fr/"},
            "Name the standard or the consultation the CNIG relay concerns.",
            "standard",
        ),
        (
            {"kind": "cnig", "standard": "PCRS", "source_url": "javascript:alert(1)"},
            "The source link must be a web address (http or https).",
            "source_url",
        ),
        (
            {"standard": "PCRS"},
            "Only a CNIG relay item has a standard or a deadline: choose the kind "
            "“CNIG relay” or leave them empty.",
            "standard",
        ),
        (
            {"deadline": datetime.date(2025, 6, 30)},
            "Only a CNIG relay item has a standard or a deadline: choose the kind "
            "“CNIG relay” or leave them empty.",
            "deadline",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    secretariat_user, overrides, message, field
):
    with pytest.raises(InvalidInput) as caught:
        services.news_create(author=secretariat_user, data=_data(**overrides))

    assert str(caught.value.message) == message
    assert caught.value.field == field
    assert NewsItem.objects.count() == 0


def test_a_cnig_relay_keeps_its_source_standard_and_deadline(secretariat_user):
    item = services.news_create(
        author=secretariat_user,
        data=_data(
            kind="cnig",
            title="Standard PCRS v2.0 : consultation",
            source_url="https://cnig.gouv.fr/",
            standard="PCRS v2.0",
            deadline=datetime.date(2030, 1, 31),
        ),
    )

    item.refresh_from_db()
    assert (item.kind, item.source_name, item.source_url, item.standard) == (
        "cnig",
        "CNIG",
        "https://cnig.gouv.fr/",
        "PCRS v2.0",
    )
    assert item.deadline == datetime.date(2030, 1, 31)


@pytest.mark.parametrize("user_fixture", ["plain_user", "member_user", "referent_user"])
def test_people_who_are_not_editors_may_not_write(request, user_fixture):
    user = request.getfixturevalue(user_fixture)

    with pytest.raises(PermissionDenied):
        services.news_create(author=user, data=_data())

    assert NewsItem.objects.count() == 0


def test_a_signatory_editor_writes_for_their_own_community_only(
    signatory_member_user, signatory, other_organisation
):
    from crig.members.tests.factories import SignatoryFactory

    other_signatory = SignatoryFactory(organisation=other_organisation)

    own = services.news_create(
        author=signatory_member_user,
        data=_data(audience="community", community_id=signatory.pk),
    )
    with pytest.raises(PermissionDenied):
        services.news_create(
            author=signatory_member_user,
            data=_data(audience="community", community_id=other_signatory.pk),
        )

    assert own.community == signatory
    assert NewsItem.objects.count() == 1


def test_the_community_is_dropped_for_another_audience(secretariat_user, signatory):
    item = services.news_create(
        author=secretariat_user,
        data=_data(audience="members", community_id=signatory.pk),
    )

    assert item.community is None


def test_links_must_be_visible_to_the_author(
    secretariat_user, signatory_member_user, need, draft_need
):
    # Given a members-only dataset of an organisation the editor is not part of
    hidden = DatasetFactory(visibility=Visibility.RESTRICTED)
    public = DatasetFactory()

    # When the signatory's editor links it (and another member's draft need)
    with pytest.raises(InvalidInput) as caught:
        services.news_create(
            author=signatory_member_user,
            data=_data(dataset_ids=[public.pk, hidden.pk]),
        )
    with pytest.raises(InvalidInput) as caught_need:
        services.news_create(
            author=signatory_member_user, data=_data(need_ids=[draft_need.pk])
        )

    # Then both are refused; visible ones are linked
    assert str(caught.value.message) == (
        "A linked dataset does not exist or is not visible to you."
    )
    assert str(caught_need.value.message) == (
        "A linked need does not exist or is not visible to you."
    )
    item = services.news_create(
        author=signatory_member_user,
        data=_data(dataset_ids=[public.pk], need_ids=[need.pk]),
    )
    assert list(item.datasets.all()) == [public]
    assert list(item.needs.all()) == [need]


def test_links_to_actions_opinions_and_events(
    secretariat_user, action, event, draft_plan
):
    from crig.actionplan.tests.factories import ActionFactory

    draft_action = ActionFactory(plan=draft_plan, number=1, title="Brouillon")

    item = services.news_create(
        author=secretariat_user,
        data=_data(action_ids=[action.pk, draft_action.pk], event_ids=[event.pk]),
    )

    assert sorted(item.actions.values_list("pk", flat=True)) == sorted(
        [action.pk, draft_action.pk]
    )
    assert list(item.events.all()) == [event]
    with pytest.raises(InvalidInput):
        services.news_create(author=secretariat_user, data=_data(opinion_ids=[999999]))


def test_the_territory_is_stored_as_communes(secretariat_user, toulouse):
    territory = territory_selection(communes=["31555"])

    item = services.news_create(
        author=secretariat_user, data=_data(), territory=territory
    )

    assert list(item.communes.values_list("insee", flat=True)) == ["31555"]
    assert item.territory_description == "Toulouse"


def test_update_changes_fields_keeps_or_clears_the_territory(
    secretariat_user, territory
):
    item = services.news_create(
        author=secretariat_user,
        data=_data(themes=["pcrs"]),
        territory=territory_selection(communes=["31555"]),
    )

    services.news_update(
        actor=secretariat_user, item=item, data=_data(title="Titre", themes=["lidar"])
    )
    item.refresh_from_db()
    assert item.title == "Titre"
    assert list(item.themes.values_list("theme", flat=True)) == ["lidar"]
    assert list(item.communes.values_list("insee", flat=True)) == ["31555"]

    services.news_update(
        actor=secretariat_user, item=item, data=_data(), clear_territory=True
    )
    assert item.communes.count() == 0


def test_only_the_author_among_editors_changes_an_item(
    secretariat_user, signatory_member_user, reviewer_user
):
    item = services.news_create(author=signatory_member_user, data=_data())

    with pytest.raises(PermissionDenied):
        services.news_update(actor=reviewer_user, item=item, data=_data(title="Non"))
    services.news_update(actor=secretariat_user, item=item, data=_data(title="Oui"))

    item.refresh_from_db()
    assert item.title == "Oui"


def test_workflow_draft_review_published_unpublished(secretariat_user):
    item = services.news_create(author=secretariat_user, data=_data())

    item = services.news_submit_for_review(actor=secretariat_user, item=item)
    assert item.state == NewsItem.State.REVIEW
    with pytest.raises(Conflict):
        services.news_submit_for_review(actor=secretariat_user, item=item)

    before = timezone.now()
    item = services.news_publish(actor=secretariat_user, item=item)
    assert item.state == NewsItem.State.PUBLISHED
    assert item.publish_at >= before
    with pytest.raises(Conflict):
        services.news_publish(actor=secretariat_user, item=item)

    item = services.news_unpublish(actor=secretariat_user, item=item)
    assert (item.state, item.publish_at) == (NewsItem.State.DRAFT, None)
    with pytest.raises(Conflict):
        services.news_unpublish(actor=secretariat_user, item=item)


def test_scheduled_publication_and_a_past_date_refused(secretariat_user):
    item = services.news_create(author=secretariat_user, data=_data())
    later = timezone.now() + datetime.timedelta(days=3)

    with pytest.raises(InvalidInput) as caught:
        services.news_publish(
            actor=secretariat_user,
            item=item,
            publish_at=timezone.now() - datetime.timedelta(days=1),
        )
    assert str(caught.value.message) == (
        "The publication date is in the past: publish now instead."
    )
    item.refresh_from_db()
    assert item.state == NewsItem.State.DRAFT

    item = services.news_publish(actor=secretariat_user, item=item, publish_at=later)
    assert (item.state, item.publish_at) == (NewsItem.State.PUBLISHED, later)
    # Still scheduled: it may be rescheduled, or published now.
    item = services.news_publish(actor=secretariat_user, item=item)
    assert item.publish_at <= timezone.now()


@pytest.mark.parametrize(
    ("user_fixture", "allowed"),
    [
        ("plain_user", False),
        ("member_user", False),
        ("referent_user", False),
        ("signatory_member_user", True),
        ("reviewer_user", True),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_who_publishes(request, user_fixture, allowed, secretariat_user):
    user = request.getfixturevalue(user_fixture)
    item = NewsItemFactory(state=NewsItem.State.REVIEW, publish_at=None)

    if allowed:
        services.news_publish(actor=user, item=item)
    else:
        with pytest.raises(PermissionDenied):
            services.news_publish(actor=user, item=item)

    item.refresh_from_db()
    assert (item.state == NewsItem.State.PUBLISHED) is allowed


def test_an_editor_may_not_publish_another_communitys_item(
    signatory_member_user, other_organisation
):
    from crig.members.tests.factories import SignatoryFactory

    other_signatory = SignatoryFactory(organisation=other_organisation)
    item = NewsItemFactory(
        state=NewsItem.State.REVIEW,
        publish_at=None,
        audience=NewsItem.Audience.COMMUNITY,
        community=other_signatory,
    )

    with pytest.raises(PermissionDenied):
        services.news_publish(actor=signatory_member_user, item=item)

    item.refresh_from_db()
    assert item.state == NewsItem.State.REVIEW
