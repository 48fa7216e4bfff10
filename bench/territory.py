"""Territory figures: bundled load, commune search, coverage, point lookup."""

import statistics
import time
import tracemalloc

import shapely


def _median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 3)


def run() -> dict:
    from crig.territory import geometry, selectors
    from crig.territory.models import EPCI, Commune, Departement, Region
    from crig.territory.services import territory_load

    started = time.perf_counter()
    first = territory_load()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = territory_load()
    reload_seconds = time.perf_counter() - started
    if second.changed:
        raise RuntimeError("A second load must change nothing.")
    # Memory is measured on a second full load into emptied tables, since
    # tracemalloc slows the code it watches down.
    for model in (Commune, EPCI, Departement, Region):
        model.objects.all().delete()
    tracemalloc.start()
    territory_load()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    queries = ["beziers", "toulouse", "saint girons", "31000", "castelnau", "34172"]

    def search_all():
        for query in queries:
            list(selectors.communes_search(query=query)[:20])

    outlines = {
        insee: shapely.from_geojson(outline)
        for insee, outline in Commune.objects.values_list("insee", "outline")
    }
    started = time.perf_counter()
    index = geometry.CommuneIndex.build(outlines)
    index_seconds = time.perf_counter() - started
    haute_garonne = shapely.from_geojson(Departement.objects.get(code="31").outline)
    # A département-sized polygon that cuts through communes: its bounding box.
    polygon = shapely.box(*haute_garonne.bounds)
    coverage = index.coverage(polygon)

    return {
        "bundled_load_seconds": round(load_seconds, 2),
        "bundled_load_peak_python_mib": round(peak / 2**20, 1),
        "communes_created": len(first.communes.created),
        "second_load_seconds": round(reload_seconds, 2),
        "commune_search_median_ms_per_query": round(
            _median_ms(search_all, 20) / len(queries), 3
        ),
        "commune_index_build_seconds": round(index_seconds, 2),
        "coverage_departement_box_median_ms": _median_ms(
            lambda: index.coverage(polygon), 10
        ),
        "coverage_departement_box_communes": len(coverage),
        "point_to_commune_in_memory_median_ms": _median_ms(
            lambda: index.commune_at(1.4437, 43.6045), 200
        ),
        "point_to_commune_database_median_ms": _median_ms(
            lambda: selectors.commune_at(longitude=1.4437, latitude=43.6045), 50
        ),
    }
