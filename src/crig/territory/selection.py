"""A territory as a person gives it — communes, EPCI, départements picked by name, a
polygon drawn on the map, an uploaded file — turned into communes and an outline.

Used by every module that asks for a territory (needs, supports, funding requests).
CONTRACT (implemented by the territory-input work; signatures are fixed):
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UploadedTerritory:
    """A file a person uploaded: its name (the extension tells the format) and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class TerritorySelection:
    """What a territory input resolves to.

    ``communes`` maps each INSEE code concerned to the share of the commune's area
    inside the territory (1.0 for communes picked whole or lying wholly inside).
    ``outline`` is the union as an RFC 7946 GeoJSON geometry in WGS84, clipped to
    the region. ``population`` is the sum of each commune's population times its
    share, rounded. ``description`` says in a few words how it was given
    (translated, e.g. "Toulouse Métropole (EPCI), polygone dessiné").
    ``notes`` are messages for the person (translated), e.g. that self-intersections
    were repaired or that the part outside the region was left out.
    """

    communes: dict[str, float]
    outline: dict
    bbox: tuple[float, float, float, float]
    area_km2: float
    population: int
    description: str
    notes: list[str] = field(default_factory=list)


def territory_selection(
    *,
    communes: list[str] = (),
    epcis: list[str] = (),
    departements: list[str] = (),
    drawn: str | dict | None = None,
    upload: UploadedTerritory | None = None,
) -> TerritorySelection:
    """The union of everything given. Raises ``crig.core.errors.InvalidInput``
    (translated message, ``field`` one of "communes", "epcis", "departements",
    "drawn", "upload", or None when nothing was given) for unknown codes, invalid
    or empty geometries, files of an unknown format, too large
    (``settings.TERRITORY_UPLOAD_MAX_BYTES``), without a CRS where one is needed,
    or lying wholly outside the region."""
    raise NotImplementedError
