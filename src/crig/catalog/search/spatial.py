"""The exact bounding-box filter of footprints, shared by the catalogue search and
the standards endpoints (CSW ``BBOX``, OGC API Records ``bbox``).

A footprint meets a box when its own bbox does and either it is its bbox (a
rectangle), or its bbox lies inside the box, or the polygon itself meets the box.
Only the last case needs geometry: those polygons are read as WKB from
``DatasetFootprint`` (a narrow table kept by ``search.index.dataset_index``) and
tested in one vectorised ``shapely.intersects`` call. A record of that kind
without a WKB row (written by something that did not index it yet) is read from
its GeoJSON text instead; an unreadable footprint counts as its bbox.

Footprints are content-addressed: each WKB row carries its digest, and parsed
shapes are kept per process by digest (``ShapeCache``, least recently used
first out). Records sharing a footprint — every dataset of one commune, EPCI or
département — are tested once, and a shape is parsed once per process, not once
per query. A digest names its bytes, so the cache never needs invalidating.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

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


def wkb_digest(blob: bytes) -> str:
    """The content address of a WKB footprint (``DatasetFootprint.digest``)."""
    return hashlib.blake2b(bytes(blob), digest_size=16).hexdigest()


class ShapeCache:
    """Parsed footprints by digest, the ``size`` most recently used."""

    def __init__(self, size: int):
        self.size = size
        self._shapes: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, digests: Iterable[str]) -> dict[str, object]:
        found = {}
        with self._lock:
            for digest in digests:
                shape = self._shapes.get(digest)
                if shape is not None:
                    self._shapes.move_to_end(digest)
                    found[digest] = shape
        return found

    def put_many(self, shapes: dict[str, object]) -> None:
        with self._lock:
            for digest, shape in shapes.items():
                self._shapes[digest] = shape
                self._shapes.move_to_end(digest)
            while len(self._shapes) > self.size:
                self._shapes.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()


#: Distinct footprints kept parsed per process: a region's communes, EPCI and
#: départements (about 4,600 in Occitanie) and then some.
shape_cache = ShapeCache(8192)


def shapes_by_digest(
    representatives: dict[str, int], *, using: str = "default"
) -> dict[str, object]:
    """The parsed shape of each digest (``{digest: a dataset id having it}``),
    from the cache, else from the WKB of that dataset. A digest whose WKB is gone
    meanwhile (record rewritten) is left out."""
    shapes = shape_cache.get_many(representatives)
    missing = [pk for digest, pk in representatives.items() if digest not in shapes]
    parsed = {}
    for digest, wkb in _footprint_rows(missing, ("digest", "wkb"), using):
        if digest in representatives:
            parsed[digest] = bytes(wkb)
    if parsed:
        digests = list(parsed)
        geometries = shapely.from_wkb(list(parsed.values()), on_invalid="ignore")
        new = {
            digest: shape
            for digest, shape in zip(digests, geometries, strict=True)
            if shape is not None
        }
        shapely.prepare(list(new.values()))
        shape_cache.put_many(new)
        shapes.update(new)
    return shapes


def _footprint_rows(dataset_ids: list[int], fields: tuple[str, ...], using: str):
    """``fields`` of the footprint rows of these datasets, 900 ids per query."""
    for start in range(0, len(dataset_ids), 900):
        yield from (
            DatasetFootprint.objects.using(using)
            .filter(dataset_id__in=dataset_ids[start : start + 900])
            .values_list(*fields)
        )


def digests_missing(
    representatives: dict[str, int],
    west: float,
    south: float,
    east: float,
    north: float,
    *,
    using: str = "default",
) -> set[str]:
    """The digests (of ``representatives``) whose shape does not meet the box;
    an unreadable shape counts as its bbox, so it meets it."""
    shapes = shapes_by_digest(representatives, using=using)
    known = [digest for digest in representatives if digest in shapes]
    if not known:
        return set()
    box = shapely.box(west, south, east, north)
    hits = shapely.intersects([shapes[digest] for digest in known], box)
    return {digest for digest, hit in zip(known, hits, strict=True) if not hit}


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
    using = queryset.db
    # A row without a digest yet is read as GeoJSON below, like a record without
    # a row (the search's snapshot leaves them out of its digests alike).
    digest_of = {
        pk: digest
        for pk, digest in _footprint_rows(uncertain, ("dataset_id", "digest"), using)
        if digest
    }
    representatives = {}
    for pk, digest in digest_of.items():
        representatives.setdefault(digest, pk)
    missing_digests = digests_missing(
        representatives, west, south, east, north, using=using
    )
    misses = [pk for pk, digest in digest_of.items() if digest in missing_digests]
    ids, shapes = [], []
    unindexed = sorted(set(uncertain) - set(digest_of))
    for start in range(0, len(unindexed), 5000):
        rows = (
            Dataset.objects.filter(pk__in=unindexed[start : start + 5000])
            .exclude(footprint="")
            .values_list("pk", "footprint")
        )
        for pk, text in rows:
            ids.append(pk)
            shapes.append(footprint_shape(text))
    return sorted(misses + _missing(ids, shapes, west, south, east, north))


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
