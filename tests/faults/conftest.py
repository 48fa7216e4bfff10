import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages (harvest reports) are asserted on their English msgids."""
    with translation.override("en"):
        yield
