"""Helpers of the action-plan tests."""

import datetime
from decimal import Decimal

import pytest

from crig.actionplan.services import ActionData, IndicatorData, MilestoneData


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password on every person; the default hasher is slow by
    design and would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def action_data(lead_ids, **overrides) -> ActionData:
    """A valid action on orthophotography, led by ``lead_ids``."""
    values = {
        "category": "referentiels",
        "title": "Orthophotographie régionale 2024",
        "objectives": "Acquérir une orthophotographie 20 cm de toute la région.",
        "lead_ids": list(lead_ids),
        "theme": "orthophotographie",
        "status": "in_progress",
        "progress": 30,
        "budget": Decimal("120000"),
        "milestones": [
            MilestoneData("Cahier des charges", datetime.date(2024, 3, 31)),
            MilestoneData("Prises de vue", datetime.date(2024, 8, 31)),
        ],
        "indicators": [
            IndicatorData("Départements couverts", Decimal(13), Decimal(4), "dép.")
        ],
    }
    values.update(overrides)
    return ActionData(**values)
