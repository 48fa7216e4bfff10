"""A visitor opens the home page, logs in and browses the member directory."""

import re

import pytest
from django.core.management import call_command

from crig.members.tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db):
    # Transactional tests empty every table when they end; the demo command reloads
    # the territory when it is missing.
    call_command("demo", verbosity=0)


def test_home_login_directory(live_server, page, demo_site, screenshot_path):
    password = "motdepasse-solide-42"
    person = UserFactory(email="lea.martin@example.org", password=password)
    OrganisationFactory(name="Géomètres du Lauragais", category="entreprise")

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    signatories = page.get_by_role("region", name=re.compile("signataires", re.I))
    for name in (
        "Préfecture de la région Occitanie",
        "Région Occitanie",
        "IGN Occitanie",
        "OPenIG",
    ):
        assert signatories.get_by_text(name, exact=False).first.is_visible()

    page.get_by_role("link", name="Se connecter").click()
    page.locator("input[name=username]").fill(person.email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.get_by_role("link", name="Mon compte").wait_for()

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Membres"
    ).click()
    page.wait_for_url(re.compile(r"/membres/"))
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("Géomètres du Lauragais").is_visible()
    # The perimeters map draws its GeoJSON.
    page.locator("[data-crig-map][data-loaded=true]").first.wait_for()
    page.screenshot(path=str(screenshot_path("directory.png")), full_page=True)
