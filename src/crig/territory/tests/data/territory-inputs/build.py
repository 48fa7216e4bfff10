"""Build the territory-input test files in this folder (run once; the files are
committed): ``.venv/bin/python <this folder>/build.py`` from the repository root.

Every polygon is a small box in central Toulouse (lon 1.42-1.46, lat 43.59-43.62,
wholly inside the commune 31555) unless its name says otherwise.
"""

import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

from crig.territory.geometry import LAMBERT93, WGS84, reproject

HERE = Path(__file__).resolve().parent
TOULOUSE = shapely.box(1.42, 43.59, 1.46, 43.62)
# Densified before reprojection, so the Lambert-93 box follows the same edges.
TOULOUSE_L93 = reproject(
    shapely.segmentize(TOULOUSE, 0.005), source_crs=WGS84, target_crs=LAMBERT93
)
BOWTIE = shapely.Polygon(
    [(1.42, 43.59), (1.46, 43.62), (1.46, 43.59), (1.42, 43.62), (1.42, 43.59)]
)
# Near Rennes, in Brittany: inside metropolitan France, outside Occitanie.
BRITTANY = shapely.box(-1.72, 48.08, -1.64, 48.13)
# Montpellier's coast: the southern part lies in the sea, outside the region.
PARTLY_OUTSIDE = shapely.box(3.80, 43.42, 3.95, 43.60)


def feature_collection(*geometries, properties=None) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": properties or {"name": "zone"},
                    "geometry": shapely.geometry.mapping(shape),
                }
                for shape in geometries
            ],
        },
        indent=1,
    )


def write_layer(path, shapes, *, crs, driver, layer=None, append=False):
    wkb = np.array([shapely.to_wkb(shape) for shape in shapes], dtype=object)
    names = np.array([f"zone {i}" for i in range(len(shapes))], dtype=object)
    geometry_type = shapes[0].geom_type
    pyogrio.raw.write(
        path,
        wkb,
        [names],
        ["name"],
        geometry_type=geometry_type,
        crs=crs,
        driver=driver,
        layer=layer,
        append=append,
    )


def shapefile_zip(target: Path, shapes, *, crs, drop=()):
    with tempfile.TemporaryDirectory() as folder:
        write_layer(
            Path(folder) / "zones.shp", shapes, crs=crs, driver="ESRI Shapefile"
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                if path.suffix not in drop:
                    archive.write(path, f"zones/{path.name}")


def declared_huge_zip(target: Path):
    """A tiny archive whose headers declare a 4 GB member (as a zip bomb would)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zones.shp", b"\0" * 1000)
    data = bytearray(target.read_bytes())
    huge = (4_000_000_000).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = huge
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = huge
    target.write_bytes(bytes(data))


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>Zones</name>
 <Placemark><name>Centre de Toulouse</name>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>
   1.42,43.59,0 1.46,43.59,0 1.46,43.62,0 1.42,43.62,0 1.42,43.59,0
  </coordinates></LinearRing></outerBoundaryIs></Polygon>
 </Placemark>
 <Placemark><name>Capitole</name>
  <Point><coordinates>1.4437,43.6045,0</coordinates></Point>
 </Placemark>
</Document>
</kml>
"""

KML_LINES = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
 <Placemark><LineString><coordinates>1.42,43.59 1.46,43.62</coordinates></LineString>
 </Placemark>
</Document></kml>
"""

KML_EXTERNAL_ENTITY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&secret;</name>
 <Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>
  1.42,43.59 1.46,43.59 1.46,43.62 1.42,43.62 1.42,43.59
 </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>
"""

KML_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol3;</name></Document></kml>
"""


def main():
    (HERE / "toulouse.geojson").write_text(feature_collection(TOULOUSE))
    (HERE / "bowtie.geojson").write_text(feature_collection(BOWTIE))
    (HERE / "brittany.geojson").write_text(feature_collection(BRITTANY))
    (HERE / "partly-outside.geojson").write_text(feature_collection(PARTLY_OUTSIDE))
    (HERE / "points.geojson").write_text(
        feature_collection(shapely.Point(1.44, 43.60), shapely.Point(1.45, 43.61))
    )
    lambert = json.loads(feature_collection(TOULOUSE_L93))
    (HERE / "lambert93-no-crs.geojson").write_text(json.dumps(lambert))
    lambert["crs"] = {
        "type": "name",
        "properties": {"name": "urn:ogc:def:crs:EPSG::2154"},
    }
    (HERE / "lambert93-crs.geojson").write_text(json.dumps(lambert))
    lambert["crs"]["properties"]["name"] = "EPSG:999999"
    (HERE / "unknown-crs.geojson").write_text(json.dumps(lambert))
    (HERE / "empty.geojson").write_bytes(b"")

    shapefile_zip(HERE / "toulouse-lambert93.zip", [TOULOUSE_L93], crs=LAMBERT93)
    shapefile_zip(
        HERE / "toulouse-no-prj.zip", [TOULOUSE_L93], crs=LAMBERT93, drop={".prj"}
    )
    # Lambert-93 coordinates declared as WGS84: a wrong .prj.
    shapefile_zip(HERE / "toulouse-wrong-prj.zip", [TOULOUSE_L93], crs=WGS84)
    (HERE / "broken.zip").write_bytes(
        (HERE / "toulouse-lambert93.zip").read_bytes()[:200]
    )
    with zipfile.ZipFile(HERE / "no-shapefile.zip", "w") as archive:
        archive.writestr("LISEZMOI.txt", "Pas de shapefile ici.")
    declared_huge_zip(HERE / "declared-huge.zip")

    gpkg = HERE / "toulouse-lambert93.gpkg"
    gpkg.unlink(missing_ok=True)
    write_layer(gpkg, [TOULOUSE_L93], crs=LAMBERT93, driver="GPKG", layer="zones")
    write_layer(
        gpkg,
        [
            reproject(
                shapely.Point(1.4437, 43.6045), source_crs=WGS84, target_crs=LAMBERT93
            )
        ],
        crs=LAMBERT93,
        driver="GPKG",
        layer="reperes",
        append=True,
    )
    no_crs = HERE / "toulouse-no-crs.gpkg"
    no_crs.unlink(missing_ok=True)
    write_layer(no_crs, [TOULOUSE_L93], crs=None, driver="GPKG", layer="zones")

    (HERE / "toulouse.kml").write_text(KML)
    (HERE / "lines.kml").write_text(KML_LINES)
    (HERE / "external-entity.kml").write_text(KML_EXTERNAL_ENTITY)
    (HERE / "billion-laughs.kml").write_text(KML_LAUGHS)


if __name__ == "__main__":
    main()
