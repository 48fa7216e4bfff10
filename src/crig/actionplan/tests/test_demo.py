"""The action-plan demo: the council's 2024 plan (15 actions in four categories)
through the services, the 2025 plan rolled over from it, idempotent."""

import io
from collections import Counter

import pytest

from crig.actionplan import demo, selectors
from crig.actionplan.models import (
    Action,
    ActionChange,
    Indicator,
    Milestone,
    Plan,
    ProgressUpdate,
)
from crig.catalog.tests.factories import DatasetFactory
from crig.members import demo as members_demo
from crig.needs import demo as needs_demo


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Plan, Action, Milestone, Indicator, ProgressUpdate, ActionChange)
    }


@pytest.fixture
def loaded(territory):
    members_demo.load_demo(stdout=io.StringIO())
    # A few catalogue records stand for the catalogue demo, which takes long.
    for referentiel in ["orthophotographie"] * 4 + ["pcrs", "lidar", "erp"]:
        DatasetFactory(referentiel=referentiel)
    needs_demo.load_demo(stdout=io.StringIO())
    output = io.StringIO()
    demo.load_demo(stdout=output)
    return output.getvalue()


def test_the_2024_plan_has_its_15_actions_in_four_categories_with_progress_and_links(
    loaded,
):
    plan = Plan.objects.get(year=2024)

    assert plan.state == Plan.State.PUBLISHED
    assert Counter(plan.actions.values_list("category", flat=True)) == {
        "organisation": 4,
        "referentiels": 6,
        "transversal": 3,
        "particular": 2,
    }
    assert list(
        plan.actions.filter(category="referentiels").values_list("title", "theme")
    ) == [
        ("Orthophotographies", "orthophotographie"),
        ("Occupation du sol", "occupation_du_sol"),
        ("Établissements recevant du public", "erp"),
        ("Plan de corps de rue simplifié", "pcrs"),
        ("LIDAR", "lidar"),
        ("Adresses", "adresses"),
    ]
    assert "Préfiguration du CTD" in plan.actions.values_list("title", flat=True)
    assert "the 2024 action plan: 15 actions" in loaded
    actions = plan.actions.all()

    assert Counter(actions.values_list("status", flat=True)) == {
        "in_progress": 11,
        "done": 2,
        "paused": 1,
        "proposed": 1,
    }
    assert all(action.signatory_id for action in actions)
    assert all(action.leads.exists() for action in actions)
    ortho = actions.get(title="Orthophotographies")
    assert ortho.progress == 55
    assert ortho.updates.count() == 2
    assert ortho.needs.count() == 3
    assert ortho.datasets.count() == 3
    journee = actions.get(title="Organisation de la journée du CRIG")
    assert journee.updates.exclude(attachment="").count() == 1
    # The updates are posted by a member of a lead organisation (OPenIG's is
    # the demo secretariat's person).
    assert journee.updates.first().author.email == "secretariat@demo.crig.example"
    overview = selectors.plan_overview(user=None, plan=plan)
    assert overview.actions == 15


def test_the_2025_plan_is_rolled_over_from_2024_and_a_second_run_adds_nothing(
    loaded,
):
    plan_2024 = Plan.objects.get(year=2024)
    plan_2025 = Plan.objects.get(year=2025)

    assert plan_2025.rolled_over_from == plan_2024
    assert plan_2025.state == Plan.State.PUBLISHED
    assert plan_2025.actions.count() == 13
    assert not plan_2025.actions.filter(continues__isnull=True).exists()
    assert set(plan_2025.actions.values_list("continues__plan__year", flat=True)) == {
        2024
    }
    assert not plan_2025.actions.filter(
        title__in=["Organisation de la journée du CRIG", "Adresses"]
    ).exists()
    interop = plan_2025.actions.get(title="Interopérabilité des plateformes régionales")
    assert (interop.status, interop.progress) == ("done", 100)

    # And a second run changes nothing.
    before = _counts()

    output = io.StringIO()
    demo.load_demo(stdout=output)

    assert _counts() == before
    assert "the 2024 action plan is already there" in output.getvalue()
