"""Territory fixtures, a pytest plugin registered by the root ``conftest.py``.

The bundled territory (4,453 communes, 164 EPCI, 13 départements, the region) is
loaded once per test session, right after pytest-django has created and migrated
the test database, so every test of the project sees the real communes.
Tests run inside a transaction that is rolled back, so they keep seeing them;
``transactional_db`` tests flush the tables, hence ``territory`` below, which
loads again when needed.
"""

import pytest

from crig.territory.models import EPCI, Commune, Departement, Region
from crig.territory.services import territory_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        territory_load()


def ensure_territory() -> Region:
    """The loaded region, loading the bundled territory again if a
    ``transactional_db`` test of this worker flushed it. For module-scoped
    fixtures, which cannot use ``territory``."""
    region = Region.objects.first()
    if region is None:
        territory_load()
        region = Region.objects.get()
    return region


@pytest.fixture
def territory(db) -> Region:
    """The loaded region (loads the bundled territory if a flush removed it)."""
    return ensure_territory()


@pytest.fixture
def toulouse(territory) -> Commune:
    return Commune.objects.get(insee="31555")


@pytest.fixture
def montpellier(territory) -> Commune:
    return Commune.objects.get(insee="34172")


@pytest.fixture
def haute_garonne(territory) -> Departement:
    return Departement.objects.get(code="31")


@pytest.fixture
def toulouse_metropole(territory) -> EPCI:
    return EPCI.objects.get(siren="243100518")
