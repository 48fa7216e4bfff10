"""Helpers of the funding domain tests: territories built from stored communes
the way ``crig.territory.selection`` gives them, and a valid ``RequestData``.
Service-level tests assert the English msgids (``english_messages``); pages, API
and commands assert the French text."""

import datetime
import json
from decimal import Decimal

import pytest
import shapely
from django.utils import translation

from crig.funding.services import BudgetLineData, CoFunderData, RequestData
from crig.territory.geometry import union_outline
from crig.territory.models import Commune
from crig.territory.selection import TerritorySelection


@pytest.fixture
def english_messages():
    """Service-level tests assert the English msgids (``pytestmark`` of those
    files); pages answer in French through the middleware whatever is active."""
    with translation.override("en"):
        yield


def selection_of(*codes: str) -> TerritorySelection:
    """A territory made of whole communes."""
    communes = list(Commune.objects.filter(insee__in=codes).order_by("insee"))
    assert len(communes) == len(codes), "unknown commune code in a test"
    union = union_outline([shapely.from_geojson(c.outline) for c in communes])
    return TerritorySelection(
        communes={c.insee: 1.0 for c in communes},
        outline=json.loads(shapely.to_geojson(union)),
        bbox=tuple(round(v, 6) for v in union.bounds),
        area_km2=sum(c.area_km2 or 0 for c in communes),
        population=sum(c.population for c in communes),
        description=", ".join(c.name for c in communes),
    )


def request_data(signatory, **overrides) -> RequestData:
    """A balanced request: 100 000 € of budget = 60 000 € requested + 25 000 € of a
    co-funder + 15 000 € of self-funding."""
    values = {
        "signatory_id": signatory.pk,
        "title": "Orthophotographie 5 cm de Toulouse",
        "public_summary": "Prise de vue aérienne à 5 cm sur la commune.",
        "description": "Marché de prise de vue, lot unique, négociation en cours.",
        "theme": "orthophotographie",
        "amount_requested": Decimal("60000"),
        "data_licence": "etalab-2.0",
        "self_funding": Decimal("15000"),
        "starts_on": datetime.date(2025, 3, 1),
        "ends_on": datetime.date(2025, 12, 31),
        "budget_lines": [
            BudgetLineData(label="Prise de vue", amount=Decimal("70000")),
            BudgetLineData(label="Traitements", amount=Decimal("30000")),
        ],
        "cofunders": [CoFunderData(amount=Decimal("25000"), name="Toulouse Métropole")],
    }
    values.update(overrides)
    return RequestData(**values)


@pytest.fixture
def toulouse_selection(territory) -> TerritorySelection:
    return selection_of("31555")
