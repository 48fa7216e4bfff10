"""The action plan in the admin: pages answer for the staff, nothing is written
there but through the services' admin actions (publish, roll over)."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.actionplan import services
from crig.actionplan.models import ActionChange, Plan
from crig.actionplan.tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MilestoneFactory,
)

MODELS = ["plan", "action", "progressupdate", "actionchange"]


@pytest.fixture
def content(action, member_user):
    MilestoneFactory(action=action, title="Cahier des charges")
    IndicatorFactory(action=action, name="Communes couvertes")
    update = services.progress_update_add(
        actor=member_user,
        action=action,
        dated=datetime.date(2024, 5, 2),
        body="Marché notifié.",
        progress=55,
    )
    return {
        "plan": action.plan,
        "action": action,
        "progressupdate": update,
        "actionchange": ActionChange.objects.get(),
    }


@pytest.mark.parametrize("person", ["admin_user", "secretariat_user"])
@pytest.mark.parametrize("model", MODELS)
def test_changelists_answer_for_the_staff(request, client, content, person, model):
    client.force_login(request.getfixturevalue(person))

    response = client.get(reverse(f"admin:actionplan_{model}_changelist"))

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("person", ["admin_user", "secretariat_user"])
@pytest.mark.parametrize("model", MODELS)
def test_change_pages_answer_and_are_read_only(request, client, content, person, model):
    client.force_login(request.getfixturevalue(person))

    response = client.get(
        reverse(f"admin:actionplan_{model}_change", args=[content[model].pk])
    )

    assert response.status_code == HTTPStatus.OK
    assert 'name="_save"' not in response.text


def test_the_action_page_shows_milestones_indicators_updates_and_history(
    client, secretariat_user, content
):
    client.force_login(secretariat_user)

    response = client.get(
        reverse("admin:actionplan_action_change", args=[content["action"].pk])
    )

    assert "Cahier des charges" in response.text
    assert "Communes couvertes" in response.text
    assert "Marché notifié." in response.text
    assert "progress_update" in response.text
    assert f'href="/plan-d-actions/actions/{content["action"].pk}/"' in response.text


def test_nothing_is_added_in_the_admin(client, secretariat_user, content):
    client.force_login(secretariat_user)

    response = client.get(reverse("admin:actionplan_plan_add"))

    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("person", ["member_user", "plain_user"])
def test_people_without_a_staff_role_are_sent_to_the_login(
    request, client, content, person
):
    client.force_login(request.getfixturevalue(person))

    response = client.get(reverse("admin:actionplan_plan_changelist"))

    assert response.status_code == HTTPStatus.FOUND


def test_the_secretariat_publishes_a_draft_from_the_admin(
    client, secretariat_user, draft_plan
):
    ActionFactory(plan=draft_plan)
    client.force_login(secretariat_user)

    response = client.post(
        reverse("admin:actionplan_plan_changelist"),
        {"action": "publish", "_selected_action": [draft_plan.pk]},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert "Le plan 2025 est publié." in response.text
    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.PUBLISHED


def test_a_roll_over_run_twice_from_the_admin_says_why(
    client, secretariat_user, action
):
    client.force_login(secretariat_user)
    url = reverse("admin:actionplan_plan_changelist")
    client.post(url, {"action": "roll_over", "_selected_action": [action.plan.pk]})

    response = client.post(
        url, {"action": "roll_over", "_selected_action": [action.plan.pk]}, follow=True
    )

    assert "Le plan 2025 existe déjà : le plan 2024 a déjà été reconduit." in (
        response.text
    )
    assert Plan.objects.filter(year=2025).get().actions.count() == 1
