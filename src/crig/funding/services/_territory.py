"""Storage of a request's territory, as the needs services store a need's: the
outline fields (``Outlined``) and one ``RequestCommune`` row per commune with its
share. Written here rather than imported because the needs helper is private to
its package and bound to the needs models."""

import json

from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput
from crig.funding.models import FundingRequest, RequestCommune
from crig.territory.models import Commune
from crig.territory.selection import TerritorySelection


def territory_check(selection: TerritorySelection | None) -> None:
    """``InvalidInput`` for an empty territory, unknown codes or impossible shares;
    called before anything is written."""
    if selection is None or not selection.communes or not selection.outline:
        raise InvalidInput(_("Give the project's territory."), field="territory")
    known = set(
        Commune.objects.filter(insee__in=list(selection.communes)).values_list(
            "insee", flat=True
        )
    )
    unknown = sorted(set(selection.communes) - known)
    if unknown:
        raise InvalidInput(
            _("Unknown commune codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="territory",
        )
    for insee, share in sorted(selection.communes.items()):
        if not 0 < share <= 1:
            raise InvalidInput(
                _("The share of commune %(insee)s must be above 0 and at most 1.")
                % {"insee": insee},
                field="territory",
            )


def territory_summary(request: FundingRequest) -> dict:
    """What the audit trail keeps of a territory: its description, its communes
    (INSEE code → share) and its area."""
    if request.pk is None:
        return {"description": "", "communes": {}, "area_km2": None}
    return {
        "description": request.territory_description,
        "communes": {
            insee: round(fraction, 4)
            for insee, fraction in request.commune_links.order_by(
                "commune_id"
            ).values_list("commune_id", "fraction")
        },
        "area_km2": round(request.area_km2, 3)
        if request.area_km2 is not None
        else None,
    }


def territory_store(request: FundingRequest, selection: TerritorySelection) -> None:
    """Write the (checked) selection on a saved request and replace its communes."""
    territory_check(selection)
    request.outline = json.dumps(selection.outline, separators=(",", ":"))
    request.min_lon, request.min_lat, request.max_lon, request.max_lat = selection.bbox
    request.area_km2 = selection.area_km2
    request.population = selection.population
    request.territory_description = (selection.description or "")[:300]
    request.save(
        update_fields=[
            "outline",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "area_km2",
            "population",
            "territory_description",
            "updated_at",
        ]
    )
    RequestCommune.objects.filter(request=request).delete()
    RequestCommune.objects.bulk_create(
        [
            RequestCommune(request=request, commune_id=insee, fraction=share)
            for insee, share in sorted(selection.communes.items())
        ]
    )
