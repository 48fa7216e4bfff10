"""A territory a person drew or uploaded, read into one WGS84 (multi)polygon.

Pure: no Django. ``read_file(name, data, max_bytes=…)`` reads the bytes of an
uploaded file, ``read_drawn(geojson)`` what the map's drawing tool sent; both
answer a ``ReadShape`` (a valid WGS84 Polygon or MultiPolygon, the union of every
polygon given, and ``notes`` on what was changed on the way) or raise a
``crig.territory.geometry.GeometryError`` subclass with an English technical
message. The Django layer (``crig.territory.selection``) turns each error class
and each note code into a sentence in the person's language, which is why the
classes carry their facts (sizes, missing extensions, geometry types) as
attributes.

Formats, by extension (see docs/architecture/territory-input.md):

- ``.geojson``, ``.json`` — parsed here with ``json``: a FeatureCollection, a
  Feature or a bare geometry. RFC 7946 says WGS84; a legacy ``crs`` member naming
  another CRS PROJ knows is honoured (reprojected), one it does not is refused.
- ``.zip`` — a zipped shapefile: ``.shp``, ``.shx``, ``.dbf`` and ``.prj`` of the
  first shapefile in the archive. Declared uncompressed sizes are checked before
  anything is extracted (zip bombs), then only those members are written, under
  fixed names, to a temporary folder GDAL reads (no path from the archive is used).
- ``.gpkg`` — a GeoPackage: its first layer of polygons, in its declared CRS.
- ``.kml`` — parsed with defusedxml (DTDs and entities refused, so neither the
  "billion laughs" nor an external entity reaching ``file:///etc/passwd`` can do
  anything), then read here: ``Polygon`` elements, WGS84 by definition. Not through
  GDAL, whose LIBKML driver would follow ``NetworkLink`` elements to the network.

Self-intersecting polygons are repaired with ``shapely.make_valid`` (note
``REPAIRED``); points and lines next to polygons are left out (note
``IGNORED_GEOMETRIES``); a file with nothing but points or lines is refused
(``NoPolygon``).
"""

import io
import json
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio
import pyproj
import shapely
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from shapely.geometry.base import BaseGeometry

from crig.territory.geometry import (
    WGS84,
    GeometryError,
    GeometryOutsideRegion,
    InvalidGeometry,
    UnsupportedCRS,
    check_within_france,
    reproject,
    union_outline,
)

#: Accepted extensions and the format each one means.
FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
    ".kml": "kml",
}
ACCEPTED_EXTENSIONS = tuple(FORMATS)

#: An archive may expand to at most this many times the upload limit. Shapefiles
#: compress 2 to 5 times; a zip bomb expands a thousand times or more.
MAX_UNCOMPRESSED_FACTOR = 5
#: More members than this is not a shapefile someone zipped by hand.
MAX_ARCHIVE_MEMBERS = 500

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SHP_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
_GPKG_MAGIC = b"SQLite format 3\x00"

# CRS names meaning WGS84 longitude/latitude in legacy GeoJSON ``crs`` members.
_WGS84_CRS = (
    pyproj.CRS.from_user_input(WGS84),
    pyproj.CRS.from_user_input("OGC:CRS84"),
)


# --- Errors -------------------------------------------------------------------------


class TerritoryFileError(GeometryError):
    """The uploaded file cannot be read as a territory."""


class EmptyFile(TerritoryFileError):
    """The file has no content."""


class FileTooLarge(TerritoryFileError):
    def __init__(self, size: int, limit: int):
        super().__init__(f"The file has {size} bytes; the limit is {limit}.")
        self.size = size
        self.limit = limit


class UnsupportedFormat(TerritoryFileError):
    def __init__(self, extension: str):
        super().__init__(
            f"Unsupported file extension {extension!r}; expected one of "
            f"{', '.join(ACCEPTED_EXTENSIONS)}."
        )
        self.extension = extension


class UnreadableFile(TerritoryFileError):
    """Broken archive, invalid JSON or XML, a file GDAL cannot open…"""

    def __init__(self, file_format: str, reason: str):
        super().__init__(f"Cannot read the {file_format} file: {reason}")
        self.file_format = file_format
        self.reason = reason


class UnsafeFile(TerritoryFileError):
    """A zip bomb, or XML declaring a DTD or entities."""


class ArchiveTooLarge(UnsafeFile):
    """The archive's members would expand beyond the limit (a zip bomb?)."""

    def __init__(self, size: int, limit: int, members: int):
        super().__init__(
            f"The archive would expand to {size} bytes in {members} files; "
            f"the limit is {limit} bytes and {MAX_ARCHIVE_MEMBERS} files."
        )
        self.size = size
        self.limit = limit
        self.members = members


class UnsafeXml(UnsafeFile):
    """XML declaring a DTD or entities (KML never needs them)."""


class NoShapefile(TerritoryFileError):
    """A zip archive without any ``.shp`` member."""


class IncompleteShapefile(TerritoryFileError):
    def __init__(self, missing: Iterable[str]):
        self.missing = tuple(missing)
        super().__init__(f"The shapefile lacks its {', '.join(self.missing)} file.")


class MissingCRS(GeometryError):
    """The file declares no coordinate reference system where one is needed."""


class MissingPrj(MissingCRS):
    """A shapefile without its ``.prj``."""


class CoordinatesNotLonLat(InvalidGeometry):
    """GeoJSON coordinates that are not WGS84 longitudes and latitudes (e.g. a
    Lambert-93 file exported without reprojection)."""


class CoordinatesOutsideFrance(GeometryOutsideRegion):
    """Coordinates of a file with a declared CRS fall outside metropolitan France:
    the declaration is probably wrong."""


class NoPolygon(GeometryError):
    def __init__(self, found: Iterable[str] = ()):
        self.found = tuple(sorted(set(found)))
        super().__init__(
            "No polygon found"
            + (f" (only {', '.join(self.found)})." if self.found else ".")
        )


# --- Result -------------------------------------------------------------------------

#: Notes: what was changed while reading, for the person to know.
REPAIRED = "repaired"  # ``count`` polygons were invalid (self-intersections…)
IGNORED_GEOMETRIES = "ignored-geometries"  # ``count`` points or lines left out
IGNORED_LAYERS = "ignored-layers"  # ``names``: other layers or shapefiles not read


@dataclass(frozen=True)
class Note:
    code: str
    count: int = 0
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadShape:
    """A valid, non-empty WGS84 Polygon or MultiPolygon and what was done to it."""

    geometry: BaseGeometry
    notes: tuple[Note, ...] = ()
    source_crs: str = WGS84
    file_format: str = "geojson"


# --- Entry points -------------------------------------------------------------------


def file_format(name: str) -> str:
    """The format an uploaded file's name announces, or ``UnsupportedFormat``."""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    try:
        return FORMATS[extension]
    except KeyError:
        raise UnsupportedFormat(extension) from None


def read_file(
    name: str,
    data: bytes,
    *,
    max_bytes: int,
    max_uncompressed_bytes: int | None = None,
) -> ReadShape:
    """Read an uploaded file into a WGS84 (multi)polygon; see the module's doc."""
    kind = file_format(name)
    if len(data) > max_bytes:
        raise FileTooLarge(len(data), max_bytes)
    if not data.strip():
        raise EmptyFile("The file is empty.")
    if max_uncompressed_bytes is None:
        max_uncompressed_bytes = max_bytes * MAX_UNCOMPRESSED_FACTOR
    if kind == "geojson":
        return _read_geojson_text(data)
    if kind == "kml":
        return _read_kml(data)
    if kind == "gpkg":
        return _read_geopackage(data)
    return _read_shapefile_zip(data, max_uncompressed_bytes=max_uncompressed_bytes)


def read_drawn(data: str | bytes | dict) -> ReadShape:
    """What the map's drawing tool sent: a WGS84 GeoJSON Polygon or MultiPolygon,
    a Feature or a FeatureCollection of them."""
    if isinstance(data, str | bytes):
        return _read_geojson_text(data)
    return _read_geojson_object(data)


# --- GeoJSON ------------------------------------------------------------------------


def _read_geojson_text(data: str | bytes) -> ReadShape:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UnreadableFile("GeoJSON", f"not valid JSON ({exc})") from exc
    return _read_geojson_object(document)


def _read_geojson_object(document) -> ReadShape:
    if not isinstance(document, dict):
        raise InvalidGeometry("A GeoJSON document must be a JSON object.")
    source_crs, declared = _geojson_crs(document.get("crs"))
    shapes = []
    try:
        for member in _geojson_geometries(document):
            shapes.append(shapely.geometry.shape(member))
    except InvalidGeometry:
        raise
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        RecursionError,
        shapely.errors.GEOSException,
    ) as exc:
        raise InvalidGeometry(f"Malformed GeoJSON geometry: {exc}") from exc
    return _finish(shapes, source_crs=source_crs, declared_crs=declared)


def _geojson_crs(member) -> tuple[str, bool]:
    """(CRS, whether the file declared one) from a legacy (pre-RFC 7946) member."""
    if member is None:
        return WGS84, False
    name = None
    if isinstance(member, dict) and member.get("type") == "name":
        properties = member.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get("name"), str):
            name = properties["name"]
    if name is None:
        raise UnsupportedCRS(f"Unsupported GeoJSON crs member: {member!r}")
    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError as exc:
        raise UnsupportedCRS(f"Unknown coordinate reference system {name!r}") from exc
    if any(crs.equals(wgs84, ignore_axis_order=True) for wgs84 in _WGS84_CRS):
        return WGS84, False
    return crs.to_wkt(), True


def _geojson_geometries(document: dict) -> Iterable[dict]:
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise InvalidGeometry("A FeatureCollection needs a 'features' list.")
        for feature in features:
            yield from _geojson_geometries(feature)
    elif kind == "Feature":
        geometry = document.get("geometry")
        if geometry is not None:  # a Feature without a location is allowed
            if not isinstance(geometry, dict):
                raise InvalidGeometry("A Feature's geometry must be an object.")
            yield geometry
    elif isinstance(kind, str) and kind in {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }:
        yield document
    else:
        raise InvalidGeometry(f"Unknown GeoJSON type: {kind!r}.")


# --- KML ----------------------------------------------------------------------------


def _local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _read_kml(data: bytes) -> ReadShape:
    try:
        root = SafeElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeXml(f"The KML declares a DTD or entities: {exc!r}") from exc
    except SafeElementTree.ParseError as exc:
        raise UnreadableFile("KML", f"not well-formed XML ({exc})") from exc
    if _local_name(root.tag) != "kml":
        raise UnreadableFile("KML", f"the root element is {root.tag!r}, not kml")
    shapes: list[BaseGeometry] = []
    others: Counter = Counter()
    _collect_kml(root, shapes, others)
    if not shapes:
        raise NoPolygon(others)
    notes = [Note(IGNORED_GEOMETRIES, count=others.total())] if others else []
    return _finish(
        shapes, source_crs=WGS84, declared_crs=False, notes=notes, file_format="kml"
    )


_KML_OTHER_GEOMETRIES = {"Point", "LineString", "LinearRing", "Model", "Track"}


def _collect_kml(element, shapes: list, others: Counter) -> None:
    for child in element:
        name = _local_name(child.tag)
        if name == "Polygon":
            shapes.append(_kml_polygon(child))
        elif name in _KML_OTHER_GEOMETRIES:
            others[name] += 1
        else:
            _collect_kml(child, shapes, others)


def _kml_polygon(element) -> BaseGeometry:
    outer, inner = None, []
    for boundary in element:
        name = _local_name(boundary.tag)
        if name not in ("outerBoundaryIs", "innerBoundaryIs"):
            continue
        for ring in boundary:
            if _local_name(ring.tag) != "LinearRing":
                continue
            positions = _kml_positions(ring)
            if name == "outerBoundaryIs":
                outer = positions
            else:
                inner.append(positions)
    if outer is None:
        raise InvalidGeometry("A KML Polygon has no outerBoundaryIs ring.")
    try:
        return shapely.Polygon(outer, inner)
    except (ValueError, shapely.errors.GEOSException) as exc:
        raise InvalidGeometry(f"Invalid KML Polygon: {exc}") from exc


def _kml_positions(ring) -> list[tuple[float, float]]:
    text = ""
    for child in ring:
        if _local_name(child.tag) == "coordinates":
            text = child.text or ""
    positions = []
    for token in text.split():
        values = token.split(",")
        try:
            positions.append((float(values[0]), float(values[1])))
        except (ValueError, IndexError) as exc:
            raise InvalidGeometry(f"Invalid KML coordinates {token!r}.") from exc
    if len(positions) < 3:
        raise InvalidGeometry("A KML ring needs at least three positions.")
    return positions


# --- GDAL formats (GeoPackage, shapefile) --------------------------------------------


def _read_geopackage(data: bytes) -> ReadShape:
    # GDAL opens whatever it recognises; checking the signature first keeps a
    # renamed file of another kind (a VRT pointing at local files…) out of it.
    if not data.startswith(_GPKG_MAGIC):
        raise UnreadableFile("GeoPackage", "not an SQLite/GeoPackage file")
    with tempfile.TemporaryDirectory(prefix="crig-territory-") as folder:
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layers = pyogrio.list_layers(path)
        except (RuntimeError, OSError, ValueError) as exc:
            raise UnreadableFile("GeoPackage", str(exc)) from exc
        layer_names = [str(name) for name, _type in layers]
        polygon_layers = [
            str(name)
            for name, geometry_type in layers
            if geometry_type
            and ("Polygon" in geometry_type or "Surface" in geometry_type)
        ]
        if not polygon_layers:
            raise NoPolygon(
                str(geometry_type) for _name, geometry_type in layers if geometry_type
            )
        layer = polygon_layers[0]
        notes = []
        ignored = tuple(name for name in layer_names if name != layer)
        if ignored:
            notes.append(Note(IGNORED_LAYERS, count=len(ignored), names=ignored))
        shapes, crs = _gdal_read(path, "GeoPackage", layer=layer)
    if crs is None:
        raise MissingCRS("The GeoPackage layer declares no coordinate system.")
    return _finish(
        shapes, source_crs=crs, declared_crs=True, notes=notes, file_format="gpkg"
    )


def _read_shapefile_zip(data: bytes, *, max_uncompressed_bytes: int) -> ReadShape:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnreadableFile("zip", str(exc)) from exc
    with archive:
        # The central directory states every member's uncompressed size, and
        # zipfile never returns more than that: checking the sum first bounds
        # what extraction can write.
        declared = sum(info.file_size for info in infos)
        if declared > max_uncompressed_bytes or len(infos) > MAX_ARCHIVE_MEMBERS:
            raise ArchiveTooLarge(declared, max_uncompressed_bytes, len(infos))
        members = [
            info
            for info in infos
            if not info.is_dir() and not _is_system_member(info.filename)
        ]
        shapefiles = [info for info in members if _extension(info.filename) == ".shp"]
        if not shapefiles:
            raise NoShapefile("The archive holds no .shp file.")
        stem = _stem(shapefiles[0].filename)
        parts = {
            _extension(info.filename): info
            for info in members
            if _stem(info.filename) == stem
            and _extension(info.filename) in SHAPEFILE_PARTS
        }
        missing = [
            extension for extension in (".shx", ".dbf") if extension not in parts
        ]
        if missing:
            raise IncompleteShapefile(missing)
        if ".prj" not in parts:
            raise MissingPrj("The shapefile has no .prj file.")
        notes = []
        ignored = tuple(PurePosixPath(info.filename).name for info in shapefiles[1:])
        if ignored:
            notes.append(Note(IGNORED_LAYERS, count=len(ignored), names=ignored))
        with tempfile.TemporaryDirectory(prefix="crig-territory-") as folder:
            for extension, info in parts.items():
                content = _zip_member(archive, info)
                if extension == ".shp" and not content.startswith(_SHP_MAGIC):
                    raise UnreadableFile("shapefile", "the .shp is not a shapefile")
                (Path(folder) / f"upload{extension}").write_bytes(content)
            shapes, crs = _gdal_read(Path(folder) / "upload.shp", "shapefile")
    if crs is None:
        raise UnsupportedCRS("The shapefile's .prj describes no known CRS.")
    return _finish(
        shapes, source_crs=crs, declared_crs=True, notes=notes, file_format="shapefile"
    )


def _is_system_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.name.startswith(".") or "__MACOSX" in path.parts


def _extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _stem(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    return str(path.with_suffix("")).lower()


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            return member.read(info.file_size)
    except (
        zipfile.BadZipFile,
        RuntimeError,  # encrypted
        NotImplementedError,  # compression method
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        raise UnreadableFile("zip", str(exc)) from exc


def _gdal_read(
    path: Path, file_format: str, *, layer: str | None = None
) -> tuple[list[BaseGeometry], str | None]:
    try:
        meta, _fids, wkb, _fields = pyogrio.raw.read(
            path, layer=layer, columns=[], force_2d=True
        )
    except (RuntimeError, OSError, ValueError) as exc:
        raise UnreadableFile(file_format, str(exc)) from exc
    wkb = [item for item in wkb if item is not None]
    try:
        shapes = list(shapely.from_wkb(np.array(wkb, dtype=object))) if wkb else []
    except shapely.errors.GEOSException as exc:
        raise UnreadableFile(file_format, str(exc)) from exc
    return shapes, meta.get("crs")


# --- From shapes to one polygon -----------------------------------------------------


def _polygonal_parts(shape: BaseGeometry) -> tuple[list[BaseGeometry], list[str]]:
    """Polygons of a geometry (collections flattened) and the types left out."""
    if shape is None or shape.is_empty:
        return [], []
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        return [shape], []
    if shape.geom_type == "GeometryCollection":
        polygons, others = [], []
        for part in shape.geoms:
            part_polygons, part_others = _polygonal_parts(part)
            polygons += part_polygons
            others += part_others
        return polygons, others
    return [], [shape.geom_type]


def _repaired(polygon: BaseGeometry) -> BaseGeometry | None:
    """A valid polygonal version of an invalid polygon; None if nothing remains
    (a ring collapsed to a line)."""
    polygons, _others = _polygonal_parts(shapely.make_valid(polygon))
    polygons = [part for part in polygons if not part.is_empty and part.area > 0]
    if not polygons:
        return None
    return union_outline(polygons) if len(polygons) > 1 else polygons[0]


def _finish(
    shapes: list[BaseGeometry],
    *,
    source_crs: str,
    declared_crs: bool,
    notes: list[Note] = (),
    file_format: str = "geojson",
) -> ReadShape:
    notes = list(notes)
    polygons, others = [], []
    for shape in shapes:
        shape_polygons, shape_others = _polygonal_parts(shape)
        polygons += shape_polygons
        others += shape_others
    if not polygons:
        raise NoPolygon(others)
    coordinates = shapely.get_coordinates(np.array(polygons, dtype=object))
    if not np.isfinite(coordinates).all():
        raise InvalidGeometry("A coordinate is not a finite number.")
    if source_crs == WGS84 and not (
        (np.abs(coordinates[:, 0]) <= 180).all()
        and (np.abs(coordinates[:, 1]) <= 90).all()
    ):
        raise CoordinatesNotLonLat(
            "Coordinates are not WGS84 longitudes and latitudes."
        )
    if others:
        notes.append(Note(IGNORED_GEOMETRIES, count=len(others)))
    valid, repaired = [], 0
    for polygon in polygons:
        if polygon.is_valid:
            valid.append(polygon)
            continue
        repaired += 1
        fixed = _repaired(polygon)
        if fixed is not None:
            valid.append(fixed)
    if repaired:
        notes.append(Note(REPAIRED, count=repaired))
    if not valid:
        raise InvalidGeometry("Every polygon collapsed when repaired.")
    union = union_outline(valid)
    try:
        union = reproject(union, source_crs=source_crs, target_crs=WGS84)
    except pyproj.exceptions.ProjError as exc:
        raise UnsupportedCRS(f"Cannot reproject from {source_crs}: {exc}") from exc
    if declared_crs:
        try:
            check_within_france(union)
        except GeometryOutsideRegion as exc:
            raise CoordinatesOutsideFrance(str(exc)) from exc
    if not union.is_valid:
        # Reprojection can move a vertex across a neighbouring edge of a polygon
        # that was valid in its own CRS: not the person's doing, repaired silently.
        union = _repaired(union)
        if union is None:
            raise InvalidGeometry("The polygon collapsed when reprojected.")
    if union.is_empty or union.area == 0:
        raise InvalidGeometry("The polygon is empty.")
    return ReadShape(
        geometry=union,
        notes=tuple(notes),
        source_crs=source_crs,
        file_format=file_format,
    )
