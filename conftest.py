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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password on every person; Argon2, the production hasher, is
    slow by design and would dominate the suite. Tests of hashing itself set
    ``settings.PASSWORD_HASHERS`` back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
