import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service, reader and command messages are asserted on their English msgids;
    the French catalogue is checked by core's i18n tests, and pages answer in French
    through the middleware whatever is active here."""
    with translation.override("en"):
        yield
