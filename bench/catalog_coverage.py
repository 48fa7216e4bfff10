"""Coverage figures: every commune × 5,000 realistic footprints, one footprint
alone, the database writes, and the same computation in PostGIS.

Footprints are built from the real communes (seeded, so every run is the same):
mostly WGS84 boxes (of départements, EPCI, groups of neighbouring communes, the
region), Lambert-93 orthophoto tiles (as boxes, or as their exact outline), unions
of communes (EPCI outlines, groups) and small boxes. PostGIS gets the same commune
outlines and the same densified footprints as GeoJSON, transformed to EPSG:2154
(``ST_Transform``), with GiST indexes, and computes
``ST_Area(ST_Intersection(c.geom, f.geom)) / ST_Area(c.geom)`` for every
intersecting pair. PostGIS is run in a throw-away cluster as the ``postgres``
user; the benchmark installs nothing: without PostGIS it says how to install it
and reports the shapely figures only.
"""

import os
import random
import resource
import shutil
import time
from pathlib import Path

import numpy as np
import shapely

from bench.pgcluster import ThrowAwayCluster, latest_bin

FOOTPRINTS = 5_000
SEED = 2024
POSTGIS_PORT = 55433
POSTGIS_INSTALL = "apt-get install -y postgresql-15-postgis-3"
TOLERANCE = 1e-6


def _rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Footprints ---------------------------------------------------------------------


def generate_footprints(count: int = FOOTPRINTS, seed: int = SEED):
    """(WGS84 footprints, kinds) built from the stored communes."""
    from crig.territory.geometry import LAMBERT93, to_lambert93, to_wgs84, union_outline
    from crig.territory.models import Commune

    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    rows = list(
        Commune.objects.order_by("insee").values_list(
            "insee", "outline", "departement_id", "epci_id"
        )
    )
    codes = [row[0] for row in rows]
    outlines = dict(zip(codes, shapely.from_geojson([r[1] for r in rows]), strict=True))
    by_departement, by_epci = {}, {}
    for code, _outline, departement, epci in rows:
        by_departement.setdefault(departement, []).append(code)
        if epci:
            by_epci.setdefault(epci, []).append(code)
    departements, epcis = sorted(by_departement), sorted(by_epci)
    bounds = {code: outline.bounds for code, outline in outlines.items()}
    labels = shapely.get_coordinates(
        shapely.point_on_surface(np.array(list(outlines.values())))
    )
    label_tree = shapely.STRtree(shapely.points(labels))

    def box_of(group):
        b = np.array([bounds[code] for code in group])
        return shapely.box(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())

    def neighbours(radius):
        index = rng.randrange(len(codes))
        hits = label_tree.query(shapely.Point(*labels[index]).buffer(radius))
        return [codes[hit] for hit in hits] or [codes[index]]

    footprints, kinds = [], []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.10:
            kind, footprint = (
                "departement_box",
                box_of(by_departement[rng.choice(departements)]),
            )
        elif draw < 0.35:
            kind, footprint = "epci_box", box_of(by_epci[rng.choice(epcis)])
        elif draw < 0.55:
            kind, footprint = "communes_box", box_of(neighbours(rng.uniform(0.05, 0.4)))
        elif draw < 0.75:
            kind = "ortho_tile"
            x, y = labels[rng.randrange(len(codes))]
            size = rng.choice([1_000, 5_000, 10_000])
            point = to_lambert93(shapely.Point(x, y))
            east, north = point.x, point.y
            east, north = east // size * size, north // size * size
            tile = to_wgs84(
                shapely.box(east, north, east + size, north + size),
                source_crs=LAMBERT93,
            )
            footprint = (
                shapely.box(*tile.bounds)
                if rng.random() < 0.5
                else shapely.set_precision(tile, 1e-6)
            )
        elif draw < 0.85:
            kind = "communes_union"
            group = (
                by_epci[rng.choice(epcis)]
                if rng.random() < 0.6
                else neighbours(rng.uniform(0.03, 0.2))
            )
            footprint = union_outline([outlines[code] for code in group])
        elif draw < 0.875:
            kind, footprint = "region_box", box_of(codes)
        else:
            kind = "small_box"
            x, y = labels[rng.randrange(len(codes))]
            half = rng.uniform(0.002, 0.02)
            footprint = shapely.box(x - half, y - half, x + half, y + half)
        footprints.append(footprint)
        kinds.append(kind)
    return footprints, kinds


# --- PostGIS --------------------------------------------------------------------------


def _postgis_missing(bin_dir: Path | None) -> str | None:
    if bin_dir is None:
        return f"PostgreSQL is not installed ({POSTGIS_INSTALL})."
    version = bin_dir.parent.name
    if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
        return f"PostGIS is not installed for PostgreSQL {version}: {POSTGIS_INSTALL}"
    if os.geteuid() != 0 and shutil.which("initdb") is None:
        return "Run the benchmark as root (to start PostgreSQL as postgres)."
    return None


#: The PostGIS comparison measures a query, not durability.
POSTGIS_SETTINGS = (
    "fsync=off",
    "full_page_writes=off",
    "shared_buffers=256MB",
    "work_mem=64MB",
    "max_parallel_workers_per_gather=0",
)


def postgis_fractions(
    communes: list[tuple[str, str]], footprints: list[str], bin_dir: Path
) -> tuple[dict[tuple[int, str], float], float]:
    """((footprint index, insee) → fraction, query seconds) computed by PostGIS
    from WGS84 GeoJSON texts."""
    import psycopg

    to_2154 = "ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326), 2154)"
    cluster = ThrowAwayCluster(bin_dir, port=POSTGIS_PORT, settings=POSTGIS_SETTINGS)
    dsn = f"host=127.0.0.1 port={POSTGIS_PORT} user=postgres dbname=postgres"
    with cluster, psycopg.connect(dsn, autocommit=True) as db:
        db.execute("CREATE EXTENSION postgis")
        db.execute("CREATE TABLE commune (insee text PRIMARY KEY, geom geometry)")
        db.execute("CREATE TABLE footprint (id integer PRIMARY KEY, geom geometry)")
        with db.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO commune VALUES (%s, {to_2154})",  # noqa: S608
                communes,
            )
            cursor.executemany(
                f"INSERT INTO footprint VALUES (%s, {to_2154})",  # noqa: S608
                list(enumerate(footprints)),
            )
        db.execute("CREATE INDEX ON commune USING gist (geom)")
        db.execute("CREATE INDEX ON footprint USING gist (geom)")
        db.execute("ANALYZE commune")
        db.execute("ANALYZE footprint")
        started = time.perf_counter()
        db.execute(
            "CREATE TABLE result AS SELECT f.id, c.insee, "
            "ST_Area(ST_Intersection(c.geom, f.geom)) / ST_Area(c.geom) AS fraction "
            "FROM footprint f JOIN commune c ON ST_Intersects(c.geom, f.geom)"
        )
        seconds = time.perf_counter() - started
        rows = db.execute("SELECT id, insee, fraction FROM result").fetchall()
    return {(fid, insee): fraction for fid, insee, fraction in rows}, seconds


def compare(ours: dict, theirs: dict, epsilon: float) -> dict:
    ours = {key: value for key, value in ours.items() if value > epsilon}
    theirs = {key: value for key, value in theirs.items() if value > epsilon}
    keys = ours.keys() | theirs.keys()
    differences = [abs(ours.get(key, 0.0) - theirs.get(key, 0.0)) for key in keys]
    only_ours = ours.keys() - theirs.keys()
    only_theirs = theirs.keys() - ours.keys()
    largest = max(differences, default=0.0)
    return {
        "pairs_shapely": len(ours),
        "pairs_postgis": len(theirs),
        "same_pairs": not only_ours and not only_theirs,
        "pairs_only_shapely": len(only_ours),
        "pairs_only_postgis": len(only_theirs),
        "largest_fraction_only_one_side": max(
            [ours[key] for key in only_ours] + [theirs[key] for key in only_theirs],
            default=0.0,
        ),
        "max_fraction_difference": float(f"{largest:.3g}"),
        "fractions_agree_within_1e-6": largest <= TOLERANCE,
    }


# --- Run -----------------------------------------------------------------------------


def run() -> dict:
    from django.utils import timezone

    from crig.catalog.coverage import (
        FRACTION_EPSILON,
        CommuneLayer,
        coverage_pairs,
        densified_wgs84,
        prepare_footprints,
    )
    from crig.catalog.models import CommuneCoverage, Dataset, Referentiel
    from crig.catalog.services.coverage import coverage_compute
    from crig.territory.models import Commune
    from crig.territory.services import territory_load

    if not Commune.objects.exists():
        territory_load()
    results: dict = {"footprints": FOOTPRINTS}

    started = time.perf_counter()
    footprints, kinds = generate_footprints()
    results["generate_seconds"] = round(time.perf_counter() - started, 2)
    results["footprint_kinds"] = {k: kinds.count(k) for k in sorted(set(kinds))}

    communes = list(Commune.objects.order_by("insee").values_list("insee", "outline"))
    rss_before = _rss_mib()
    started = time.perf_counter()
    layer = CommuneLayer.build(
        [code for code, _text in communes],
        shapely.from_geojson([text for _code, text in communes]),
    )
    results["communes_prepare_seconds"] = round(time.perf_counter() - started, 2)

    # All communes × all footprints, in memory (what the service does between
    # reading and writing).
    started = time.perf_counter()
    prepared = prepare_footprints(footprints)
    pairs = coverage_pairs(layer, prepared)
    compute_seconds = time.perf_counter() - started
    results["compute_seconds"] = round(compute_seconds, 2)
    results["pairs"] = len(pairs)
    results["candidate_pairs"] = pairs.candidates
    results["decided_by"] = {
        "wgs84_box_inside": pairs.inside_by_box,
        "prepared_covers": pairs.inside_by_covers,
        "outside": pairs.outside_by_box,
        "exact_intersection": pairs.exact,
    }
    results["compute_rss_growth_mib"] = round(_rss_mib() - rss_before, 1)
    results["process_peak_rss_mib"] = round(_peak_rss_mib(), 1)

    # One footprint alone: a département box, and an EPCI outline.
    for kind in ("departement_box", "communes_union"):
        one = [footprints[kinds.index(kind)]]
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            coverage_pairs(layer, prepare_footprints(one))
            timings.append(time.perf_counter() - started)
        results[f"one_{kind}_compute_ms"] = round(sorted(timings)[2] * 1000, 1)

    # Through the service, with the database writes (SQLite here).
    now = timezone.now()
    referentiels = list(Referentiel)
    datasets = []
    for number, footprint in enumerate(footprints):
        west, south, east, north = footprint.bounds
        datasets.append(
            Dataset(
                identifier=f"bench-coverage-{number:05d}",
                title=f"Emprise de test {number}",
                referentiel=referentiels[number % len(referentiels)],
                year=2010 + number % 15,
                footprint=shapely.to_geojson(footprint),
                footprint_is_bbox=kinds[number].endswith("box"),
                min_lon=west,
                min_lat=south,
                max_lon=east,
                max_lat=north,
                is_demo=True,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    Dataset.objects.bulk_create(datasets, batch_size=500)
    ids = list(
        Dataset.objects.filter(identifier__startswith="bench-coverage-")
        .order_by("identifier")
        .values_list("pk", flat=True)
    )
    coverage_compute(dataset_ids=ids[:1])  # builds the cached commune layer
    started = time.perf_counter()
    report = coverage_compute(dataset_ids=ids)
    results["service_total_seconds"] = round(time.perf_counter() - started, 2)
    results["service_read_seconds"] = round(report.read_seconds, 2)
    results["service_compute_seconds"] = round(report.compute_seconds, 2)
    results["service_write_seconds"] = round(report.write_seconds, 2)
    results["service_rows_written"] = report.rows_written
    started = time.perf_counter()
    coverage_compute(dataset_ids=[ids[kinds.index("departement_box")]])
    results["service_one_departement_box_seconds"] = round(
        time.perf_counter() - started, 3
    )
    CommuneCoverage.objects.filter(dataset_id__in=ids).delete()
    Dataset.objects.filter(pk__in=ids).delete()

    # PostGIS on the same input.
    bin_dir = latest_bin()
    missing = _postgis_missing(bin_dir)
    if missing:
        results["postgis"] = {"skipped": missing}
        return results
    densified, _rectangles = densified_wgs84(footprints)
    ours = {
        (int(f), str(layer.codes[c])): float(fraction)
        for f, c, fraction in zip(
            pairs.footprint, pairs.commune, pairs.fraction, strict=True
        )
    }
    theirs, postgis_seconds = postgis_fractions(
        communes, list(shapely.to_geojson(densified)), bin_dir
    )
    results["postgis"] = {
        "query_seconds": round(postgis_seconds, 2),
        "shapely_over_postgis": round(compute_seconds / postgis_seconds, 3),
        "target_at_most": 0.25,
        **compare(ours, theirs, FRACTION_EPSILON),
    }
    return results
