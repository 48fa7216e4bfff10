"""A territory as a person gives it — communes, EPCI, départements picked by name, a
polygon drawn on the map, an uploaded file — turned into communes and an outline.

Used by every module that asks for a territory (needs, supports, funding requests).
CONTRACT (signatures are fixed). Reading files and drawn shapes is
``crig.territory.inputs`` (pure); this module adds what needs the database (the
communes, the region) and the person's language: each ``inputs`` error class and
note code becomes a French (or English) sentence here. The rules are explained in
docs/architecture/territory-input.md.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

import numpy as np
import shapely
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import InvalidInput
from crig.territory import geometry, inputs
from crig.territory.models import EPCI, Commune, Departement, Region
from crig.territory.selectors import communes_covered

#: A commune a drawn or uploaded shape covers by less than this share of the
#: commune's area AND that holds less than ``SLIVER_MAX_SHAPE_SHARE`` of the
#: shape's area is a sliver, left out of the communes (the outline keeps it): a
#: polygon traced by hand along a border nibbles at every neighbour. Measured on
#: Toulouse's outline simplified as a person would trace it (~150 m off), the 12
#: neighbours get 0.1-2.3 % of their area, 0.03-0.3 km², each under 0.3 % of the
#: shape; both conditions, so that a small zone straddling two large communes
#: keeps both (each holds a large share of the zone).
SLIVER_MAX_FRACTION = 0.05
SLIVER_MAX_SHAPE_SHARE = 0.02
#: Below this share of a shape outside the region, clipping it is border noise
#: (the region outline is simplified) and the person is not told.
CLIP_NOTE_MIN_SHARE = 0.005
#: Up to this many départements or EPCI are named in the description.
NAMED_UNITS_MAX = 3
DESCRIPTION_MAX_LENGTH = 300


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
    communes = _codes(communes)
    epcis = _codes(epcis)
    departements = _codes(departements, upper=True)
    drawn = _drawn_or_none(drawn)
    if upload is not None and not upload.name and not upload.data:
        upload = None
    if not (communes or epcis or departements or drawn is not None or upload):
        raise InvalidInput(
            _(
                "Indicate a territory: pick communes, EPCI or départements, draw "
                "a polygon on the map or upload a file."
            ),
            field=None,
        )
    units = _units(communes, epcis, departements)
    notes: list[str] = []
    shapes = []
    if drawn is not None:
        shapes.append(_drawn_shape(drawn, notes))
    if upload is not None:
        shapes.append(_uploaded_shape(upload, notes))

    shares = dict.fromkeys(units.commune_codes, 1.0)
    if shapes:
        drawn_union = geometry.union_outline(shapes)
        for code, fraction in _covered_shares(drawn_union).items():
            shares[code] = max(fraction, shares.get(code, 0.0))

    pieces = units.outlines + shapes
    outline = geometry.for_storage(
        np.array([geometry.union_outline(pieces)], dtype=object)
    )[0]
    populations = dict(
        Commune.objects.filter(insee__in=shares).values_list("insee", "population")
    )
    population = round(sum(populations[code] * share for code, share in shares.items()))
    return TerritorySelection(
        communes=dict(sorted(shares.items())),
        outline=json.loads(shapely.to_geojson(outline)),
        bbox=tuple(float(value) for value in geometry.rounded_bounds(outline)),
        area_km2=float(geometry.area_km2(outline)),
        population=population,
        description=_description(units, drawn is not None, upload),
        notes=notes,
    )


# --- Codes ------------------------------------------------------------------------


def _codes(values, *, upper: bool = False) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    cleaned = (str(value).strip() for value in values or ())
    return list(dict.fromkeys(c.upper() if upper else c for c in cleaned if c))


@dataclass
class _Units:
    commune_codes: set[str]
    outlines: list  # shapely outlines: départements, EPCI, then lone communes
    commune_names: list[str]
    epci_names: list[str]
    departement_names: list[str]


def _units(communes: list[str], epcis: list[str], departements: list[str]) -> _Units:
    """The communes of every picked unit and the largest outlines that cover them
    (as ``organisation_set_perimeter`` does: a département's outline is already
    the union of its communes, so 13 outlines unite faster than 4,453)."""
    found_communes = {
        insee: (name, outline)
        for insee, name, outline in Commune.objects.filter(
            insee__in=communes
        ).values_list("insee", "name", "outline")
    }
    found_epcis = {
        siren: (name, outline)
        for siren, name, outline in EPCI.objects.filter(siren__in=epcis).values_list(
            "siren", "name", "outline"
        )
    }
    found_departements = {
        code: (name, outline)
        for code, name, outline in Departement.objects.filter(
            code__in=departements
        ).values_list("code", "name", "outline")
    }
    _refuse_unknown(
        ("communes", communes, found_communes),
        ("epcis", epcis, found_epcis),
        ("departements", departements, found_departements),
    )
    codes = set(found_communes)
    in_departements = set(
        Commune.objects.filter(departement_id__in=found_departements).values_list(
            "insee", flat=True
        )
    )
    in_epcis = set(
        Commune.objects.filter(epci_id__in=found_epcis).values_list("insee", flat=True)
    )
    codes |= in_departements | in_epcis
    outlines = [outline for _name, outline in found_departements.values() if outline]
    outlines += [outline for _name, outline in found_epcis.values() if outline]
    outlines += [
        outline
        for insee, (_name, outline) in found_communes.items()
        if outline and insee not in in_departements | in_epcis
    ]
    return _Units(
        commune_codes=codes,
        outlines=[shapely.from_geojson(text) for text in outlines],
        commune_names=[found_communes[code][0] for code in communes],
        epci_names=[found_epcis[code][0] for code in epcis],
        departement_names=[found_departements[code][0] for code in departements],
    )


def _refuse_unknown(*kinds) -> None:
    messages = {
        "communes": lambda codes: (
            _("Unknown commune codes: %(codes)s.") % {"codes": codes}
        ),
        "epcis": lambda codes: (
            _("Unknown EPCI SIREN numbers: %(codes)s.") % {"codes": codes}
        ),
        "departements": lambda codes: (
            _("Unknown département codes: %(codes)s.") % {"codes": codes}
        ),
    }
    problems, first_field = [], None
    for name, given, found in kinds:
        unknown = [code for code in given if code not in found]
        if unknown:
            problems.append(messages[name](", ".join(unknown)))
            first_field = first_field or name
    if problems:
        raise InvalidInput(" ".join(problems), field=first_field)


# --- Drawn and uploaded shapes ----------------------------------------------------


def _drawn_or_none(drawn):
    """None for "nothing drawn": no value, blank text, an empty FeatureCollection
    (what the map's drawing tool holds once every shape is deleted)."""
    if drawn is None:
        return None
    if isinstance(drawn, str | bytes):
        if not drawn.strip():
            return None
        try:
            drawn = json.loads(drawn)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InvalidInput(
                _("The drawn polygon could not be read; draw it again."),
                field="drawn",
            ) from exc
    if (
        isinstance(drawn, dict)
        and drawn.get("type") == "FeatureCollection"
        and drawn.get("features") == []
    ):
        return None
    return drawn


def _drawn_shape(drawn, notes: list[str]):
    try:
        read = inputs.read_drawn(drawn)
    except inputs.NoPolygon as exc:
        raise InvalidInput(
            _("Draw a polygon or a rectangle: a territory needs an area."),
            field="drawn",
        ) from exc
    except geometry.GeometryError as exc:
        raise InvalidInput(
            _("The drawn polygon could not be read; draw it again."), field="drawn"
        ) from exc
    for note in read.notes:
        if note.code == inputs.REPAIRED:
            notes.append(
                _(
                    "The drawn polygon crossed itself; it was repaired (the loops "
                    "became separate polygons): check it on the map."
                )
            )
    clipped, outside_share = _clipped_to_region(read.geometry)
    if clipped is None:
        raise InvalidInput(
            _("The drawn polygon lies wholly outside %(region)s.")
            % {"region": _region_name()},
            field="drawn",
        )
    if outside_share >= CLIP_NOTE_MIN_SHARE:
        notes.append(
            _(
                "The part of the drawn polygon outside %(region)s (%(percent)s of "
                "its area) was left out."
            )
            % {"region": _region_name(), "percent": _percent(outside_share)}
        )
    return clipped


def _uploaded_shape(upload: UploadedTerritory, notes: list[str]):
    name = PurePosixPath(upload.name.replace("\\", "/")).name[:100] or "?"
    try:
        read = inputs.read_file(
            name, upload.data, max_bytes=settings.TERRITORY_UPLOAD_MAX_BYTES
        )
    except geometry.GeometryError as exc:
        raise InvalidInput(file_error_message(exc, name), field="upload") from exc
    for note in read.notes:
        notes.append(_file_note(note, name))
    clipped, outside_share = _clipped_to_region(read.geometry)
    if clipped is None:
        raise InvalidInput(
            _("The territory of the file %(name)s lies wholly outside %(region)s.")
            % {"name": name, "region": _region_name()},
            field="upload",
        )
    if outside_share >= CLIP_NOTE_MIN_SHARE:
        notes.append(
            _(
                "The part of the file %(name)s outside %(region)s (%(percent)s of "
                "its area) was left out."
            )
            % {
                "name": name,
                "region": _region_name(),
                "percent": _percent(outside_share),
            }
        )
    return clipped


def file_error_message(exc: geometry.GeometryError, name: str) -> str:
    """The person's sentence for an ``inputs`` error (most specific class first)."""
    values = {"name": name}
    if isinstance(exc, inputs.FileTooLarge):
        return _("The file %(name)s weighs %(size)s; the limit is %(limit)s.") % {
            **values,
            "size": filesizeformat(exc.size),
            "limit": filesizeformat(exc.limit),
        }
    if isinstance(exc, inputs.EmptyFile):
        return _("The file %(name)s is empty.") % values
    if isinstance(exc, inputs.UnsupportedFormat):
        return (
            _(
                "The format of the file %(name)s is not supported: upload a GeoJSON "
                "(.geojson, .json), a zipped shapefile (.zip), a GeoPackage (.gpkg) "
                "or a KML file (.kml)."
            )
            % values
        )
    if isinstance(exc, inputs.ArchiveTooLarge):
        return _(
            "The archive %(name)s would expand to %(size)s, more than the limit "
            "of %(limit)s; it was not opened."
        ) % {
            **values,
            "size": filesizeformat(exc.size),
            "limit": filesizeformat(exc.limit),
        }
    if isinstance(exc, inputs.UnsafeXml):
        return (
            _(
                "The KML file %(name)s was refused: it declares a DTD or XML "
                "entities, which a KML file never needs."
            )
            % values
        )
    if isinstance(exc, inputs.NoShapefile):
        return _("The archive %(name)s holds no shapefile (.shp file).") % values
    if isinstance(exc, inputs.IncompleteShapefile):
        return ngettext(
            "The shapefile in %(name)s is incomplete: its %(missing)s file is missing.",
            "The shapefile in %(name)s is incomplete: its %(missing)s files are "
            "missing.",
            len(exc.missing),
        ) % {**values, "missing": ", ".join(exc.missing)}
    if isinstance(exc, inputs.MissingPrj):
        return (
            _(
                "The shapefile in %(name)s has no .prj file, so its coordinate "
                "system is unknown: add the .prj file to the archive."
            )
            % values
        )
    if isinstance(exc, inputs.MissingCRS):
        return (
            _(
                "The file %(name)s does not declare its coordinate system: export "
                "it again with one (Lambert-93, EPSG:2154, or WGS84, EPSG:4326)."
            )
            % values
        )
    if isinstance(exc, geometry.UnsupportedCRS):
        return (
            _(
                "The coordinate system of the file %(name)s is unknown: export it "
                "again in Lambert-93 (EPSG:2154) or WGS84 (EPSG:4326)."
            )
            % values
        )
    if isinstance(exc, inputs.CoordinatesNotLonLat):
        return (
            _(
                "The coordinates of the file %(name)s are not longitudes and "
                "latitudes: a GeoJSON or KML file is in WGS84 (EPSG:4326), and a "
                "shapefile's .prj must match its coordinates."
            )
            % values
        )
    if isinstance(exc, inputs.CoordinatesOutsideFrance):
        return (
            _(
                "The coordinates of the file %(name)s fall outside metropolitan "
                "France: its coordinate system is probably declared wrongly."
            )
            % values
        )
    if isinstance(exc, inputs.NoPolygon):
        kinds = sorted({_geometry_kind(found) for found in exc.found})
        if kinds:
            return _(
                "The file %(name)s holds no polygon, only %(kinds)s: a territory "
                "needs an area."
            ) % {**values, "kinds": ", ".join(kinds)}
        return _("The file %(name)s holds no polygon.") % values
    if isinstance(exc, inputs.UnreadableFile):
        return (
            _(
                "The file %(name)s could not be read: it may be damaged, or not of "
                "the format its extension announces."
            )
            % values
        )
    return _("The file %(name)s holds a geometry that cannot be read.") % values


def _geometry_kind(geometry_type: str) -> str:
    if "Point" in geometry_type:
        return _("points")
    if "Line" in geometry_type or "Curve" in geometry_type:
        return _("lines")
    return geometry_type


def _file_note(note: inputs.Note, name: str) -> str:
    values = {"name": name, "count": note.count}
    if note.code == inputs.REPAIRED:
        return (
            ngettext(
                "%(count)d polygon of the file %(name)s crossed itself; it was "
                "repaired: check it on the map.",
                "%(count)d polygons of the file %(name)s crossed themselves; they were "
                "repaired: check them on the map.",
                note.count,
            )
            % values
        )
    if note.code == inputs.IGNORED_GEOMETRIES:
        return (
            ngettext(
                "%(count)d point or line of the file %(name)s was left out: only "
                "polygons make a territory.",
                "%(count)d points or lines of the file %(name)s were left out: only "
                "polygons make a territory.",
                note.count,
            )
            % values
        )
    return ngettext(
        "Only the first layer of polygons of %(name)s was read; left out: %(layers)s.",
        "Only the first layer of polygons of %(name)s was read; left out: %(layers)s.",
        note.count,
    ) % {**values, "layers": ", ".join(note.names)}


def _percent(share: float) -> str:
    return f"{max(1, round(share * 100))} %"


# --- Region and communes ----------------------------------------------------------


def _region() -> Region:
    region = Region.objects.only("code", "name", "updated_at").first()
    if region is None:
        raise InvalidInput(_("The territory of the region is not loaded yet."))
    return region


def _region_name() -> str:
    return _region().name


@lru_cache(maxsize=2)
def _region_outline(code: str, updated_at) -> shapely.Geometry:
    """The region's outline, parsed and prepared once per version of it."""
    outline = shapely.from_geojson(Region.objects.get(code=code).outline)
    shapely.prepare(outline)
    return outline


def _polygonal(shape):
    """The polygons of a geometry (an intersection may add lines or points)."""
    if shape.geom_type in geometry.POLYGONAL_TYPES:
        return shape
    parts = [
        part
        for part in getattr(shape, "geoms", [])
        if part.geom_type in geometry.POLYGONAL_TYPES
    ]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _clipped_to_region(shape) -> tuple[object | None, float]:
    """(the part of a WGS84 shape inside the region or None, the share of its area
    outside)."""
    region = _region()
    outline = _region_outline(region.code, region.updated_at)
    if outline.covers(shape):
        return shape, 0.0
    inside = _polygonal(shapely.intersection(shape, outline))
    if inside.is_empty or inside.area == 0:
        return None, 1.0
    share_outside = 1 - geometry.area_km2(inside) / geometry.area_km2(shape)
    return inside, max(0.0, float(share_outside))


def _covered_shares(shape) -> dict[str, float]:
    """Share of each commune a shape covers, slivers left out (see
    ``SLIVER_MAX_FRACTION``); the commune it covers most always stays."""
    covered = communes_covered(shape)
    if not covered:
        return {}
    shape_km2 = float(geometry.area_km2(shape))
    largest = max(covered, key=lambda item: item.coverage.covered_km2)
    # Six decimals, as the API gives them: shares are good to about 1 % anyway.
    return {
        item.commune.insee: round(min(item.coverage.fraction, 1.0), 6)
        for item in covered
        if item is largest
        or item.coverage.fraction >= SLIVER_MAX_FRACTION
        or item.coverage.covered_km2 >= SLIVER_MAX_SHAPE_SHARE * shape_km2
    }


# --- Description ------------------------------------------------------------------


def _description(units: _Units, drawn: bool, upload: UploadedTerritory | None) -> str:
    parts = []
    parts += _named_units(
        units.departement_names,
        _("%(name)s (département)"),
        lambda count: ngettext(
            "%(count)d département", "%(count)d départements", count
        ),
    )
    parts += _named_units(
        units.epci_names,
        _("%(name)s (EPCI)"),
        lambda count: ngettext("%(count)d EPCI", "%(count)d EPCI", count),
    )
    if len(units.commune_names) == 1:
        parts.append(units.commune_names[0])
    elif units.commune_names:
        count = len(units.commune_names)
        parts.append(
            ngettext("%(count)d commune", "%(count)d communes", count)
            % {"count": count}
        )
    if drawn:
        parts.append(_("drawn polygon"))
    if upload is not None:
        parts.append(
            _("file %(name)s")
            % {"name": PurePosixPath(upload.name.replace("\\", "/")).name}
        )
    text = ", ".join(parts)
    text = text[:1].upper() + text[1:]
    if len(text) > DESCRIPTION_MAX_LENGTH:
        text = text[: DESCRIPTION_MAX_LENGTH - 1] + "…"
    return text


def _named_units(names: list[str], one: str, many) -> list[str]:
    if len(names) > NAMED_UNITS_MAX:
        return [many(len(names)) % {"count": len(names)}]
    return [one % {"name": name} for name in names]
