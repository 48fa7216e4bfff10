"""A referent ranks a round's shortlist; the secretariat closes the round; the
result page shows both methods and explains them."""

import re

import pytest

from crig.members.models import Membership
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from crig.needs import services
from crig.needs.tests.factories import NeedFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-solide-42"


def log_in(page, base_url, email):
    page.goto(base_url + "/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.get_by_role("link", name="Mon compte", exact=True).wait_for()


def log_out(page):
    page.get_by_role("button", name=re.compile("déconnecter", re.I)).click()


def test_referent_ranks_then_secretariat_closes(
    live_server, page, territory, screenshot_path
):
    organisation = OrganisationFactory(name="Toulouse Métropole")
    referent = MembershipFactory(
        person=UserFactory(email="referente@example.org", password=PASSWORD),
        organisation=organisation,
        role=Membership.Role.REFERENT,
    ).person
    secretariat = UserFactory(
        email="secretariat@example.org", password=PASSWORD, is_secretariat=True
    )
    ortho = NeedFactory(title="Orthophotographie 5 cm de Toulouse")
    lidar = NeedFactory(title="LIDAR HD de la Garonne")
    addresses = NeedFactory(title="Adresses normalisées du Gers")
    round_ = services.round_create(
        actor=secretariat,
        year=2025,
        title="Priorisation 2025",
        need_ids=[ortho.pk, lidar.pk, addresses.pk],
    )
    services.round_open(actor=secretariat, round_=round_)

    # The referent finds the round and ranks the shortlist with the selects
    log_in(page, live_server.url, referent.email)
    page.goto(live_server.url + "/besoins/priorisation/")
    page.get_by_role("link", name="Priorisation 2025").click()
    page.wait_for_url(re.compile(rf"/besoins/priorisation/{round_.pk}/"))
    page.get_by_label("LIDAR HD de la Garonne").select_option("1")
    page.get_by_label("Adresses normalisées du Gers").select_option("2")
    # A position given twice is refused, with the needs named
    page.get_by_label("Orthophotographie 5 cm de Toulouse").select_option("2")
    page.get_by_role("button", name="Envoyer le vote").click()
    page.get_by_text("La position 2 est donnée à plusieurs besoins").wait_for()
    page.screenshot(path=str(screenshot_path("needs-round-ballot.png")), full_page=True)
    page.get_by_label("Orthophotographie 5 cm de Toulouse").select_option("3")
    page.get_by_role("button", name="Envoyer le vote").click()
    page.get_by_text("Le vote de Toulouse Métropole est enregistré.").wait_for()
    log_out(page)

    # The secretariat closes the round
    log_in(page, live_server.url, secretariat.email)
    page.goto(live_server.url + round_.get_absolute_url())
    page.get_by_role("button", name="Clore le tour et publier le résultat").click()
    page.get_by_text("Le tour est clos et son résultat public.").wait_for()

    # The result and the method are public
    result = page.get_by_role("region", name="Résultat")
    schulze = result.get_by_role("table", name="Ordre selon la méthode de Schulze")
    first_row = schulze.get_by_role("row").nth(1)
    assert "LIDAR HD de la Garonne" in first_row.inner_text()
    assert page.get_by_role("heading", name="La méthode en quelques mots").is_visible()
    assert page.get_by_text("Duels un à un").is_visible()
    page.screenshot(path=str(screenshot_path("needs-round-result.png")), full_page=True)


def test_priorities_page_explains_the_scores(
    live_server, page, territory, screenshot_path
):
    NeedFactory(title="Orthophotographie 5 cm de Toulouse", cofunding_min=20_000)
    NeedFactory(title="LIDAR HD de la Garonne", communes=["31555", "31069"])

    page.goto(live_server.url + "/besoins/priorites/")

    table = page.get_by_role("table", name=re.compile("Besoins par score"))
    assert "Orthophotographie 5 cm de Toulouse" in table.inner_text()
    assert page.get_by_role("heading", name="Comment le score est calculé").is_visible()
    page.screenshot(path=str(screenshot_path("needs-priorities.png")), full_page=True)
