"""Pages of news items per role: the list and its filters, an item's page, the
editorial pages (write, edit, submit, publish now or at a date, unpublish) and
the editors' list. Members-only and community items never reach the public;
drafts and scheduled items reach only the editors until their date."""

import datetime
import html
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from crig.members.models import Membership
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
)
from crig.news.models import NewsItem
from crig.news.tests.factories import NewsItemFactory

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
EDITORS = ["community_user", "reviewer_user", "secretariat_user", "admin_user"]
NOT_EDITORS = ["anonymous", "plain_user", "member_user", "referent_user"]


@pytest.fixture
def community_user(signatory):
    """A member of the signatory's organisation: its community, and an editor."""
    return MembershipFactory(
        person__email="community@example.org",
        person__full_name="Claire Communauté",
        organisation=signatory.organisation,
        role=Membership.Role.MEMBER,
    ).person


@pytest.fixture
def other_signatory(db):
    return SignatoryFactory(
        organisation=OrganisationFactory(
            name="Préfecture de région", slug="prefecture-de-region"
        )
    )


@pytest.fixture
def items(news_item, members_item, draft_item, signatory, other_signatory):
    now = timezone.now()
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
            title="Pour la communauté de la Préfecture",
            audience=NewsItem.Audience.COMMUNITY,
            community=other_signatory,
        ),
        "scheduled": NewsItemFactory(
            title="Annonce programmée", publish_at=now + datetime.timedelta(days=2)
        ),
        "review": NewsItemFactory(
            title="En attente de relecture",
            state=NewsItem.State.REVIEW,
            publish_at=None,
        ),
    }


def _client_for(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.text)


def _titles(response) -> set[str]:
    return {
        html.unescape(title)
        for title in re.findall(
            r'<h3><a href="/actualites/\d+/">([^<]+)</a></h3>', response.text
        )
    }


LIVE_TITLES = {
    "public": "Nouveau standard PCRS",
    "members": "Réservé aux membres",
    "community": "Pour la communauté de la Région",
    "other_community": "Pour la communauté de la Préfecture",
}
LIST_SEEN_BY = {
    "anonymous": {"public"},
    "plain_user": {"public"},
    "member_user": {"public", "members"},
    "referent_user": {"public", "members"},
    "community_user": {"public", "members", "community"},
    # A reviewer belongs to no organisation: the community, not the members.
    "reviewer_user": {"public", "community"},
    "secretariat_user": {"public", "members", "community", "other_community"},
    "admin_user": {"public", "members", "community", "other_community"},
}


# --- The list ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_the_live_items_the_role_may_read(client, request, items, role):
    # Given items for every audience, a draft, one in review and a scheduled one
    client = _client_for(client, request, role)

    # When the person opens the list
    response = client.get(reverse("news:list"))

    # Then they see the live items of their audiences, never a draft, an item in
    # review or a scheduled item (the editorial list shows those)
    assert response.status_code == HTTPStatus.OK
    assert _titles(response) == {LIVE_TITLES[key] for key in LIST_SEEN_BY[role]}


def test_list_marks_a_cnig_relay_with_its_source_standard_and_deadline(client, db):
    # Given a CNIG relay item with a deadline
    NewsItemFactory(
        title="Consultation sur le PCRS v2",
        kind=NewsItem.Kind.CNIG,
        source_name="CNIG – GT PCRS",
        source_url="https://cnig.gouv.fr/pcrs",
        standard="Standard PCRS v2.0",
        deadline=datetime.date(2031, 3, 31),
    )

    # When anyone opens the list
    response = client.get(reverse("news:list"))

    # Then the item says it is a CNIG relay, its source, standard and deadline
    text = response.text
    assert '<span class="badge news-cnig">Relais CNIG</span>' in text
    assert '<a href="https://cnig.gouv.fr/pcrs" rel="noopener external">' in text
    assert "CNIG – GT PCRS" in text
    assert "<dd>Standard PCRS v2.0</dd>" in text
    assert '<time datetime="2031-03-31">31 mars 2031</time>' in text


def test_list_links_the_atom_feeds_and_the_subscription_page(client, db):
    response = client.get(reverse("news:list") + "?theme=pcrs&departement=31")

    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Toutes les actualités publiques" href="/feeds/news.atom">'
    ) in response.text
    assert 'href="/feeds/theme/pcrs.atom"' in response.text
    assert 'href="/feeds/territory/31.atom"' in response.text
    assert (
        '<a class="button" href="/connexion/?next=/mon-compte/abonnements/">'
        "S'abonner</a>"
    ) in _text(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=cnig", {"Nouveau standard PCRS"}),
        ("kind=news", {"Orthophotographie 2024 de l'Hérault"}),
        ("theme=pcrs", {"Nouveau standard PCRS"}),
        ("theme=orthophotographie", {"Orthophotographie 2024 de l'Hérault"}),
        ("q=hérault", {"Orthophotographie 2024 de l'Hérault"}),
        ("departement=34", {"Orthophotographie 2024 de l'Hérault"}),
        ("year=2020", set()),
    ],
)
def test_list_filters(client, news_item, territory, montpellier, query, expected):
    # Given a CNIG item on the PCRS and a news item on Montpellier's orthophoto
    item = NewsItemFactory(
        title="Orthophotographie 2024 de l'Hérault", themes=["orthophotographie"]
    )
    item.communes.add(montpellier)

    # When the list is filtered
    response = client.get(reverse("news:list") + "?" + query)

    # Then only the matching items are listed
    assert response.status_code == HTTPStatus.OK
    assert _titles(response) == expected


def test_list_ignores_an_invalid_filter_and_says_so(client, news_item):
    response = client.get(reverse("news:list") + "?year=abc&kind=autre")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Certains filtres ne sont pas valides et ont été ignorés." in response.text
    assert _titles(response) == {"Nouveau standard PCRS"}


def test_list_escapes_a_title_with_html(client, db):
    NewsItemFactory(title='<script>alert("x")</script> Titre')

    response = client.get(reverse("news:list"))

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Titre" in response.text
    assert '<script>alert("x")</script>' not in response.text


# --- An item's page ---------------------------------------------------------------

DETAIL_SEEN_BY = {
    # The editors also open drafts, items in review and scheduled items, and
    # those of the community of a signatory they do not belong to only when
    # they are the secretariat.
    "anonymous": {"public"},
    "plain_user": {"public"},
    "member_user": {"public", "members"},
    "referent_user": {"public", "members"},
    "community_user": {
        "public",
        "members",
        "community",
        "draft",
        "scheduled",
        "review",
    },
    # A reviewer belongs to no organisation: not the members' items once live.
    "reviewer_user": {"public", "community", "draft", "scheduled", "review"},
    "secretariat_user": {
        "public",
        "members",
        "community",
        "other_community",
        "draft",
        "scheduled",
        "review",
    },
    "admin_user": {
        "public",
        "members",
        "community",
        "other_community",
        "draft",
        "scheduled",
        "review",
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_item_page_is_a_404_to_whoever_may_not_read_it(client, request, items, role):
    client = _client_for(client, request, role)

    statuses = {
        key: client.get(reverse("news:detail", args=[item.pk])).status_code
        for key, item in items.items()
    }

    assert {key for key, status in statuses.items() if status == HTTPStatus.OK} == (
        DETAIL_SEEN_BY[role]
    )
    assert {
        key for key, status in statuses.items() if status == HTTPStatus.NOT_FOUND
    } == set(items) - DETAIL_SEEN_BY[role]


def test_item_page_shows_the_sanitised_body_and_escapes_the_title(client, db):
    # Given an item whose body was sanitised when stored, and whose title and
    # summary hold HTML (plain text)
    item = NewsItemFactory(
        title="<b>Titre</b>",
        summary="<i>Chapô</i>",
        body='<p>Texte <a href="https://example.org" rel="noopener noreferrer">lien'
        "</a></p>",
    )

    # When anyone opens it
    response = client.get(reverse("news:detail", args=[item.pk]))

    # Then the body is rendered as HTML, the title and summary as text
    assert (
        '<p>Texte <a href="https://example.org" rel="noopener noreferrer">lien</a></p>'
    ) in response.text
    assert '<h1 id="news-title">&lt;b&gt;Titre&lt;/b&gt;</h1>' in response.text
    assert '<p class="lead">&lt;i&gt;Chapô&lt;/i&gt;</p>' in response.text


def test_item_page_shows_its_territory_and_attachments(client, news_item, toulouse):
    # Given a public item on Toulouse with an attachment
    news_item.communes.add(toulouse)
    news_item.territory_description = "Toulouse"
    news_item.save()
    news_item.attachments.create(name="note-pcrs.pdf", size=2048, file="news/n.pdf")

    # When anyone opens it
    response = client.get(reverse("news:detail", args=[news_item.pk]))

    # Then the territory and the attachment are listed
    assert '<h2 id="territory-title">Territoire</h2>' in response.text
    assert ">Toulouse</a>" in response.text
    assert ">note-pcrs.pdf</a>" in response.text
    assert "2,0\xa0Kio" in response.text


def test_item_page_links_only_the_objects_the_reader_may_see(client, member_user, db):
    from crig.catalog.models import Visibility
    from crig.catalog.tests.factories import DatasetFactory

    # Given a public item linking a public dataset and a members-only one
    item = NewsItemFactory()
    public = DatasetFactory(title="BD ORTHO 2024", visibility=Visibility.PUBLIC)
    hidden = DatasetFactory(title="Relevé interne", visibility=Visibility.RESTRICTED)
    item.datasets.add(public, hidden)

    # When an anonymous visitor opens it
    response = client.get(reverse("news:detail", args=[item.pk]))

    # Then only the public dataset is linked
    assert f'<a href="{public.get_absolute_url()}">BD ORTHO 2024</a>' in response.text
    assert "Relevé interne" not in response.text


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("anonymous", set()),
        ("member_user", set()),
        # Not the author: publishes, but neither edits nor submits.
        ("community_user", {"Publier"}),
        ("secretariat_user", {"Modifier", "Soumettre à relecture", "Publier"}),
    ],
)
def test_item_page_offers_the_editorial_actions_the_role_has(
    client, request, community_user, role, buttons
):
    # Given a draft written by a member of the signatory (community_user)
    draft = NewsItemFactory(
        title="Brouillon", state=NewsItem.State.DRAFT, publish_at=None
    )
    client = _client_for(client, request, role)

    response = client.get(reverse("news:detail", args=[draft.pk]))

    if role in ("anonymous", "member_user"):
        assert response.status_code == HTTPStatus.NOT_FOUND
        return
    found = set(
        re.findall(
            r'<(?:button type="submit" class="button(?: button-secondary| '
            r'button-danger)?"|a class="button '
            r'button-secondary" href="/actualites/\d+/modifier/")>([^<]+)<',
            response.text,
        )
    )
    assert found == buttons


# --- Writing ----------------------------------------------------------------------


def _item_post(**overrides):
    data = {
        "kind": "news",
        "title": "Nouvelle orthophotographie du Gers",
        "summary": "Disponible en téléchargement.",
        "body": "<p>Le <strong>Gers</strong> est couvert.</p><script>x()</script>",
        "audience": "public",
        "themes": ["orthophotographie"],
        "links": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_editors_may_write(client, request, db, role):
    client = _client_for(client, request, role)

    get = client.get(reverse("news:create"))
    post = client.post(reverse("news:create"), _item_post())

    if role == "anonymous":
        assert get.status_code == HTTPStatus.FOUND
        assert get["Location"] == "/connexion/?next=/actualites/nouvelle/"
    else:
        assert get.status_code == HTTPStatus.FORBIDDEN
        assert post.status_code == HTTPStatus.FORBIDDEN
    assert NewsItem.objects.count() == 0


@pytest.mark.parametrize("role", EDITORS)
def test_an_editor_writes_a_draft_with_a_sanitised_body(client, request, role):
    # Given an editor
    author = request.getfixturevalue(role)
    client.force_login(author)

    # When they write an item with a script in its body
    response = client.post(reverse("news:create"), _item_post())

    # Then a draft is saved with the sanitised body, and they see it
    item = NewsItem.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/actualites/{item.pk}/"
    assert item.state == NewsItem.State.DRAFT
    assert item.author == author
    assert item.body == "<p>Le <strong>Gers</strong> est couvert.</p>"
    assert list(item.themes.values_list("theme", flat=True)) == ["orthophotographie"]
    page = client.get(response["Location"])
    assert "Le brouillon est enregistré." in _text(page)


def test_the_body_help_lists_the_allowed_tags_as_text(client, secretariat_user):
    client.force_login(secretariat_user)

    response = client.get(reverse("news:create"))

    assert "paragraphes &lt;p&gt;" in response.text
    assert "<textarea" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"body": ""}, "Ce champ est obligatoire."),
        ({"kind": "autre"}, "Sélectionnez un choix valide."),
        (
            {"audience": "community"},
            "Choisissez le signataire dont la communauté pourra la lire.",
        ),
        (
            {"kind": "cnig", "standard": "PCRS v2"},
            "Un relais CNIG doit indiquer le lien vers sa source.",
        ),
        (
            {"links": "https://example.org/ailleurs/"},
            "Ce n'est pas l'adresse d'un jeu de données, d'un besoin, d'un avis, "
            "d'une action du plan ou d'un événement de la plateforme : "
            "https://example.org/ailleurs/",
        ),
        ({"source_url": "javascript:alert(1)"}, "Saisissez une URL valide."),
    ],
)
def test_bad_input_rerenders_in_french_and_saves_nothing(
    client, secretariat_user, overrides, message
):
    client.force_login(secretariat_user)

    response = client.post(reverse("news:create"), _item_post(**overrides))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "L'actualité n'a pas été enregistrée. Corrigez ce qui est signalé ci-dessous."
    ) in _text(response)
    assert message in _text(response)
    assert NewsItem.objects.count() == 0


def test_links_are_given_as_page_addresses(client, secretariat_user, need):
    from crig.catalog.tests.factories import DatasetFactory

    dataset = DatasetFactory()
    client.force_login(secretariat_user)

    response = client.post(
        reverse("news:create"),
        _item_post(
            links=f"http://testserver{dataset.get_absolute_url()}\n"
            f"{need.get_absolute_url()}\n\n"
        ),
    )

    item = NewsItem.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert list(item.datasets.all()) == [dataset]
    assert list(item.needs.all()) == [need]


def test_the_author_edits_their_item(client, community_user):
    item = NewsItemFactory(
        title="Ancien titre",
        author=community_user,
        state=NewsItem.State.DRAFT,
        publish_at=None,
    )
    client.force_login(community_user)

    form = client.get(reverse("news:edit", args=[item.pk]))
    response = client.post(
        reverse("news:edit", args=[item.pk]), _item_post(title="Nouveau titre")
    )

    assert 'value="Ancien titre"' in form.text
    assert response.status_code == HTTPStatus.FOUND
    item.refresh_from_db()
    assert item.title == "Nouveau titre"


def test_an_editor_may_not_edit_the_item_of_another(client, community_user):
    item = NewsItemFactory(title="D'un autre", state=NewsItem.State.DRAFT)
    client.force_login(community_user)

    response = client.post(
        reverse("news:edit", args=[item.pk]), _item_post(title="Changé")
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    item.refresh_from_db()
    assert item.title == "D'un autre"


def test_submit_for_review(client, community_user):
    item = NewsItemFactory(
        author=community_user, state=NewsItem.State.DRAFT, publish_at=None
    )
    client.force_login(community_user)

    response = client.post(reverse("news:submit", args=[item.pk]), follow=True)

    item.refresh_from_db()
    assert item.state == NewsItem.State.REVIEW
    assert "L'actualité a été soumise à la relecture des éditeurs." in _text(response)


def test_publish_now(client, secretariat_user, draft_item):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("news:publish", args=[draft_item.pk]), {"publish_at": ""}, follow=True
    )

    draft_item.refresh_from_db()
    assert draft_item.state == NewsItem.State.PUBLISHED
    assert draft_item.publish_at <= timezone.now()
    assert "L'actualité est publiée." in _text(response)


def test_publish_at_a_date_keeps_the_item_from_the_public_until_then(
    client, secretariat_user, draft_item
):
    # Given the secretariat schedules a draft for a future date
    client.force_login(secretariat_user)
    when = timezone.localtime() + datetime.timedelta(days=3)

    response = client.post(
        reverse("news:publish", args=[draft_item.pk]),
        {"publish_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    # Then it is scheduled, and the public neither lists nor opens it
    draft_item.refresh_from_db()
    assert draft_item.state == NewsItem.State.PUBLISHED
    assert draft_item.publish_at == when.replace(second=0, microsecond=0)
    assert "L'actualité sera publiée le " in _text(response)
    client.logout()
    assert _titles(client.get(reverse("news:list"))) == set()
    assert (
        client.get(reverse("news:detail", args=[draft_item.pk])).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_publish_in_the_past_is_refused(client, secretariat_user, draft_item):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("news:publish", args=[draft_item.pk]),
        {"publish_at": "2020-01-01T10:00"},
        follow=True,
    )

    draft_item.refresh_from_db()
    assert draft_item.state == NewsItem.State.DRAFT
    assert (
        "La date de publication est passée : laissez-la vide pour publier maintenant."
    ) in response.text


@pytest.mark.parametrize("role", NOT_EDITORS[1:])
def test_non_editors_may_not_publish_or_unpublish(client, request, news_item, role):
    draft = NewsItemFactory(state=NewsItem.State.DRAFT, publish_at=None)
    client = _client_for(client, request, role)

    publish = client.post(reverse("news:publish", args=[draft.pk]))
    unpublish = client.post(reverse("news:unpublish", args=[news_item.pk]))

    # The draft is not even visible to them; the published item is.
    assert publish.status_code == HTTPStatus.NOT_FOUND
    assert unpublish.status_code == HTTPStatus.FORBIDDEN
    draft.refresh_from_db()
    news_item.refresh_from_db()
    assert draft.state == NewsItem.State.DRAFT
    assert news_item.state == NewsItem.State.PUBLISHED


def test_unpublish(client, secretariat_user, news_item):
    client.force_login(secretariat_user)

    response = client.post(reverse("news:unpublish", args=[news_item.pk]), follow=True)

    news_item.refresh_from_db()
    assert news_item.state == NewsItem.State.DRAFT
    assert "L'actualité n'est plus publiée : c'est de nouveau un brouillon." in (
        _text(response)
    )
    client.logout()
    assert _titles(client.get(reverse("news:list"))) == set()


# --- The editors' list --------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_EDITORS[1:])
def test_editorial_list_is_for_editors(client, request, role):
    client = _client_for(client, request, role)

    assert client.get(reverse("news:editorial")).status_code == HTTPStatus.FORBIDDEN


def test_editorial_list_groups_review_scheduled_and_drafts(
    client, community_user, items
):
    client.force_login(community_user)

    response = client.get(reverse("news:editorial"))

    sections = re.split(r'<h2 id="group-', response.text)[1:]
    found = {
        section.split('"')[0]: {
            html.unescape(title)
            for title in re.findall(
                r'<td><a href="/actualites/\d+/">([^<]+)</a></td>', section
            )
        }
        for section in sections
    }
    assert found == {
        "review": {"En attente de relecture"},
        "scheduled": {"Annonce programmée"},
        "draft": {"Brouillon d'actualité"},
    }
