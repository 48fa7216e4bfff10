"""Hostile files, built in code: territory uploads (GeoJSON, KML, zipped
shapefiles, GeoPackages), attachments and XML documents for harvests.

Every builder answers bytes. The good shapes are a small box in central
Toulouse (commune 31555); the hostile part is in the builder's name.
"""

import io
import json
import sqlite3
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

from crig.territory.geometry import LAMBERT93, WGS84, reproject

TOULOUSE = shapely.box(1.42, 43.59, 1.46, 43.62)
TOULOUSE_L93 = reproject(
    shapely.segmentize(TOULOUSE, 0.005), source_crs=WGS84, target_crs=LAMBERT93
)
NEW_YORK = shapely.box(-74.0, 40.7, -73.9, 40.8)
UTM31 = "EPSG:32631"
KML_NS = "http://www.opengis.net/kml/2.2"
#: What an external entity would read if it were followed.
SECRET_FILE = "/etc/passwd"


# --- GeoJSON ------------------------------------------------------------------------


def geojson(geometry, **members) -> bytes:
    if isinstance(geometry, shapely.Geometry):
        geometry = shapely.geometry.mapping(geometry)
    feature = {"type": "Feature", "properties": {}, "geometry": geometry}
    document = {"type": "FeatureCollection", "features": [feature], **members}
    return json.dumps(document).encode()


def geojson_ring(text: str) -> bytes:
    """A Polygon whose coordinates are given as JSON text (NaN, Infinity…)."""
    return ('{"type": "Polygon", "coordinates": [' + text + "]}").encode()


def geojson_huge(vertices: int) -> bytes:
    """A valid polygon in Toulouse with ``vertices`` vertices."""
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = [
        [round(1.44 + 0.02 * np.cos(a), 7), round(43.605 + 0.015 * np.sin(a), 7)]
        for a in angles
    ]
    ring.append(ring[0])
    polygon = {"type": "Polygon", "coordinates": [ring]}
    return json.dumps(polygon, separators=(",", ":")).encode()


def geojson_crs(geometry, crs_name: str) -> bytes:
    return geojson(geometry, crs={"type": "name", "properties": {"name": crs_name}})


# --- KML ----------------------------------------------------------------------------


def kml_body(coordinates: str = "1.42,43.59 1.46,43.59 1.46,43.62 1.42,43.59") -> str:
    return (
        f'<kml xmlns="{KML_NS}"><Placemark><Polygon><outerBoundaryIs><LinearRing>'
        f"<coordinates>{coordinates}</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon></Placemark></kml>"
    )


def kml(coordinates: str = "1.42,43.59 1.46,43.59 1.46,43.62 1.42,43.59") -> bytes:
    return ('<?xml version="1.0"?>\n' + kml_body(coordinates)).encode()


def kml_with_doctype(doctype: str, *, entity: str = "") -> bytes:
    """A KML polygon behind a DOCTYPE; ``entity`` is referenced in the name."""
    name = f"<name>{entity}</name>" if entity else ""
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<kml xmlns="{KML_NS}"><Placemark>{name}'
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>1.42,43.59 "
        "1.46,43.59 1.46,43.62 1.42,43.59</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark></kml>"
    ).encode()


def billion_laughs_doctype(root: str = "kml") -> str:
    lines = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        lines.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return f"<!DOCTYPE {root} [{''.join(lines)}]>"


def quadratic_blowup_doctype(root: str = "kml") -> str:
    return f'<!DOCTYPE {root} [<!ENTITY a "{"a" * 50_000}">]>'


def external_entity_doctype(url: str, root: str = "kml") -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>'


def external_dtd_doctype(url: str, root: str = "kml") -> str:
    return f'<!DOCTYPE {root} SYSTEM "{url}">'


def parameter_entity_doctype(url: str, root: str = "kml") -> str:
    return f'<!DOCTYPE {root} [<!ENTITY % remote SYSTEM "{url}"> %remote;]>'


def kml_xinclude(url: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<kml xmlns="{KML_NS}" '
        'xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<Placemark><xi:include href="{url}" parse="text"/></Placemark></kml>'
    ).encode()


def kml_network_link(url: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<kml xmlns="{KML_NS}"><NetworkLink>'
        f"<Link><href>{url}</href></Link></NetworkLink></kml>"
    ).encode()


# --- Shapefiles and GeoPackages ----------------------------------------------------


def _write_layer(path: Path, shapes, *, crs: str, driver: str) -> None:
    wkb = np.array([shapely.to_wkb(shape) for shape in shapes], dtype=object)
    names = np.array([f"zone {i}" for i in range(len(shapes))], dtype=object)
    pyogrio.raw.write(
        path,
        wkb,
        [names],
        ["name"],
        geometry_type=shapes[0].geom_type,
        crs=crs,
        driver=driver,
    )


def shapefile_parts(shapes=(TOULOUSE,), *, crs: str = WGS84) -> dict[str, bytes]:
    """{".shp": …, ".shx": …, ".dbf": …, ".prj": …, ".cpg": …}."""
    with tempfile.TemporaryDirectory() as folder:
        _write_layer(
            Path(folder) / "zones.shp", list(shapes), crs=crs, driver="ESRI Shapefile"
        )
        return {path.suffix: path.read_bytes() for path in Path(folder).iterdir()}


def zipped(
    members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression) as writer:
        for name, content in members.items():
            writer.writestr(name, content)
    return archive.getvalue()


def shapefile_zip(
    shapes=(TOULOUSE,),
    *,
    crs: str = WGS84,
    drop=(),
    replace: dict | None = None,
    folder: str = "zones/",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    parts = shapefile_parts(shapes, crs=crs)
    parts.update(replace or {})
    return zipped(
        {f"{folder}zones{ext}": data for ext, data in parts.items() if ext not in drop},
        compression=compression,
    )


def truncated_shp() -> bytes:
    parts = shapefile_parts([shapely.segmentize(TOULOUSE, 0.0005)])
    return shapefile_zip(
        [shapely.segmentize(TOULOUSE, 0.0005)],
        replace={".shp": parts[".shp"][: len(parts[".shp"]) // 2]},
    )


def header_only_shp() -> bytes:
    parts = shapefile_parts()
    return shapefile_zip(replace={".shp": parts[".shp"][:100]})


def shp_with_lying_header() -> bytes:
    """A .shp whose header declares a file of 2 GB and a polygon type."""
    shp = bytearray(shapefile_parts()[".shp"])
    shp[24:28] = struct.pack(">i", 1_000_000_000)  # length in 16-bit words
    return shapefile_zip(replace={".shp": bytes(shp)})


def shp_wrong_shape_type() -> bytes:
    """The header says MultiPatch (31) over polygon records."""
    shp = bytearray(shapefile_parts()[".shp"])
    shp[32:36] = struct.pack("<i", 31)
    return shapefile_zip(replace={".shp": bytes(shp)})


def wrong_crc_zip() -> bytes:
    """A stored (uncompressed) archive whose .prj bytes no longer match the CRC."""
    data = bytearray(shapefile_zip(compression=zipfile.ZIP_STORED))
    prj = shapefile_parts()[".prj"]
    start = bytes(data).find(prj)
    data[start + 10] ^= 0xFF
    return bytes(data)


def unsupported_compression_zip() -> bytes:
    """Every member says it uses compression method 99 (AES), which zipfile cannot
    read."""
    data = bytearray(shapefile_zip(compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        position = data.find(signature)
        while position != -1:
            data[position + offset : position + offset + 2] = struct.pack("<H", 99)
            position = data.find(signature, position + 4)
    return bytes(data)


def encrypted_flag_zip() -> bytes:
    """Every member flagged as encrypted."""
    data = bytearray(shapefile_zip(compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        while position != -1:
            data[position + offset] |= 0x01
            position = data.find(signature, position + 4)
    return bytes(data)


def zip_bomb(uncompressed_bytes: int) -> bytes:
    parts = shapefile_parts()
    parts[".shp"] = parts[".shp"] + b"\0" * uncompressed_bytes
    return zipped({f"zones{ext}": data for ext, data in parts.items()})


def nested_zip() -> bytes:
    return zipped({"inner.zip": shapefile_zip(), "README.txt": b"see inner.zip"})


def many_members_zip(count: int) -> bytes:
    members = {f"zones{ext}": data for ext, data in shapefile_parts().items()}
    members.update({f"junk/{i}.txt": b"x" for i in range(count)})
    return zipped(members)


def traversal_zip(target: str) -> bytes:
    """A valid shapefile whose members are named ``<target>/zones.*`` (with
    ``../`` climbing out of any extraction folder)."""
    return zipped(
        {f"{target}/zones{ext}": data for ext, data in shapefile_parts().items()}
    )


def symlink_zip(link_target: str = SECRET_FILE) -> bytes:
    """A shapefile whose .prj and .shp are symbolic links to ``link_target``."""
    parts = shapefile_parts()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for ext, data in parts.items():
            info = zipfile.ZipInfo(f"zones{ext}")
            if ext in (".prj", ".shp"):
                info.create_system = 3  # Unix
                info.external_attr = (0o120777 << 16) | 0x20
                writer.writestr(info, link_target)
            else:
                writer.writestr(info, data)
    return archive.getvalue()


def directory_named_shp_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr(zipfile.ZipInfo("zones.shp/"), b"")
    return archive.getvalue()


def geopackage(shapes=(TOULOUSE,), *, crs: str = WGS84) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zones.gpkg"
        _write_layer(path, list(shapes), crs=crs, driver="GPKG")
        return path.read_bytes()


def plain_sqlite() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plain.sqlite"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE zones (name TEXT)")
        connection.execute("INSERT INTO zones VALUES ('Toulouse')")
        connection.commit()
        connection.close()
        return path.read_bytes()


def geopackage_with_layer_name(name: str) -> bytes:
    """A GeoPackage whose layer has a hostile name (quotes, SQL)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zones.gpkg"
        wkb = np.array([shapely.to_wkb(TOULOUSE)], dtype=object)
        pyogrio.raw.write(
            path,
            wkb,
            [np.array(["zone"], dtype=object)],
            ["name"],
            geometry_type="Polygon",
            crs=WGS84,
            driver="GPKG",
            layer=name,
        )
        return path.read_bytes()


# --- Attachments --------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
