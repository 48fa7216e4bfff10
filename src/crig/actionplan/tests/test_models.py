import pytest

from crig.actionplan.tests.factories import ActionFactory, MilestoneFactory


@pytest.mark.django_db
def test_an_action_factory_gives_a_led_action_in_the_2024_plan():
    milestone = MilestoneFactory()

    action = milestone.action
    assert action.plan.year == 2024
    assert action.leads.count() == 1
    assert str(action) == f"{action.number}. {action.title}"


@pytest.mark.django_db
def test_actions_of_one_plan_share_it():
    first, second = ActionFactory(), ActionFactory()

    assert first.plan == second.plan
