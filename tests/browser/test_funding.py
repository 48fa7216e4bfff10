"""A funding request from deposit to a published opinion, in the browser: a member
enters and submits it (territory picked by searching a commune), the secretariat
declares it admissible, assigns a reviewer and starts the review; the reviewer
declares no conflict of interest and records the Région's position; the
secretariat issues and publishes the opinion; the public register shows it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crig.funding.models import FundingRequest, Opinion
from crig.members.models import Membership, Organisation
from crig.members.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ReviewerAssignmentFactory,
    SignatoryFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Orthophotographie 5 cm de Toulouse"


@pytest.fixture
def cast(territory):
    organisation = OrganisationFactory(
        name="Conseil départemental de la Haute-Garonne", acronym="CD31"
    )
    member = MembershipFactory(
        person__email="marie@example.org",
        person__full_name="Marie Membre",
        organisation=organisation,
        role=Membership.Role.REFERENT,
    ).person
    region = SignatoryFactory(
        organisation__name="Région Occitanie",
        organisation__category=Organisation.Category.COLLECTIVITE,
    )
    reviewer = ReviewerAssignmentFactory(
        person__email="rita@example.org",
        person__full_name="Rita Relectrice",
        signatory=region,
    ).person
    secretariat = UserFactory(
        email="sophie@example.org",
        full_name="Sophie Secrétariat",
        is_secretariat=True,
    )
    return {"member": member, "reviewer": reviewer, "secretariat": secretariat}


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser session per person; nothing leaves the machine (the base
    map's tiles are refused)."""
    contexts = []

    def open_as(person=None):
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)

        def route(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                route.abort()

        page.route("**/*", route)
        if person is not None:
            page.goto(live_server.url + "/connexion/")
            page.locator("input[name=username]").fill(person.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.get_by_role("button", name=re.compile("connecter", re.I)).click()
            page.get_by_role("link", name="Mon compte", exact=True).wait_for()
        return page

    yield open_as
    for context in contexts:
        context.close()


def pick_commune(page, name):
    page.get_by_label("Chercher une commune, un EPCI ou un département").fill(name)
    option = (
        page.locator("[role=option]")
        .filter(has=page.locator("span", has_text=re.compile(f"^{re.escape(name)}$")))
        .filter(has_text="commune")
        .first
    )
    option.click()
    page.get_by_role("button", name=f"Retirer {name}").wait_for()


def test_from_deposit_to_the_published_opinion(
    live_server, visit, cast, screenshot_path
):
    # A member enters the request and submits it.
    member = visit(cast["member"])
    member.goto(live_server.url + "/financements/")
    member.get_by_role("link", name="Saisir une demande").click()
    member.locator("[data-territory-picker][data-ready=true]").wait_for()
    member.get_by_label("Signataire sollicité").select_option(label="Région Occitanie")
    member.get_by_label("Titre").fill(TITLE)
    member.locator("[name=theme]").select_option(label="Orthophotographie")
    member.get_by_label("Résumé public").fill(
        "Prise de vue aérienne à 5 cm sur la commune, données ouvertes."
    )
    member.get_by_label("Description du projet").fill(
        "Marché de prise de vue, lot unique ; négociation en cours."
    )
    pick_commune(member, "Toulouse")
    member.get_by_label("Poste (ligne 1)").fill("Prise de vue")
    member.get_by_label("Montant (€) (ligne 1)").first.fill("70000")
    member.get_by_label("Poste (ligne 2)").fill("Traitements")
    member.locator("[name=budget-1-amount]").fill("30000")
    member.get_by_label("Montant demandé (€)").fill("60000")
    member.get_by_label("Autofinancement (€)").fill("15000")
    member.locator("[name=cofunders-0-name]").fill("Toulouse Métropole")
    member.locator("[name=cofunders-0-amount]").fill("25000")
    member.get_by_label("Licence des données produites").select_option("etalab-2.0")
    member.screenshot(path=str(screenshot_path("funding-form.png")), full_page=True)
    member.get_by_role("button", name="Déposer la demande").click()
    member.get_by_role("heading", level=1, name=TITLE).wait_for()
    expect(member.locator(".funding-heading .funding-state")).to_have_text("Déposée")
    expect(member.get_by_text("Confidentiel", exact=True)).to_be_visible()
    request = FundingRequest.objects.get(title=TITLE)
    assert list(request.commune_links.values_list("commune_id", flat=True)) == ["31555"]
    member.screenshot(path=str(screenshot_path("funding-file.png")), full_page=True)

    # The secretariat declares it admissible, assigns the reviewer, starts the review.
    staff = visit(cast["secretariat"])
    staff.goto(live_server.url + request.get_absolute_url())
    staff.get_by_role("link", name="Statuer sur la recevabilité").click()
    staff.get_by_label("Recevable", exact=True).check()
    staff.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff.locator(".funding-heading .funding-state")).to_have_text("Recevable")
    staff.locator("[name=assignment]").select_option(
        label="Rita Relectrice — Région Occitanie"
    )
    staff.get_by_role("button", name="Désigner").click()
    expect(
        staff.get_by_text("Rita Relectrice instruit pour Région Occitanie")
    ).to_be_visible()
    staff.get_by_role("link", name="Ouvrir l’instruction").click()
    deadline = timezone.localdate() + datetime.timedelta(days=21)
    staff.get_by_label("Date limite des positions").fill(deadline.isoformat())
    staff.get_by_role("button", name="Ouvrir l’instruction").click()
    expect(staff.locator(".funding-heading .funding-state")).to_have_text(
        "En instruction"
    )
    staff.screenshot(path=str(screenshot_path("funding-staff.png")), full_page=True)

    # The reviewer declares no conflict, then records the Région's position.
    reviewer = visit(cast["reviewer"])
    reviewer.goto(live_server.url + "/financements/")
    reviewer.get_by_role("link", name="Déclarer").click()
    expect(reviewer.get_by_text(TITLE)).to_be_visible()
    expect(reviewer.get_by_text("Marché de prise de vue")).to_have_count(0)
    reviewer.screenshot(
        path=str(screenshot_path("funding-declaration.png")), full_page=True
    )
    reviewer.get_by_label("Je n’ai aucun conflit d’intérêts avec cette demande").check()
    reviewer.get_by_role("button", name="Déclarer").click()
    reviewer.get_by_role("heading", level=1, name=TITLE).wait_for()
    reviewer.get_by_role("link", name="Saisir une position").click()
    reviewer.get_by_label("Favorable", exact=True).check()
    for criterion, score in (
        ("Ouverture des données", "4"),
        ("Respect des standards", "3"),
        ("Mutualisation entre partenaires", "3"),
        ("Manque de couverture comblé", "2"),
        ("Adéquation aux besoins et au plan", "3"),
    ):
        reviewer.get_by_role("group", name=criterion).get_by_label(
            score, exact=True
        ).check()
    reviewer.get_by_label("Commentaires").fill("Prix cohérent avec le marché.")
    reviewer.screenshot(
        path=str(screenshot_path("funding-position.png")), full_page=True
    )
    reviewer.get_by_role("button", name="Enregistrer la position").click()
    expect(reviewer.locator("#positions")).to_contain_text("Prix cohérent")

    # The secretariat issues the opinion and publishes it.
    staff.goto(live_server.url + request.get_absolute_url())
    staff.get_by_role("link", name="Rendre l’avis").click()
    staff.get_by_label("Favorable", exact=True).check()
    staff.get_by_label("Motivation").fill(
        "Projet conforme au standard, données ouvertes sous Licence Ouverte."
    )
    staff.get_by_label("Adopté le").fill(timezone.localdate().isoformat())
    staff.get_by_label("Réunion du comité").check()
    staff.locator("[name=meeting_label]").fill("Comité du CRIG")
    staff.get_by_role("button", name="Rendre l’avis").click()
    staff.get_by_role("button", name="Publier l’avis").click()
    staff.get_by_role("heading", level=1, name=TITLE).wait_for()
    opinion = Opinion.objects.get(request=request)
    assert opinion.published_at is not None

    # The public register shows it, without the confidential file.
    public = visit()
    public.goto(live_server.url + "/financements/avis/")
    public.get_by_role("link", name=TITLE).click()
    expect(public.get_by_text("Projet conforme au standard")).to_be_visible()
    expect(public.get_by_text("Marché de prise de vue")).to_have_count(0)
    expect(public.get_by_text("Prix cohérent")).to_have_count(0)
    public.locator("[data-crig-map][data-loaded=true]").first.wait_for()
    public.screenshot(path=str(screenshot_path("funding-opinion.png")), full_page=True)
