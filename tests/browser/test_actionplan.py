"""The action plan in the browser: the public opens the 2024 plan, filters it by
category and opens an action; a member of its lead organisation posts a progress
update; the yearly report reads as a page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from crig.actionplan.models import Action, ProgressUpdate
from crig.actionplan.tests import factories
from crig.members.models import Membership, Organisation
from crig.members.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: (category, title, progress, status, lead key) — as in the 2024 presentation.
ACTIONS = [
    ("organisation", "Interopérabilité des plateformes", 60, "in_progress", "openig"),
    ("organisation", "Organisation de la journée du CRIG", 100, "done", "openig"),
    ("organisation", "Préfiguration d'un CTD", 30, "in_progress", "region"),
    ("referentiels", "Orthophotographies", 45, "in_progress", "cd31"),
    ("referentiels", "Occupation du sol", 70, "in_progress", "region"),
    ("referentiels", "Plan Corps de Rue Simplifié", 20, "paused", "cd31"),
    ("transversal", "Changement climatique", 10, "proposed", "region"),
    ("particular", "Littoral occitan", 35, "in_progress", "openig"),
]


@pytest.fixture
def plan_2024(db):
    organisations = {
        "openig": OrganisationFactory(name="OPenIG", acronym="OPenIG"),
        "region": SignatoryFactory(
            organisation__name="Région Occitanie",
            organisation__acronym="Région",
            organisation__category=Organisation.Category.COLLECTIVITE,
        ).organisation,
        "cd31": OrganisationFactory(
            name="Conseil départemental de la Haute-Garonne", acronym="CD31"
        ),
    }
    plan = factories.PlanFactory(
        year=2024,
        title="Plan d'actions 2024",
        introduction="Le plan annuel d'actions communes du CRIG Occitanie.",
    )
    for number, (category, title, progress, status, lead) in enumerate(
        ACTIONS, start=1
    ):
        action = factories.ActionFactory(
            plan=plan,
            number=number,
            category=category,
            title=title,
            progress=progress,
            status=status,
            leads=[organisations[lead]],
        )
        if title == "Orthophotographies":
            factories.MilestoneFactory(
                action=action,
                title="Cahier des charges",
                due_on=datetime.date(2024, 3, 31),
                done_on=datetime.date(2024, 3, 28),
            )
            factories.MilestoneFactory(
                action=action,
                title="Prises de vue",
                due_on=datetime.date(2024, 8, 31),
            )
            factories.IndicatorFactory(
                action=action,
                name="Départements couverts",
                unit="dép.",
                target=13,
                current=4,
            )
            factories.ProgressUpdateFactory(
                action=action,
                dated=datetime.date(2024, 4, 2),
                body="Cahier des charges validé avec l'IGN et les départements.",
            )
    member = MembershipFactory(
        person__email="marie@example.org",
        person__full_name="Marie Membre",
        organisation=organisations["cd31"],
        role=Membership.Role.MEMBER,
    ).person
    return {"plan": plan, "member": member}


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser session per person; nothing leaves the machine."""
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


def test_public_reads_the_plan_and_a_lead_posts_an_update(
    live_server, visit, plan_2024, screenshot_path
):
    # The public opens the action plan: the latest plan, at a glance.
    public = visit()
    public.goto(live_server.url + "/plan-d-actions/")
    expect(public).to_have_url(live_server.url + "/plan-d-actions/2024/")
    expect(public.get_by_role("heading", level=1)).to_have_text("Plan d'actions 2024")
    expect(
        public.get_by_role("img", name="Avancement moyen par catégorie")
    ).to_be_visible()
    expect(public.get_by_role("img", name="Actions par statut")).to_be_visible()
    expect(public.get_by_text("8 actions affichées")).to_be_visible()
    # No editor's button for the public.
    expect(public.get_by_role("link", name="Ajouter une action")).to_have_count(0)
    public.screenshot(path=str(screenshot_path("actionplan-plan.png")), full_page=True)

    # It filters the référentiels.
    public.get_by_label("Catégorie", exact=True).select_option(label="Référentiels")
    public.get_by_role("button", name="Filtrer").click()
    expect(public.get_by_text("3 actions affichées")).to_be_visible()
    expect(public.get_by_role("heading", level=3)).to_have_text(["Référentiels"])
    expect(
        public.get_by_role("link", name=re.compile("Interopérabilité"))
    ).to_have_count(0)
    public.screenshot(
        path=str(screenshot_path("actionplan-plan-filtered.png")), full_page=True
    )

    # It opens an action: objectives, leads, milestones, indicators, updates.
    public.get_by_role("link", name=re.compile("Orthophotographies")).click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Orthophotographies")
    expect(public.get_by_text("Cahier des charges validé avec l'IGN")).to_be_visible()
    expect(public.locator(".ap-milestone-done")).to_contain_text("Cahier des charges")
    expect(
        public.get_by_role("img", name="Départements couverts : 4 sur 13")
    ).to_be_visible()
    expect(public.get_by_text("Publier un point d’étape")).to_have_count(0)
    public.screenshot(
        path=str(screenshot_path("actionplan-action.png")), full_page=True
    )
    action_url = public.url

    # A member of the lead organisation posts a progress update.
    member = visit(plan_2024["member"])
    member.goto(action_url)
    member.get_by_text("Publier un point d’étape").click()
    member.get_by_label("Ce qui s’est passé").fill(
        "Prises de vue terminées sur la Haute-Garonne et le Gers."
    )
    # A progress above 100 % is refused with a French message, nothing saved.
    member.get_by_label("Avancement désormais (%)").fill("140")
    member.get_by_role("button", name="Publier le point d’étape").click()
    expect(member.get_by_role("alert").first).to_contain_text("Rien n’a été publié")
    expect(
        member.get_by_text(
            "L'avancement doit être compris entre 0 et 100 % (et non 140)."
        )
    ).to_be_visible()
    member.screenshot(
        path=str(screenshot_path("actionplan-update-refused.png")), full_page=True
    )
    assert ProgressUpdate.objects.filter(body__startswith="Prises de vue").count() == 0

    member.get_by_label("Avancement désormais (%)").fill("65")
    member.get_by_role("button", name="Publier le point d’étape").click()
    expect(member.get_by_text("Votre point d’étape a été publié.")).to_be_visible()
    expect(
        member.get_by_text("Prises de vue terminées sur la Haute-Garonne et le Gers.")
    ).to_be_visible()
    expect(member.get_by_role("img", name="Avancement : 65 %")).to_be_visible()
    member.screenshot(
        path=str(screenshot_path("actionplan-update-posted.png")), full_page=True
    )
    assert Action.objects.get(title="Orthophotographies").progress == 65

    # The public reads the yearly report, with the new update.
    public.goto(live_server.url + "/plan-d-actions/2024/rapport/")
    expect(public.get_by_role("heading", level=1)).to_have_text("Bilan annuel 2024")
    expect(
        public.get_by_text("Prises de vue terminées sur la Haute-Garonne et le Gers.")
    ).to_be_visible()
    public.screenshot(
        path=str(screenshot_path("actionplan-report.png")), full_page=True
    )
