"""Pages of one's own subscription, the one-click unsubscribe link, the digest
preview and the signatories' relay newsletter, per role."""

import datetime
import html
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crig.members.models import Membership
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
)
from crig.news.models import NewsItem, Subscription
from crig.news.services import subscription_unsubscribe_url
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

SUBSCRIPTIONS = "/mon-compte/abonnements/"


@pytest.fixture
def community_user(signatory):
    return MembershipFactory(
        person__email="community@example.org",
        organisation=signatory.organisation,
        role=Membership.Role.MEMBER,
    ).person


@pytest.fixture
def other_signatory(db):
    return SignatoryFactory(
        organisation=OrganisationFactory(
            name="Préfecture de région", slug="prefecture-de-region", acronym="PREF"
        )
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _subscribed(person, **fields) -> Subscription:
    """A subscription made a month ago, so that its digest covers a full week."""
    subscription = SubscriptionFactory(person=person, **fields)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    subscription.refresh_from_db()
    return subscription


def _form(**overrides) -> dict:
    data = {
        "topics": ["news", "datasets"],
        "themes": ["pcrs"],
        "territory": "organisations",
        "frequency": "weekly",
        "active": "on",
    }
    data.update(overrides)
    return data


# --- My subscriptions ---------------------------------------------------------------


def test_subscriptions_need_an_account(client, db):
    response = client.get(SUBSCRIPTIONS)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/connexion/?next=/mon-compte/abonnements/"


def test_a_person_without_subscription_is_invited_to_choose(client, member_user):
    client.force_login(member_user)

    response = client.get(SUBSCRIPTIONS)

    assert response.status_code == HTTPStatus.OK
    text = _text(response)
    assert "<h1>Mes abonnements</h1>" in text
    assert (
        "Vous n'avez pas encore d'abonnement : choisissez ci-dessous ce que vous "
        "voulez recevoir."
    ) in text
    assert '<input type="radio" name="frequency" value="weekly"' in text
    assert "Enregistrez un abonnement actif pour voir ce qu'il vous apporterait." in (
        text
    )


@pytest.mark.parametrize(
    "role", ["plain_user", "member_user", "community_user", "secretariat_user"]
)
def test_a_person_saves_their_own_subscription(client, request, plain_user, role):
    # Given someone else's subscription
    other = SubscriptionFactory(person=plain_user, topics=["events"])
    person = request.getfixturevalue(role)
    client.force_login(person)

    # When the person saves their choices
    response = client.post(SUBSCRIPTIONS, _form(frequency="daily"), follow=True)

    # Then their own subscription holds them, and nobody else's changed
    subscription = Subscription.objects.get(person=person)
    assert "Votre abonnement est enregistré." in _text(response)
    assert subscription.topics == ["news", "datasets"]
    assert subscription.themes == ["pcrs"]
    assert subscription.frequency == Subscription.Frequency.DAILY
    assert subscription.use_organisation_perimeter is True
    assert subscription.active is True
    if person != plain_user:
        other.refresh_from_db()
        assert other.topics == ["events"]
        assert other.frequency == Subscription.Frequency.WEEKLY


def test_communes_chosen_with_the_territory_fields(client, member_user, toulouse):
    client.force_login(member_user)

    response = client.post(
        SUBSCRIPTIONS, _form(territory="chosen", **{"territory-communes": "31555"})
    )

    assert response.status_code == HTTPStatus.FOUND
    subscription = Subscription.objects.get(person=member_user)
    assert subscription.use_organisation_perimeter is False
    assert list(subscription.communes.all()) == [toulouse]
    page = client.get(SUBSCRIPTIONS)
    assert '<input type="radio" name="territory" value="chosen"' in page.text
    assert 'value="chosen"\n' not in page.text
    assert re.search(r'value="chosen"[^>]*checked', page.text)
    assert "Communes choisies :" in _text(page)


def test_the_whole_region_drops_the_communes_chosen_before(
    client, member_user, toulouse
):
    subscription = SubscriptionFactory(
        person=member_user, use_organisation_perimeter=False
    )
    subscription.communes.add(toulouse)
    client.force_login(member_user)

    client.post(SUBSCRIPTIONS, _form(territory="region"))

    subscription.refresh_from_db()
    assert subscription.use_organisation_perimeter is False
    assert subscription.communes.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"territory": "chosen"},
            "Choisissez au moins une commune, un EPCI ou un département ci-dessous, "
            "ou un autre territoire plus haut.",
        ),
        (
            {"territory": "chosen", "territory-communes": "99999"},
            "Codes de commune inconnus : 99999.",
        ),
        (
            {"frequency": "hourly"},
            "Sélectionnez un choix valide. hourly n’en fait pas partie.",
        ),
        (
            {"topics": ["news", "tout"]},
            "Sélectionnez un choix valide. tout n’en fait pas partie.",
        ),
    ],
)
def test_bad_input_rerenders_in_french_and_changes_nothing(
    client, member_user, territory, overrides, message
):
    subscription = SubscriptionFactory(person=member_user, topics=["events"])
    client.force_login(member_user)

    response = client.post(SUBSCRIPTIONS, _form(**overrides))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = _text(response)
    assert (
        "Votre abonnement n'a pas été enregistré. Corrigez ce qui est signalé "
        "ci-dessous."
    ) in text
    assert message in text
    subscription.refresh_from_db()
    assert subscription.topics == ["events"]
    assert subscription.communes.count() == 0


def test_untick_active_pauses_the_subscription(client, member_user):
    _subscribed(member_user)
    client.force_login(member_user)

    response = client.post(SUBSCRIPTIONS, _form(active=""), follow=True)

    assert Subscription.objects.get(person=member_user).active is False
    assert "Votre abonnement est suspendu : vous ne recevez aucun courriel." in _text(
        response
    )


def test_the_page_previews_the_next_digest_with_what_the_person_may_read(
    client, plain_user, news_item, members_item
):
    # Given a person in no organisation following the news, a public item and a
    # members-only item
    _subscribed(plain_user, topics=["news"])
    client.force_login(plain_user)

    # When they open their subscriptions
    response = client.get(SUBSCRIPTIONS)

    # Then the preview lists the public item only
    text = _text(response)
    preview = text[text.index('id="preview-title"') :]
    assert f'<a href="{settings.SITE_URL}/actualites/{news_item.pk}/">' in preview
    assert "Nouveau standard PCRS" in preview
    assert "Réservé aux membres" not in preview


# --- Unsubscribe ----------------------------------------------------------------------


def _unsubscribe_path(subscription) -> str:
    url = subscription_unsubscribe_url(subscription)
    return url[url.index("/desabonnement/") :]


def test_the_link_shows_a_confirm_button_and_changes_nothing(client, member_user):
    subscription = _subscribed(member_user)
    path = _unsubscribe_path(subscription)

    response = client.get(path)

    assert response.status_code == HTTPStatus.OK
    assert (
        f'<form method="post" action="{path}">\n    <button type="submit" '
        'class="button">Se désabonner</button>'
    ) in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.active is True


def test_the_confirm_button_unsubscribes(client, member_user):
    subscription = _subscribed(member_user)

    response = client.post(_unsubscribe_path(subscription))

    assert response.status_code == HTTPStatus.OK
    assert "Vous ne recevrez plus ces courriels." in _text(response)
    subscription.refresh_from_db()
    assert subscription.active is False


def test_one_click_unsubscribe_from_a_mail_client_without_csrf_token(member_user):
    # Given a mail client posting RFC 8058's body, outside any session
    subscription = _subscribed(member_user)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _unsubscribe_path(subscription), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == HTTPStatus.OK
    subscription.refresh_from_db()
    assert subscription.active is False


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "n-importe-quoi",
        lambda token: token.replace(":", ":x", 1),
    ],
)
def test_a_tampered_link_is_refused_in_french(client, member_user, tamper):
    subscription = _subscribed(member_user)
    token = _unsubscribe_path(subscription).split("/")[2]

    response = client.post(reverse("news:unsubscribe", args=[tamper(token)]))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Ce lien de désabonnement n'est pas valide (modifié, ou remplacé par un "
        "plus récent). Gérez votre abonnement depuis votre compte."
    ) in _text(response)
    subscription.refresh_from_db()
    assert subscription.active is True


def test_the_page_refuses_other_methods(client, member_user):
    path = _unsubscribe_path(_subscribed(member_user))

    assert client.put(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Digest preview -------------------------------------------------------------------


def test_digest_preview_shows_the_persons_next_email(client, member_user, news_item):
    _subscribed(member_user, topics=["news"])
    client.force_login(member_user)

    response = client.get(reverse("news:digest_preview"))

    assert response.status_code == HTTPStatus.OK
    text = _text(response)
    assert "Votre prochain courriel (résumé hebdomadaire)" in text
    assert '<h2 id="entries-title">1 nouveauté</h2>' in text
    assert "Nouveau standard PCRS" in text
    assert re.search(r"<strong>Objet :</strong> .*1 ", text)
    assert 'sandbox="" ' in text
    # The person's own unsubscribe link is in the e-mail.
    assert "/desabonnement/" in text
    # Only the secretariat may name someone else.
    assert 'name="person"' not in text


def test_a_member_cannot_preview_another_persons_digest(
    client, member_user, plain_user, members_item
):
    _subscribed(plain_user, topics=["news"])
    _subscribed(member_user, topics=["events"])
    client.force_login(member_user)

    response = client.get(reverse("news:digest_preview") + "?person=plain@example.org")

    # The field does not exist for them: their own (empty) digest is shown.
    text = _text(response)
    assert "Votre prochain courriel" in text
    assert "Réservé aux membres" not in text
    assert "Rien sur cette période : aucun courriel ne serait envoyé." in text


def test_the_secretariat_previews_a_persons_digest_without_their_link(
    client, secretariat_user, member_user, members_item
):
    _subscribed(member_user, topics=["news"])
    client.force_login(secretariat_user)

    response = client.get(
        reverse("news:digest_preview") + "?person=member@example.org&frequency="
    )

    text = _text(response)
    assert "Le prochain courriel de Marie Membre (résumé hebdomadaire)" in text
    assert "Réservé aux membres" in text
    assert "/desabonnement/" not in text


def test_the_secretariat_names_an_unknown_person(client, secretariat_user):
    client.force_login(secretariat_user)

    response = client.get(
        reverse("news:digest_preview") + "?person=personne@example.org"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Aucun compte actif n'a cette adresse." in _text(response)


# --- Relay newsletter -----------------------------------------------------------------


@pytest.fixture
def relay_items(news_item, members_item, signatory, other_signatory):
    return {
        "public": news_item,
        "members": members_item,
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
        "draft": NewsItemFactory(
            title="Brouillon", state=NewsItem.State.DRAFT, publish_at=None
        ),
    }


def _period() -> dict:
    today = timezone.localdate()
    return {
        "start": (today - datetime.timedelta(days=7)).isoformat(),
        "end": today.isoformat(),
    }


def _relayed(response) -> list[str]:
    text = _text(response)
    section = text[text.index('class="news-relay-items"') :]
    section = section[: section.index("</ul>")]
    return re.findall(r'<li><a href="/actualites/\d+/">([^<]+)</a>', section)


def test_relay_needs_an_account(client, db):
    response = client.get(reverse("news:relay"))

    assert response.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("role", ["plain_user", "member_user", "referent_user"])
def test_relay_is_for_editors(client, request, signatory, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(
        reverse("news:relay"), {"signatory": signatory.pk, **_period()}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", ["community_user", "reviewer_user"])
def test_a_signatorys_person_previews_its_newsletter(
    client, request, relay_items, role
):
    # Given a person of the signatory (member or reviewer)
    client.force_login(request.getfixturevalue(role))

    # When they open the relay page with a period
    response = client.get(reverse("news:relay"), _period())

    # Then their one signatory is chosen, and the newsletter holds the public
    # items and its community's, never the members-only items nor another
    # community's
    assert response.status_code == HTTPStatus.OK
    assert sorted(_relayed(response)) == [
        "Nouveau standard PCRS",
        "Pour la communauté de la Région",
    ]
    text = _text(response)
    assert "Pour la communauté de la Préfecture" not in text
    assert "Réservé aux membres" not in text
    assert '<iframe class="news-relay-frame" sandbox=""' in text
    assert '<pre class="news-relay-text" tabindex="0">' in text


def test_an_editor_cannot_ask_for_another_signatorys_newsletter(
    client, community_user, relay_items, other_signatory
):
    client.force_login(community_user)

    response = client.get(
        reverse("news:relay"), {"signatory": other_signatory.pk, **_period()}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = _text(response)
    assert "Sélectionnez un choix valide." in text
    assert "Pour la communauté de la Préfecture" not in text


def test_the_period_is_the_last_30_days_unless_given(
    client, secretariat_user, relay_items, other_signatory
):
    client.force_login(secretariat_user)

    response = client.get(reverse("news:relay"), {"signatory": other_signatory.pk})

    today = timezone.localdate()
    assert response.status_code == HTTPStatus.OK
    assert f'value="{(today - datetime.timedelta(days=30)).isoformat()}"' in (
        response.content.decode()
    )
    assert sorted(_relayed(response)) == [
        "Nouveau standard PCRS",
        "Pour la communauté de la Préfecture",
    ]


def test_the_secretariat_previews_any_signatorys_newsletter(
    client, secretariat_user, relay_items, other_signatory
):
    client.force_login(secretariat_user)

    response = client.get(
        reverse("news:relay"), {"signatory": other_signatory.pk, **_period()}
    )

    assert sorted(_relayed(response)) == [
        "Nouveau standard PCRS",
        "Pour la communauté de la Préfecture",
    ]


@pytest.mark.parametrize(
    ("download", "content_type", "extension"),
    [
        ("html", "text/html; charset=utf-8", "html"),
        ("txt", "text/plain; charset=utf-8", "txt"),
    ],
)
def test_the_newsletter_downloads(
    client, community_user, signatory, relay_items, download, content_type, extension
):
    client.force_login(community_user)
    period = _period()

    response = client.get(
        reverse("news:relay"),
        {"signatory": signatory.pk, **period, "download": download},
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == content_type
    start = period["start"].replace("-", "")
    end = period["end"].replace("-", "")
    assert response["Content-Disposition"] == (
        f'attachment; filename="relais-crig-region-occitanie-{start}-{end}.{extension}"'
    )
    body = response.content.decode()
    assert "Nouveau standard PCRS" in body
    assert "Réservé aux membres" not in body


def test_a_period_ending_before_it_starts_is_refused_in_french(
    client, community_user, signatory
):
    client.force_login(community_user)

    response = client.get(
        reverse("news:relay"),
        {"signatory": signatory.pk, "start": "2025-03-01", "end": "2025-02-01"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "La fin de la période est avant son début." in _text(response)


def test_the_relay_page_escapes_the_letters_it_shows(client, community_user, signatory):
    # Given a public item whose title holds markup (plain text)
    NewsItemFactory(title='<img src=x onerror="alert(1)">Titre')
    client.force_login(community_user)

    # When the editor previews the newsletter
    response = client.get(reverse("news:relay"), _period())

    # Then the HTML letter is one escaped attribute of a sandboxed frame, and
    # the text letter is text
    page = response.content.decode()
    assert '<img src=x onerror="alert(1)">' not in page
    frame = re.search(r'<iframe [^>]*srcdoc="([^"]*)"></iframe>', page)
    assert frame is not None
    letter = html.unescape(frame.group(1))
    assert letter.startswith("<!DOCTYPE html>")
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Titre" in letter
    text = re.search(r'<pre class="news-relay-text" tabindex="0">([^<]*)</pre>', page)
    assert '<img src=x onerror="alert(1)">Titre' in html.unescape(text.group(1))
