"""Test-wide fixtures: each app's fixtures module is a pytest plugin.

The pytest ``env`` settings in pyproject.toml give the tests production-like
settings (``CRIG_DEBUG=false``) with plain static files (no collectstatic needed).
"""

import pytest

pytest_plugins = [
    "crig.territory.tests.fixtures",
    "crig.members.tests.fixtures",
    "crig.catalog.tests.fixtures",
    "crig.needs.tests.fixtures",
    "crig.funding.tests.fixtures",
    "crig.actionplan.tests.fixtures",
    "crig.events.tests.fixtures",
    "crig.news.tests.fixtures",
]


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
