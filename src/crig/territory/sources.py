"""Reading and checking the territory's source files, before anything is written.

Two kinds of input:

- the COG 2024 attribute tables (communes, EPCI, départements), always the bundled
  JSON files of ``data/`` (from ``@etalab/decoupage-administratif``);
- commune outlines: by default the bundled 2018 GeoJSON files (``data/communes_2018``),
  or any layer GDAL reads (IGN ADMIN EXPRESS shapefile or GeoPackage, GeoJSON…),
  read through ``pyogrio.raw`` (numpy + shapely, no pandas).

``read_territory`` returns a ``TerritoryDataset`` in which every 2024 commune has
an outline (outlines of communes merged since the outline's vintage are dissolved
into their successor) and EPCI, département and region outlines are the unions of
their communes. Any problem raises a ``TerritorySourceError`` naming the file.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry.base import BaseGeometry

from crig.core.errors import CrigError
from crig.territory import geometry

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_COG_FILE = DATA_DIR / "occitanie_communes_cog2024.json"
EPCI_COG_FILE = DATA_DIR / "occitanie_epci_2024.json"
DEPARTEMENTS_COG_FILE = DATA_DIR / "occitanie_departements_cog2024.json"
BUNDLED_OUTLINES_DIR = DATA_DIR / "communes_2018"

#: INSEE region codes and names (COG 2024).
REGION_NAMES = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

#: Attribute names that hold the INSEE commune code, in order of preference
#: (compared case-insensitively): IGN ADMIN EXPRESS, INSEE, Etalab, france-geojson.
CODE_FIELDS = ("insee_com", "code_insee", "codgeo", "code_commune", "insee", "code")
#: Layer names that hold communes in multi-layer sources (ADMIN EXPRESS GeoPackage).
COMMUNE_LAYERS = ("commune", "communes")
EPCI_KINDS = ("CC", "CA", "CU", "METRO")

#: ``progress(stage, done, total)``: told after each step of the load.
Progress = Callable[[str, int, int], None]


class TerritorySourceError(CrigError):
    """A source file cannot be used; nothing has been written."""


class SourceUnreadable(TerritorySourceError):
    """The file is missing, is not valid JSON, or GDAL cannot open it."""


class SourceInvalid(TerritorySourceError):
    """The file opens but its content is unusable (fields, CRS, geometry types)."""


class SourceIncomplete(TerritorySourceError):
    """Some communes of the region have no outline in the given files."""


@dataclass(frozen=True, slots=True)
class CommuneRecord:
    insee: str
    name: str
    departement: str
    epci: str | None
    siren: str
    population: int
    postcodes: tuple[str, ...]
    former_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EPCIRecord:
    siren: str
    name: str
    kind: str
    financing: str
    population: int
    member_codes: tuple[str, ...]
    outside_member_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DepartementRecord:
    code: str
    name: str
    chef_lieu: str


@dataclass
class CogTables:
    """The COG 2024 attribute tables restricted to one region."""

    region_code: str
    region_name: str
    communes: dict[str, CommuneRecord]
    epcis: dict[str, EPCIRecord]
    departements: dict[str, DepartementRecord]
    #: Former commune code → 2024 commune that absorbed it.
    successors: dict[str, str]


@dataclass
class TerritoryDataset:
    """Everything the loader writes, checked and with WGS84 outlines.

    Outlines are rounded to ``geometry.STORED_DECIMALS`` and oriented as RFC 7946
    requires; unions are computed from these rounded outlines so that a
    département is exactly the union of its stored communes.
    """

    cog: CogTables
    commune_outlines: dict[str, BaseGeometry]
    epci_outlines: dict[str, BaseGeometry]
    departement_outlines: dict[str, BaseGeometry]
    region_outline: BaseGeometry
    outline_sources: list[str] = field(default_factory=list)


def bundled_outline_paths() -> list[Path]:
    return sorted(BUNDLED_OUTLINES_DIR.glob("*.geojson"))


# --- COG attribute tables -----------------------------------------------------------


def _read_json_list(path: Path) -> list[dict]:
    try:
        with path.open("rb") as handle:
            rows = json.load(handle)
    except FileNotFoundError as exc:
        raise SourceUnreadable(_("File not found: %(path)s.") % {"path": path}) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceUnreadable(
            _("%(path)s is not valid JSON: %(error)s.") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise SourceInvalid(
            _("%(path)s must hold a JSON list of objects.") % {"path": path}
        )
    return rows


def _value(row: dict, key: str, kind: type, path: Path):
    value = row.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SourceInvalid(
            _("%(path)s: record %(record)s has no valid “%(key)s”.")
            % {"path": path.name, "record": row.get("code", "?"), "key": key}
        )
    return value


def read_cog_tables(
    *,
    region_code: str,
    communes_path: Path = COMMUNES_COG_FILE,
    epci_path: Path = EPCI_COG_FILE,
    departements_path: Path = DEPARTEMENTS_COG_FILE,
) -> CogTables:
    """Read and check the COG 2024 tables, keeping the communes of one region."""
    commune_rows = _read_json_list(communes_path)
    epci_rows = _read_json_list(epci_path)
    departement_rows = _read_json_list(departements_path)

    departements = {}
    for row in departement_rows:
        if row.get("region") != region_code:
            continue
        code = _value(row, "code", str, departements_path)
        departements[code] = DepartementRecord(
            code=code,
            name=_value(row, "nom", str, departements_path),
            chef_lieu=_value(row, "chefLieu", str, departements_path),
        )
    if not departements:
        raise SourceInvalid(
            _("%(path)s has no département of region %(region)s.")
            % {"path": departements_path.name, "region": region_code}
        )

    current_rows = [
        row
        for row in commune_rows
        if row.get("region") == region_code and row.get("type") == "commune-actuelle"
    ]
    if not current_rows:
        raise SourceInvalid(
            _("%(path)s has no commune of region %(region)s.")
            % {"path": communes_path.name, "region": region_code}
        )
    member_of: dict[str, str] = {}
    epcis = {}
    current_codes = {_value(row, "code", str, communes_path) for row in current_rows}
    for row in epci_rows:
        siren = _value(row, "code", str, epci_path)
        members = _value(row, "membres", list, epci_path)
        member_codes = [_value(member, "code", str, epci_path) for member in members]
        inside = tuple(code for code in member_codes if code in current_codes)
        if not inside:
            continue
        kind = _value(row, "type", str, epci_path)
        if kind not in EPCI_KINDS:
            raise SourceInvalid(
                _("%(path)s: EPCI %(siren)s has an unknown type “%(kind)s”.")
                % {"path": epci_path.name, "siren": siren, "kind": kind}
            )
        for code in inside:
            if code in member_of:
                raise SourceInvalid(
                    _("%(path)s: commune %(code)s belongs to two EPCI.")
                    % {"path": epci_path.name, "code": code}
                )
            member_of[code] = siren
        epcis[siren] = EPCIRecord(
            siren=siren,
            name=_value(row, "nom", str, epci_path),
            kind=kind,
            financing=row.get("modeFinancement") or "",
            population=_value(row, "populationMunicipale", int, epci_path),
            member_codes=tuple(sorted(inside)),
            outside_member_codes=tuple(
                sorted(code for code in member_codes if code not in current_codes)
            ),
        )

    communes = {}
    successors: dict[str, str] = {}
    for row in current_rows:
        code = _value(row, "code", str, communes_path)
        departement = _value(row, "departement", str, communes_path)
        if departement not in departements:
            raise SourceInvalid(
                _("%(path)s: commune %(code)s is in unknown département %(dep)s.")
                % {"path": communes_path.name, "code": code, "dep": departement}
            )
        former_codes = tuple(row.get("anciensCodes") or ())
        for former in former_codes:
            successors.setdefault(former, code)
        communes[code] = CommuneRecord(
            insee=code,
            name=_value(row, "nom", str, communes_path),
            departement=departement,
            epci=member_of.get(code),
            siren=row.get("siren") or "",
            population=_value(row, "population", int, communes_path),
            postcodes=tuple(sorted(set(row.get("codesPostaux") or ()))),
            former_codes=former_codes,
        )
    # Delegated and associated communes name the commune they now belong to.
    for row in commune_rows:
        if row.get("region") != region_code or row.get("type") not in (
            "commune-deleguee",
            "commune-associee",
        ):
            continue
        code = _value(row, "code", str, communes_path)
        successor = _value(row, "chefLieu", str, communes_path)
        if code not in current_codes and successor in current_codes:
            successors[code] = successor
    return CogTables(
        region_code=region_code,
        region_name=REGION_NAMES.get(region_code, region_code),
        communes=communes,
        epcis=epcis,
        departements=departements,
        successors=successors,
    )


# --- Commune outlines ---------------------------------------------------------------


def _pick_layer(path: Path) -> str:
    try:
        layers = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise SourceUnreadable(
            _("GDAL cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    names = [str(name) for name, _geometry_type in layers]
    if len(names) == 1:
        return names[0]
    for name in names:
        if name.casefold() in COMMUNE_LAYERS:
            return name
    raise SourceInvalid(
        _("%(path)s has several layers (%(layers)s) and none is named “commune”.")
        % {"path": path.name, "layers": ", ".join(names)}
    )


def _code_field(path: Path, fields: Sequence[str]) -> str:
    by_folded_name = {str(name).casefold(): str(name) for name in fields}
    for candidate in CODE_FIELDS:
        if candidate in by_folded_name:
            return by_folded_name[candidate]
    raise SourceInvalid(
        _(
            "%(path)s has no INSEE code attribute (expected one of %(expected)s; "
            "found %(found)s)."
        )
        % {
            "path": path.name,
            "expected": ", ".join(name.upper() for name in CODE_FIELDS),
            "found": ", ".join(str(name) for name in fields) or "—",
        }
    )


def _normalise_codes(values: np.ndarray) -> list[str]:
    codes = []
    for value in values:
        if value is None:
            codes.append("")
        elif isinstance(value, int | np.integer):
            # Numeric fields lose the leading zero of départements 01-09.
            codes.append(f"{int(value):05d}")
        else:
            codes.append(str(value).strip())
    return codes


def read_commune_layer(
    path: Path, *, wanted_codes: set[str]
) -> dict[str, BaseGeometry]:
    """WGS84 outlines of the wanted communes found in one GDAL-readable file."""
    path = Path(path)
    if not path.exists():
        raise SourceUnreadable(_("File not found: %(path)s.") % {"path": path})
    layer = _pick_layer(path)
    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer)
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.FeatureError,
        OSError,
    ) as exc:
        raise SourceUnreadable(
            _("GDAL cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    fields = list(meta["fields"])
    code_field = _code_field(path, fields)
    codes = _normalise_codes(field_data[fields.index(code_field)])
    relevant = [index for index, code in enumerate(codes) if code in wanted_codes]
    if not relevant:
        return {}
    crs = meta.get("crs")
    if not crs:
        raise SourceInvalid(
            _("%(path)s declares no coordinate reference system.") % {"path": path.name}
        )
    if wkb is None:
        raise SourceInvalid(_("%(path)s has no geometry.") % {"path": path.name})
    try:
        outlines = shapely.force_2d(shapely.from_wkb(np.asarray(wkb)[relevant]))
        outlines_wgs84 = geometry.to_wgs84(outlines, source_crs=crs)
    except geometry.UnsupportedCRS as exc:
        raise SourceInvalid(
            _("%(path)s: unknown coordinate reference system.") % {"path": path.name}
        ) from exc
    except shapely.errors.GEOSException as exc:
        raise SourceInvalid(
            _("%(path)s holds unreadable geometries: %(error)s")
            % {"path": path.name, "error": exc}
        ) from exc
    relevant_codes = [codes[index] for index in relevant]
    result: dict[str, BaseGeometry] = {}
    for code, outline in zip(relevant_codes, outlines_wgs84, strict=True):
        if outline is None or outline.is_empty:
            continue
        if outline.geom_type not in geometry.POLYGONAL_TYPES:
            raise SourceInvalid(
                _("%(path)s: commune %(code)s is a %(type)s, not a polygon.")
                % {"path": path.name, "code": code, "type": outline.geom_type}
            )
        if code in result:
            raise SourceInvalid(
                _("%(path)s: commune %(code)s appears twice.")
                % {"path": path.name, "code": code}
            )
        result[code] = outline
    if result:
        try:
            geometry.check_within_france(np.array(list(result.values())))
        except geometry.GeometryOutsideRegion as exc:
            raise SourceInvalid(
                _(
                    "%(path)s: the coordinates do not match the declared coordinate "
                    "reference system (%(crs)s)."
                )
                % {"path": path.name, "crs": crs}
            ) from exc
    return result


def _repair(outline: BaseGeometry) -> BaseGeometry:
    if outline.is_valid:
        return outline
    repaired = shapely.make_valid(outline, method="structure", keep_collapsed=False)
    polygons = [
        part
        for part in shapely.get_parts(repaired)
        if part.geom_type in geometry.POLYGONAL_TYPES
    ]
    return shapely.union_all(polygons)


def read_territory(
    paths: Sequence[Path | str] | None = None,
    *,
    region_code: str,
    progress: Progress | None = None,
) -> TerritoryDataset:
    """Read and check all sources; the returned dataset is ready to be written."""
    outline_paths = [Path(p) for p in paths] if paths else bundled_outline_paths()
    total_steps = len(outline_paths) + 4

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, total_steps)

    cog = read_cog_tables(region_code=region_code)
    report(_("COG 2024 tables"), 1)

    wanted = set(cog.communes) | set(cog.successors)
    found: dict[str, BaseGeometry] = {}
    for number, path in enumerate(outline_paths, start=2):
        layer_outlines = read_commune_layer(path, wanted_codes=wanted)
        duplicates = sorted(set(found) & set(layer_outlines))
        if duplicates:
            raise SourceInvalid(
                _("Commune %(code)s appears in several files (%(path)s).")
                % {"code": duplicates[0], "path": path.name}
            )
        found.update(layer_outlines)
        report(path.name, number)
    if not found:
        raise SourceInvalid(
            _("No commune of region %(region)s in the given files.")
            % {"region": cog.region_name}
        )

    parts: dict[str, list[BaseGeometry]] = defaultdict(list)
    for code, outline in found.items():
        target = code if code in cog.communes else cog.successors.get(code)
        if target is not None:
            parts[target].append(_repair(outline))
    missing = sorted(set(cog.communes) - set(parts))
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise SourceIncomplete(
            ngettext(
                "%(count)d commune of the region has no outline in the given files: "
                "%(codes)s.",
                "%(count)d communes of the region have no outline in the given "
                "files: %(codes)s.",
                len(missing),
            )
            % {"count": len(missing), "codes": shown}
        )
    codes = sorted(parts)
    dissolved = np.array(
        [geometry.union_outline(parts[code]) for code in codes], dtype=object
    )
    stored = geometry.for_storage(dissolved)
    commune_outlines = dict(zip(codes, stored, strict=True))
    report(_("communes"), len(outline_paths) + 2)

    epci_outlines = {
        siren: geometry.union_outline([commune_outlines[c] for c in epci.member_codes])
        for siren, epci in cog.epcis.items()
    }
    by_departement: dict[str, list[BaseGeometry]] = defaultdict(list)
    for code, commune in cog.communes.items():
        by_departement[commune.departement].append(commune_outlines[code])
    departement_outlines = {
        code: geometry.union_outline(by_departement[code]) for code in cog.departements
    }
    report(_("EPCI and départements"), len(outline_paths) + 3)
    region_outline = geometry.union_outline(list(departement_outlines.values()))
    report(_("region"), total_steps)

    def stored_dict(outlines: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
        keys = list(outlines)
        values = geometry.for_storage(np.array(list(outlines.values()), dtype=object))
        return dict(zip(keys, values, strict=True))

    return TerritoryDataset(
        cog=cog,
        commune_outlines=commune_outlines,
        epci_outlines=stored_dict(epci_outlines),
        departement_outlines=stored_dict(departement_outlines),
        region_outline=geometry.for_storage(region_outline),
        outline_sources=[str(path) for path in outline_paths],
    )
