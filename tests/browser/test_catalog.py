"""A visitor searches the catalogue, opens a record, then looks at the gaps."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db):
    call_command("demo", verbosity=0)


def test_search_a_record_and_see_its_footprint(live_server, page, demo_site):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Catalogue"
    ).click()
    page.wait_for_url(re.compile(r"/catalogue/"))

    page.get_by_label("Mots").fill("orthophotographie toulouse")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"q=orthophotographie"))
    results = page.locator("ol.results > li")
    assert results.count() >= 1
    first_title = results.first.get_by_role("link").first
    assert "Toulouse" in first_title.inner_text()

    first_title.click()
    page.wait_for_url(re.compile(r"/catalogue/jeux-de-donnees/\d+/"))
    assert "Toulouse" in page.get_by_role("heading", level=1).inner_text()
    page.locator("[data-crig-map][data-loaded=true]").first.wait_for()


def test_coverage_gaps_of_a_referentiel(live_server, page, demo_site, screenshot_path):
    page.goto(live_server.url + "/catalogue/couverture/")
    page.get_by_role("link", name=re.compile("Orthophotographie")).first.click()
    page.wait_for_url(re.compile(r"/couverture/orthophotographie/"))

    page.locator("[data-crig-map][data-loaded=true]").first.wait_for()
    assert page.get_by_role("table").first.is_visible()
    page.screenshot(path=str(screenshot_path("coverage.png")), full_page=False)
