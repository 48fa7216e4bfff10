"""REST API of the action plan per role: /plans, /plans/{year}, /actions/{id};
drafts are a 404 for whoever may not see them, links only what the caller may
open."""

import datetime
from http import HTTPStatus

import pytest

from crig.actionplan.models import Action
from crig.actionplan.tests import factories
from crig.actionplan.tests.test_views import EDITORS, ROLES, client_as


@pytest.fixture
def draft_action(draft_plan, organisation):
    return factories.ActionFactory(
        plan=draft_plan, number=1, title="Jumeau numérique", leads=[organisation]
    )


@pytest.mark.parametrize("role", ROLES)
def test_plans_lists_drafts_to_editors_only(
    request, client, role, action, draft_action
):
    client = client_as(request, client, role)

    response = client.get("/api/v1/plans")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    years = [item["year"] for item in body["items"]]
    assert years == ([2025, 2024] if role in EDITORS else [2024])
    assert body["count"] == len(years)
    published = body["items"][-1]
    assert published == {
        "year": 2024,
        "title": "Plan d'actions 2024",
        "state": "published",
        "introduction": "",
        "published_at": None,
        "rolled_over_from": None,
        "actions": 1,
        "url": "http://testserver/plan-d-actions/2024/",
    }


@pytest.mark.parametrize("role", ROLES)
def test_draft_plan_is_a_404_for_the_public(request, client, role, draft_action):
    client = client_as(request, client, role)

    plan = client.get("/api/v1/plans/2025")
    action = client.get(f"/api/v1/actions/{draft_action.pk}")

    if role in EDITORS:
        assert plan.status_code == HTTPStatus.OK
        assert [item["title"] for item in plan.json()["items"]] == ["Jumeau numérique"]
        assert action.status_code == HTTPStatus.OK
    else:
        assert plan.status_code == HTTPStatus.NOT_FOUND
        assert plan.json() == {"message": "Aucun plan d'actions pour 2025."}
        assert action.status_code == HTTPStatus.NOT_FOUND
        assert action.json() == {"message": "Cette action n'existe pas."}


def test_plan_detail_has_the_overview_and_the_actions(client, action, organisation):
    factories.ActionFactory(
        plan=action.plan,
        number=2,
        title="Journée du CRIG",
        category=Action.Category.ORGANISATION,
        status=Action.Status.DONE,
        progress=100,
        leads=[organisation],
    )

    body = client.get("/api/v1/plans/2024").json()

    assert body["overview"]["actions"] == 2
    assert body["overview"]["mean_progress"] == 70.0
    assert body["overview"]["by_status"] == {
        "proposed": 0,
        "in_progress": 1,
        "paused": 0,
        "done": 1,
        "abandoned": 0,
    }
    assert [c["category"]["code"] for c in body["overview"]["categories"]] == [
        "organisation",
        "referentiels",
        "transversal",
        "particular",
    ]
    assert body["items"][0] == {
        "id": action.pk,
        "number": 1,
        "title": "Orthophotographies",
        "category": {"code": "referentiels", "label": "Référentiels"},
        "status": {"code": "in_progress", "label": "En cours"},
        "progress": 40,
        "leads": [
            {
                "id": organisation.pk,
                "name": "Conseil départemental de la Haute-Garonne",
                "acronym": "CD31",
                "url": f"http://testserver{organisation.get_absolute_url()}",
            }
        ],
        "url": f"http://testserver/plan-d-actions/actions/{action.pk}/",
    }


def test_plan_detail_filters(client, action):
    factories.ActionFactory(
        plan=action.plan, number=2, category=Action.Category.ORGANISATION
    )

    body = client.get("/api/v1/plans/2024?category=referentiels").json()

    assert [item["id"] for item in body["items"]] == [action.pk]


def test_unknown_filter_value_is_a_422(client, action):
    response = client.get("/api/v1/plans/2024?status=finie")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")


def test_action_detail_with_milestones_indicators_updates(client, action):
    factories.MilestoneFactory(
        action=action, title="Cahier des charges", due_on=datetime.date(2024, 6, 30)
    )
    factories.IndicatorFactory(action=action)
    factories.ProgressUpdateFactory(action=action, progress=40, status="in_progress")

    body = client.get(f"/api/v1/actions/{action.pk}").json()

    assert body["year"] == 2024
    assert body["objectives"] == (
        "Mutualiser l'acquisition d'une orthophotographie régionale."
    )
    assert [(m["title"], m["done_on"], m["late"]) for m in body["milestones"]] == [
        ("Cahier des charges", None, True)
    ]
    assert [(i["name"], i["target"], i["current"]) for i in body["indicators"]] == [
        ("Communes couvertes", "100.00", "40.00")
    ]
    assert [(u["dated"], u["progress"], u["status"]) for u in body["updates"]] == [
        ("2024-05-02", 40, {"code": "in_progress", "label": "En cours"})
    ]
    assert body["links"] == {
        "needs": [],
        "funding_requests": [],
        "opinions": [],
        "datasets": [],
        "continues": None,
        "continued_by": None,
    }


@pytest.mark.parametrize("role", ROLES)
def test_action_links_are_only_what_the_caller_may_open(
    request, client, role, action, need, draft_need
):
    action.needs.set([need, draft_need])
    client = client_as(request, client, role)

    body = client.get(f"/api/v1/actions/{action.pk}").json()

    titles = [n["title"] for n in body["links"]["needs"]]
    # The draft need is seen by its author (member_user, the lead member) and
    # administrators only (needs_visible_to).
    sees_draft = role in {"lead_member", "admin"}
    expected = ["Orthophotographie 5 cm de Toulouse"]
    if sees_draft:
        expected = ["Brouillon : LIDAR de la Garonne", *expected]
    assert titles == expected


def test_unknown_action_is_a_404(client, db):
    response = client.get("/api/v1/actions/999999")

    assert response.status_code == HTTPStatus.NOT_FOUND
