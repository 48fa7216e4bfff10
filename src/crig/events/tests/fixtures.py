"""Events fixtures, a pytest plugin registered by the root ``conftest.py``."""

import pytest

from crig.events.models import Event
from crig.events.tests import factories


@pytest.fixture
def event(db) -> Event:
    return factories.EventFactory(
        title="Journée du CRIG 2025", slug="journee-du-crig-2025", capacity=2
    )


@pytest.fixture
def meeting(db):
    return factories.MeetingFactory(title="Comité du CRIG de mars")


@pytest.fixture
def draft_meeting(db):
    return factories.MeetingFactory(title="Comité en préparation", state="draft")
