import pytest
from django.utils import translation

from tests.faults.instance import Instance
from tests.faults.sources import server  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages (harvest reports) are asserted on their English msgids."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def template_instance(tmp_path_factory):
    """A migrated file database with the territory, made once per session."""
    instance = Instance(tmp_path_factory.mktemp("crig-template"))
    instance.crig("migrate", "-v0")
    instance.crig("territory", "load")
    return instance


@pytest.fixture
def instance(template_instance, tmp_path):
    """A copy of the template instance for one test; its workers die with it."""
    copy = template_instance.copy_to(tmp_path / "instance")
    yield copy
    copy.stop_workers()
