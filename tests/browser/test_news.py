"""An editor writes a news item whose title and text carry script and HTML
injections and publishes it; a visitor reads it, and nothing runs. A member
then changes their subscription."""

import re

import pytest
from playwright.sync_api import expect

from crig.members.models import Membership
from crig.members.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
)
from crig.news.models import NewsItem, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
TITLE = f"PCRS {SCRIPT}{IMAGE} : nouvelle version"
BODY = (
    "<p>La version 2.0 du standard <strong>PCRS</strong> est publiée.</p>"
    f"{SCRIPT}<p>{IMAGE}Détails</p>"
    '<p><a href="javascript:window.__xss=1">Cliquez ici</a> ou '
    '<a href="https://cnig.gouv.fr/pcrs" onclick="window.__xss=1">sur le site '
    "du CNIG</a>.</p>"
    '<svg onload="window.__xss=1"><circle r="1"></circle></svg>'
    '<iframe src="javascript:window.__xss=1"></iframe>'
)


def _local_only(page, base_url):
    """No request leaves the machine."""

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)


def _log_in(page, base_url, email):
    page.goto(base_url + "/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.get_by_role("link", name="Mon compte", exact=True).wait_for()


def _watch_dialogs(page) -> list[str]:
    """Every alert, confirm or prompt the page opens (dismissed at once)."""
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_injections_in_a_news_item_do_not_run(
    live_server, browser, page, screenshot_path
):
    editor = MembershipFactory(
        person__email="edith.region@example.org",
        person__full_name="Édith Région",
        organisation=SignatoryFactory(
            organisation=OrganisationFactory(
                name="Région Occitanie", acronym="RO", slug="region-occitanie"
            )
        ).organisation,
        role=Membership.Role.MEMBER,
    ).person
    editor_dialogs = _watch_dialogs(page)
    _local_only(page, live_server.url)

    # An editor of a signatory writes the item from the news list.
    _log_in(page, live_server.url, editor.email)
    page.goto(live_server.url + "/actualites/")
    page.get_by_role("link", name="Rédiger une actualité").click()
    page.wait_for_url(re.compile(r"/actualites/nouvelle/$"))
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Chapô").fill(f"Résumé {IMAGE}")
    page.get_by_label(re.compile(r"^Texte")).fill(BODY)
    page.get_by_label("Plan de corps de rue simplifié (PCRS)").check()
    page.screenshot(path=str(screenshot_path("news-form.png")), full_page=True)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/actualites/\d+/$"))

    # The draft's page: the title shows as typed, the body sanitised.
    item = NewsItem.objects.get()
    assert item.state == NewsItem.State.DRAFT
    assert item.title == TITLE
    assert "script" not in item.body
    assert "onerror" not in item.body
    assert "javascript:" not in item.body
    assert "onclick" not in item.body
    assert page.get_by_text("Le brouillon est enregistré.").is_visible()

    # It publishes it now.
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("L'actualité est publiée.")).to_be_visible()
    item.refresh_from_db()
    assert item.state == NewsItem.State.PUBLISHED
    assert page.evaluate("typeof window.__xss") == "undefined"

    # Its relay newsletter holds the item, sanitised, in a sandboxed frame.
    page.get_by_role("link", name="Toutes les actualités", exact=True).click()
    page.get_by_role("link", name="Lettre de relais").click()
    page.wait_for_url(re.compile(r"/actualites/relais/"))
    relayed = page.locator(".news-relay-items li")
    expect(relayed).to_have_count(1)
    assert relayed.get_by_role("link").inner_text() == TITLE
    frame = page.frame_locator("iframe.news-relay-frame")
    expect(frame.get_by_text("La version 2.0 du standard")).to_be_visible()
    assert frame.locator("script, img, svg, iframe").count() == 0
    # The plain-text version shows the title as typed, as text.
    text_version = page.locator("pre.news-relay-text")
    assert TITLE in text_version.inner_text()
    assert text_version.locator("script, img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.screenshot(path=str(screenshot_path("news-relay.png")), full_page=True)
    assert editor_dialogs == []

    # A visitor opens the list, then the item.
    visitor_context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    visitor = visitor_context.new_page()
    visitor.set_default_timeout(15_000)
    visitor_dialogs = _watch_dialogs(visitor)
    _local_only(visitor, live_server.url)
    visitor.goto(live_server.url + "/actualites/")
    card = visitor.locator(".news-card").first
    # The title is plain text: the markup shows as typed, nothing is an element.
    assert card.get_by_role("heading", level=3).inner_text() == TITLE
    assert card.locator("script, img").count() == 0
    assert visitor.evaluate("typeof window.__xss") == "undefined"
    visitor.screenshot(path=str(screenshot_path("news-list.png")), full_page=True)

    card.get_by_role("link").click()
    visitor.wait_for_url(re.compile(rf"/actualites/{item.pk}/$"))
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    body = visitor.locator(".news-body")
    assert body.locator("script, img, svg, iframe").count() == 0
    assert body.get_by_text("La version 2.0 du standard PCRS est publiée.").is_visible()
    assert body.locator("strong").inner_text() == "PCRS"
    # The javascript: link lost its target; the other keeps its https one.
    links = body.locator("a")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href") is None
    assert links.nth(1).get_attribute("href") == "https://cnig.gouv.fr/pcrs"
    assert links.nth(1).get_attribute("onclick") is None
    links.nth(0).click()
    assert visitor.locator(".news-article .lead").inner_text() == f"Résumé {IMAGE}"
    assert visitor.evaluate("typeof window.__xss") == "undefined"
    assert visitor_dialogs == []
    # The feeds are announced to feed readers.
    assert (
        visitor.locator(
            'link[rel=alternate][type="application/atom+xml"]'
        ).first.get_attribute("href")
        == "/feeds/news.atom"
    )
    visitor.screenshot(path=str(screenshot_path("news-detail.png")), full_page=True)
    visitor_context.close()


def test_a_member_changes_their_subscription(live_server, page, screenshot_path):
    member = MembershipFactory(
        person__email="marc.gers@example.org",
        person__full_name="Marc Gers",
        organisation=OrganisationFactory(name="Département du Gers", acronym="CD32"),
        role=Membership.Role.MEMBER,
    ).person
    dialogs = _watch_dialogs(page)
    _local_only(page, live_server.url)
    _log_in(page, live_server.url, member.email)

    # From the news list, "S'abonner" leads to the settings page.
    page.goto(live_server.url + "/actualites/")
    page.get_by_role("link", name="S'abonner").click()
    page.wait_for_url(re.compile(r"/mon-compte/abonnements/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mes abonnements"

    page.get_by_label("Actualités et relais du CNIG").check()
    page.get_by_label("Nouveaux jeux de données").check()
    page.get_by_label("Plan de corps de rue simplifié (PCRS)").check()
    page.get_by_label("LIDAR", exact=True).check()
    page.get_by_label("Toute la région").check()
    page.get_by_label("Résumé quotidien").check()
    page.screenshot(
        path=str(screenshot_path("news-subscriptions-form.png")), full_page=True
    )
    page.get_by_role("button", name="Enregistrer mon abonnement").click()

    expect(page.get_by_text("Votre abonnement est enregistré.")).to_be_visible()
    subscription = Subscription.objects.get(person=member)
    assert subscription.topics == ["news", "datasets"]
    assert subscription.themes == ["pcrs", "lidar"]
    assert subscription.frequency == Subscription.Frequency.DAILY
    assert subscription.use_organisation_perimeter is False
    assert subscription.active is True
    # The page shows the choices saved, and the next digest's preview.
    assert page.get_by_label("Résumé quotidien").is_checked()
    assert page.get_by_label("Toute la région").is_checked()
    expect(page.get_by_role("heading", name="Avec ces choix")).to_be_visible()
    page.screenshot(
        path=str(screenshot_path("news-subscriptions-saved.png")), full_page=True
    )

    # Unticking "Send me these e-mails" pauses it.
    page.get_by_label("M'envoyer ces courriels").uncheck()
    page.get_by_role("button", name="Enregistrer mon abonnement").click()
    expect(page.get_by_text("Votre abonnement est suspendu")).to_be_visible()
    subscription.refresh_from_db()
    assert subscription.active is False
    assert dialogs == []
