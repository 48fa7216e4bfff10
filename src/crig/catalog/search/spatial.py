"""The exact bounding-box filter of footprints, shared by the catalogue search and
the standards endpoints (CSW ``BBOX``, OGC API Records ``bbox``).

A footprint meets a box when its own bbox does and either it is its bbox (a
rectangle), or its bbox lies inside the box, or the polygon itself meets the box.
Only the last case needs geometry: those polygons are read as WKB from
``DatasetFootprint`` (a narrow table kept by ``search.index.dataset_index``) and
tested in one vectorised ``shapely.intersects`` call. A record of that kind
without a WKB row (written by something that did not index it yet) is read from
its GeoJSON text instead; an unreadable footprint counts as its bbox.
"""

from collections.abc import Sequence

import shapely
from django.db.models import Q, QuerySet

from crig.catalog.models import Dataset, DatasetFootprint


def overlaps_q(west: float, south: float, east: float, north: float) -> Q:
    """Records whose bbox meets the box (the indexed pre-filter)."""
    return Q(
        min_lon__lte=east,
        max_lon__gte=west,
        min_lat__lte=north,
        max_lat__gte=south,
    )


def inside_q(west: float, south: float, east: float, north: float) -> Q:
    return Q(
        min_lon__gte=west,
        max_lon__lte=east,
        min_lat__gte=south,
        max_lat__lte=north,
    )


def bbox_misses(
    queryset: QuerySet[Dataset], west: float, south: float, east: float, north: float
) -> list[int]:
    """Ids of the records of ``queryset`` whose bbox meets the box but whose
    polygon footprint does not (so: overlaps_q minus these = exact)."""
    uncertain = list(
        queryset.filter(overlaps_q(west, south, east, north), footprint_is_bbox=False)
        .exclude(inside_q(west, south, east, north))
        .order_by()
        .values_list("pk", flat=True)
    )
    if not uncertain:
        return []
    ids, blobs = [], []
    for start in range(0, len(uncertain), 5000):
        chunk = uncertain[start : start + 5000]
        rows = DatasetFootprint.objects.filter(dataset_id__in=chunk).values_list(
            "dataset_id", "wkb"
        )
        for pk, wkb in rows:
            ids.append(pk)
            blobs.append(bytes(wkb))
    shapes = list(shapely.from_wkb(blobs, on_invalid="ignore")) if blobs else []
    unindexed = sorted(set(uncertain) - set(ids))
    for start in range(0, len(unindexed), 5000):
        rows = (
            Dataset.objects.filter(pk__in=unindexed[start : start + 5000])
            .exclude(footprint="")
            .values_list("pk", "footprint")
        )
        for pk, text in rows:
            ids.append(pk)
            shapes.append(footprint_shape(text))
    return _missing(ids, shapes, west, south, east, north)


def _missing(
    ids: Sequence[int], shapes: Sequence, west: float, south: float, east, north
) -> list[int]:
    if not ids:
        return []
    box = shapely.box(west, south, east, north)
    shapely.prepare(box)
    hits = shapely.intersects(box, shapes)
    # No shape (unreadable): counts as its bbox, which meets the box.
    return [
        pk
        for pk, shape, hit in zip(ids, shapes, hits, strict=True)
        if shape is not None and not hit
    ]


def footprint_shape(text: str):
    """The shapely geometry of a stored GeoJSON footprint, None when unreadable."""
    try:
        return shapely.from_geojson(text, on_invalid="ignore")
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None


def bbox_filter(
    queryset: QuerySet[Dataset], west: float, south: float, east: float, north: float
) -> QuerySet[Dataset]:
    """The records of ``queryset`` whose footprint meets the box, exactly."""
    candidates = queryset.filter(overlaps_q(west, south, east, north))
    missing = bbox_misses(queryset, west, south, east, north)
    return candidates.exclude(pk__in=missing) if missing else candidates
