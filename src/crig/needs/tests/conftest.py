"""Helpers of the needs domain tests: territories built from stored communes, the
way ``crig.territory.selection`` would give them, without depending on it."""

import json

import pytest
import shapely

from crig.territory.geometry import union_outline
from crig.territory.models import Commune
from crig.territory.selection import TerritorySelection


def selection_of(
    *codes: str, shares: dict[str, float] | None = None
) -> TerritorySelection:
    """A territory made of whole communes (or of the given shares of them)."""
    communes = list(Commune.objects.filter(insee__in=codes).order_by("insee"))
    assert len(communes) == len(codes), "unknown commune code in a test"
    shares = {c.insee: (shares or {}).get(c.insee, 1.0) for c in communes}
    union = union_outline([shapely.from_geojson(c.outline) for c in communes])
    return TerritorySelection(
        communes=shares,
        outline=json.loads(shapely.to_geojson(union)),
        bbox=tuple(round(v, 6) for v in union.bounds),
        area_km2=sum((c.area_km2 or 0) * shares[c.insee] for c in communes),
        population=round(sum(c.population * shares[c.insee] for c in communes)),
        description=", ".join(c.name for c in communes),
    )


@pytest.fixture
def toulouse_selection(territory) -> TerritorySelection:
    return selection_of("31555")


@pytest.fixture
def blagnac_selection(territory) -> TerritorySelection:
    return selection_of("31069")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password on every person; the default hasher is slow by
    design and would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
