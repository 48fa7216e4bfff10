"""The plan's pages per role: the latest plan, a plan at a glance with its
charts and filters, an action's page, and the drafts hidden from the public."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.actionplan.models import Action, ActionChange
from crig.actionplan.tests import factories
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory

ROLES = [
    "anonymous",
    "plain",
    "lead_member",
    "other_member",
    "referent",
    "signatory_member",
    "reviewer",
    "secretariat",
    "admin",
]
#: Who sees and edits drafts (rules.can_edit_plan).
EDITORS = {"signatory_member", "reviewer", "secretariat", "admin"}
#: Who posts progress updates on a published action led by ``organisation``.
UPDATERS = EDITORS | {"lead_member", "referent"}


def person_for(request, role: str):
    """The person of ``role`` (None for anonymous), from the shared fixtures;
    ``other_member`` belongs to ``other_organisation``, which leads nothing."""
    if role == "anonymous":
        return None
    if role == "other_member":
        return MembershipFactory(
            person__email="autre@example.org",
            person__full_name="Olivier Autre",
            organisation=request.getfixturevalue("other_organisation"),
            role=Membership.Role.MEMBER,
        ).person
    fixture = {
        "plain": "plain_user",
        "lead_member": "member_user",
        "referent": "referent_user",
        "signatory_member": "signatory_member_user",
        "reviewer": "reviewer_user",
        "secretariat": "secretariat_user",
        "admin": "admin_user",
    }[role]
    return request.getfixturevalue(fixture)


def client_as(request, client, role: str):
    person = person_for(request, role)
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture
def draft_action(draft_plan, organisation):
    return factories.ActionFactory(
        plan=draft_plan,
        number=1,
        title="Préfiguration CTD (projet)",
        category=Action.Category.ORGANISATION,
        leads=[organisation],
    )


# The latest plan ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_index_redirects_to_the_latest_published_plan(
    request, client, role, plan, draft_plan
):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:index"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/plan-d-actions/2024/"


@pytest.mark.parametrize("role", ROLES)
def test_list_of_years_shows_drafts_to_editors_only(
    request, client, role, plan, draft_plan
):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:index") + "?annees")

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "Plan d&#x27;actions 2024" in text
    assert ("Plan d&#x27;actions 2025" in text) is (role in EDITORS)


def test_index_without_any_plan_says_so(client, db):
    response = client.get(reverse("actionplan:index"))

    assert response.status_code == HTTPStatus.OK
    assert "Aucun plan d’actions n’a encore été publié." in response.content.decode()


def test_index_shows_only_a_draft_to_an_editor(client, draft_plan, secretariat_user):
    client.force_login(secretariat_user)

    response = client.get(reverse("actionplan:index"))

    assert response["Location"] == "/plan-d-actions/2025/"


# A plan at a glance -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_published_plan_is_public(request, client, role, action):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:plan_detail", args=[2024]))

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "Orthophotographies" in text
    assert "Pilotée par" in text
    assert ("Ajouter une action" in text) is (role in EDITORS)
    assert ("Lancer le plan 2025" in text) is (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_draft_plan_is_hidden_from_the_public(request, client, role, draft_action):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:plan_detail", args=[2025]))

    if role in EDITORS:
        assert response.status_code == HTTPStatus.OK
        assert "Préfiguration CTD (projet)" in response.content.decode()
        assert "Ce plan est un projet" in response.content.decode()
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "Préfiguration" not in response.content.decode()


def test_plan_page_draws_the_charts_with_their_figures(client, plan, organisation):
    # Given two actions, one per category
    factories.ActionFactory(
        plan=plan, number=1, category=Action.Category.ORGANISATION, progress=20
    )
    factories.ActionFactory(
        plan=plan,
        number=2,
        category=Action.Category.REFERENTIELS,
        progress=60,
        status=Action.Status.DONE,
    )

    response = client.get(reverse("actionplan:plan_detail", args=[2024]))

    text = response.content.decode()
    assert text.count('role="img"') >= 4  # two charts and two progress bars
    assert '<title id="chart-progress-title">Avancement moyen par catégorie' in text
    assert '<th scope="row">Organisation (1 action)</th>' in text
    assert '<td class="number">20\u00a0%</td>' in text
    assert '<th scope="row">Terminée</th><td class="number">1</td>' in text
    assert "<strong>40 %</strong> d’avancement moyen" in text


def test_plan_page_links_to_the_previous_and_next_visible_years(
    client, plan, draft_plan, secretariat_user
):
    factories.PlanFactory(year=2023)

    public = client.get(reverse("actionplan:plan_detail", args=[2024])).content
    client.force_login(secretariat_user)
    editor = client.get(reverse("actionplan:plan_detail", args=[2024])).content

    assert b'href="/plan-d-actions/2023/" rel="prev"' in public
    assert b'rel="next"' not in public
    assert b'href="/plan-d-actions/2025/" rel="next"' in editor


@pytest.fixture
def three_actions(plan, organisation, other_organisation):
    return [
        factories.ActionFactory(
            plan=plan,
            number=1,
            title="Interopérabilité",
            category=Action.Category.ORGANISATION,
            leads=[organisation],
        ),
        factories.ActionFactory(
            plan=plan,
            number=2,
            title="LIDAR HD",
            category=Action.Category.REFERENTIELS,
            status=Action.Status.DONE,
            progress=100,
            leads=[other_organisation],
        ),
        factories.ActionFactory(
            plan=plan,
            number=3,
            title="Littoral occitan",
            category=Action.Category.PARTICULAR,
            status=Action.Status.PAUSED,
            leads=[organisation, other_organisation],
        ),
    ]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("category=organisation", ["Interopérabilité"]),
        ("status=done", ["LIDAR HD"]),
        ("lead=universite-de-montpellier", ["LIDAR HD", "Littoral occitan"]),
        ("lead=universite-de-montpellier&status=paused", ["Littoral occitan"]),
        ("", ["Interopérabilité", "LIDAR HD", "Littoral occitan"]),
    ],
)
def test_plan_page_filters_the_actions(client, three_actions, query, shown):
    response = client.get(reverse("actionplan:plan_detail", args=[2024]) + "?" + query)

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    titles = ["Interopérabilité", "LIDAR HD", "Littoral occitan"]
    assert [title for title in titles if f'">{title}</a></h4>' in text] == shown


def test_unknown_filter_value_is_a_bad_request_showing_every_action(
    client, three_actions
):
    response = client.get(
        reverse("actionplan:plan_detail", args=[2024]) + "?category=nimporte"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert "Un filtre a une valeur inconnue : toutes les actions sont affichées." in (
        text
    )
    assert "3 actions affichées" in text


def test_filter_without_match_says_so(client, three_actions):
    response = client.get(
        reverse("actionplan:plan_detail", args=[2024]) + "?status=abandoned"
    )

    assert "Aucune action ne correspond à ces filtres." in response.content.decode()


def test_unknown_year_is_a_404(client, plan):
    response = client.get(reverse("actionplan:plan_detail", args=[1999]))

    assert response.status_code == HTTPStatus.NOT_FOUND


# An action's page ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_published_action_page_per_role(request, client, role, action):
    factories.ProgressUpdateFactory(action=action)
    ActionChange.objects.create(
        action=action, what="updated", changes={"progress": [30, 40]}
    )
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:action_detail", args=[action.pk]))

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "<h1>Orthophotographies</h1>" in text
    assert "Réunion de lancement tenue avec les partenaires." in text
    assert ("Publier un point d’étape" in text) is (role in UPDATERS)
    assert ("Modifier l’action" in text) is (role in EDITORS)
    assert ('id="history"' in text) is (role in EDITORS)
    assert ("avancement (%) : <del>30</del> → <ins>40</ins>" in text) is (
        role in EDITORS
    )


@pytest.mark.parametrize("role", ROLES)
def test_draft_action_page_is_hidden_from_the_public(
    request, client, role, draft_action
):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:action_detail", args=[draft_action.pk]))

    expected = HTTPStatus.OK if role in EDITORS else HTTPStatus.NOT_FOUND
    assert response.status_code == expected


def test_action_page_shows_milestones_indicators_budget_and_continuation(
    client, action, organisation
):
    # Given an action with a done and a late milestone, an indicator, a budget,
    # continued in a published 2025 plan
    action.budget = 120000
    action.save()
    factories.MilestoneFactory(
        action=action,
        title="Cahier des charges",
        due_on=datetime.date(2024, 3, 31),
        done_on=datetime.date(2024, 3, 20),
    )
    factories.MilestoneFactory(
        action=action, title="Prises de vue", due_on=datetime.date(2024, 8, 31)
    )
    factories.IndicatorFactory(
        action=action, name="Départements couverts", target=13, current=4, unit="dép."
    )
    following = factories.ActionFactory(
        plan=factories.PlanFactory(year=2025),
        number=1,
        title="Orthophotographies (suite)",
        continues=action,
        leads=[organisation],
    )

    text = client.get(action.get_absolute_url()).content.decode()

    assert "120\u00a0000,00 €" in text
    assert 'class="ap-milestone ap-milestone-done"' in text
    assert "Réalisé · 20 mars 2024" in text
    assert 'class="ap-milestone ap-milestone-late"' in text
    assert "En retard" in text
    assert "Départements couverts : 4 sur 13" in text
    assert f'href="{following.get_absolute_url()}">2025 · Orthophotographies' in text
    prior = client.get(following.get_absolute_url()).content.decode()
    assert f'href="{action.get_absolute_url()}">2024 · Orthophotographies' in prior


def test_action_page_shows_only_visible_links(
    client, action, need, draft_need, funding_request, member_user
):
    # Given an action linked to a public need, a draft need and a funding request
    action.needs.set([need, draft_need])
    action.funding_requests.set([funding_request])

    public = client.get(action.get_absolute_url()).content.decode()
    client.force_login(member_user)
    author = client.get(action.get_absolute_url()).content.decode()

    assert "Orthophotographie 5 cm de Toulouse" in public
    assert "Brouillon : LIDAR de la Garonne" not in public
    assert "PCRS de Toulouse" not in public  # request files are never public
    assert "Brouillon : LIDAR de la Garonne" in author
    assert "Réunions où elle a été discutée" not in public  # no events module yet


def test_update_attachment_is_served_to_who_sees_the_action(
    client, action, draft_action, secretariat_user
):
    from django.core.files.base import ContentFile

    update = factories.ProgressUpdateFactory(action=draft_action)
    update.attachment.save("cr.pdf", ContentFile(b"%PDF-1.4 compte rendu"))
    url = reverse("actionplan:update_attachment", args=[draft_action.pk, update.pk])

    hidden = client.get(url)
    client.force_login(secretariat_user)
    served = client.get(url)

    assert hidden.status_code == HTTPStatus.NOT_FOUND
    assert served.status_code == HTTPStatus.OK
    assert b"".join(served.streaming_content) == b"%PDF-1.4 compte rendu"
