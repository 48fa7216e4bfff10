"""Keeps the full-text index of records up to date.

``dataset_index(ids)`` is called after every write to a record (harvest upsert,
manual edit, withdrawal, merge): it recomputes ``search_text``/``search_title``
from the record, its keywords and its producer, refreshes the backend's index (see
``backends``), the polygon footprints of the bbox search (``DatasetFootprint``)
and the title's key and words for the harvest's duplicate detection
(``match_key``; ``DatasetTitleWord``, for active records only), and notes the
change for the facet snapshot (``facets``).
"""

from collections import defaultdict
from collections.abc import Iterable

import shapely
from django.db import connection, transaction

from crig.catalog.models import Dataset, DatasetFootprint, DatasetTitleWord, Keyword
from crig.catalog.search import analysis, backends, facets, spatial
from crig.catalog.services import matching

BATCH_SIZE = 2000


def dataset_document(dataset: Dataset, keywords: Iterable[str]) -> tuple[str, str]:
    """``(search_text, search_title)`` of one record and the labels of its keywords."""
    producer = dataset.producer
    return analysis.record_terms(
        title=dataset.title,
        abstract=dataset.abstract,
        producer=dataset.producer_name,
        organisation=f"{producer.name} {producer.acronym}" if producer else "",
        referentiel=dataset.referentiel,
        keywords=keywords,
    )


def dataset_index(dataset_ids: Iterable[int]) -> None:
    """Recompute the search terms of these records and refresh the index.

    Ids of deleted records are dropped from the index. Runs in batches, so a whole
    catalogue can be reindexed with ``dataset_index_all``.
    """
    ids = sorted(set(dataset_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        _index_batch(ids[start : start + BATCH_SIZE])
    if ids:
        # The facet snapshot of the search is rebuilt after this commits.
        facets.note_change()


def dataset_index_all() -> int:
    """Reindex every record (after a change of the analysis); returns the count."""
    ids = list(Dataset.objects.values_list("pk", flat=True))
    with transaction.atomic():
        backends.clear_index(connection)
        dataset_index(ids)
    return len(ids)


def _index_batch(ids: list[int]) -> None:
    """One batch: a few queries to read, ``executemany`` to write."""
    keywords = defaultdict(list)
    for dataset_id, label, code in Keyword.objects.filter(
        dataset_id__in=ids
    ).values_list("dataset_id", "label", "code"):
        keywords[dataset_id].append(label if label else code)
    rows = list(
        Dataset.objects.filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk",
            "title",
            "abstract",
            "producer_name",
            "referentiel",
            "producer__name",
            "producer__acronym",
            "footprint_is_bbox",
            "footprint",
            "status",
        )
    )
    documents = []
    polygons = []
    words = []  # (id, word): the similarity matcher's candidate search
    for (
        pk,
        title,
        abstract,
        producer_name,
        referentiel,
        organisation,
        acronym,
        is_bbox,
        footprint,
        status,
    ) in rows:
        search_text, search_title = analysis.record_terms(
            title=title,
            abstract=abstract,
            producer=producer_name,
            organisation=f"{organisation} {acronym}" if organisation else "",
            referentiel=referentiel,
            keywords=keywords[pk],
        )
        key = matching.title_key(title)
        documents.append((pk, search_text, search_title, key))
        if footprint and not is_bbox:
            polygons.append((pk, footprint))
        if status == Dataset.Status.ACTIVE:
            words.extend((pk, word) for word in matching.key_words(key))
    shapes = [spatial.footprint_shape(text) for _pk, text in polygons]
    blobs = shapely.to_wkb(shapes) if shapes else []
    table = connection.ops.quote_name(Dataset._meta.db_table)
    shape_table = connection.ops.quote_name(DatasetFootprint._meta.db_table)
    word_table = connection.ops.quote_name(DatasetTitleWord._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET search_text = %s, search_title = %s, "  # noqa: S608
            "match_key = %s WHERE id = %s",
            [(text, title, key, pk) for pk, text, title, key in documents],
        )
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            for deleted in (shape_table, word_table):
                cursor.execute(
                    f"DELETE FROM {deleted} WHERE dataset_id IN ({placeholders})",  # noqa: S608
                    chunk,
                )
        cursor.executemany(
            f"INSERT INTO {shape_table} (dataset_id, wkb, digest) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [
                (pk, blob, spatial.wkb_digest(blob))
                for (pk, _text), blob in zip(polygons, blobs, strict=True)
                if blob is not None
            ],
        )
        cursor.executemany(
            f"INSERT INTO {word_table} (dataset_id, word) VALUES (%s, %s)",  # noqa: S608
            words,
        )
        backends.write_index(
            connection, [(pk, text) for pk, text, _title, _key in documents], ids
        )
