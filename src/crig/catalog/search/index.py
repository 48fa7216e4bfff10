"""Keeps the full-text index of records up to date.

``dataset_index(ids)`` is called after every write to a record (harvest upsert,
manual edit): it recomputes ``search_text``/``search_title`` from the record, its
keywords and its producer, and refreshes the backend's index (see ``backends``).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from crig.catalog.models import Dataset, Keyword
from crig.catalog.search import analysis, backends

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


def dataset_index_all() -> int:
    """Reindex every record (after a change of the analysis); returns the count."""
    ids = list(Dataset.objects.values_list("pk", flat=True))
    with transaction.atomic():
        backends.clear_index(connection)
        dataset_index(ids)
    return len(ids)


def _index_batch(ids: list[int]) -> None:
    keywords = defaultdict(list)
    for dataset_id, label, code in Keyword.objects.filter(
        dataset_id__in=ids
    ).values_list("dataset_id", "label", "code"):
        keywords[dataset_id].append(label if label else code)
    datasets = list(
        Dataset.objects.filter(pk__in=ids)
        .select_related("producer")
        .only(
            "pk",
            "title",
            "abstract",
            "producer_name",
            "referentiel",
            "producer__name",
            "producer__acronym",
        )
    )
    for dataset in datasets:
        dataset.search_text, dataset.search_title = dataset_document(
            dataset, keywords[dataset.pk]
        )
    with transaction.atomic():
        Dataset.objects.bulk_update(
            datasets, ["search_text", "search_title"], batch_size=500
        )
        backends.write_index(
            connection,
            [(dataset.pk, dataset.search_text) for dataset in datasets],
            ids,
        )
