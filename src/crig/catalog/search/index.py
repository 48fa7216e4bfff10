"""Keeps the full-text index of records up to date.

Interim version: fills ``Dataset.search_text`` with accent- and case-free words. The
search work (French analysis, SQLite FTS5 / PostgreSQL backends) replaces it.
"""

from collections.abc import Iterable

from crig.catalog.models import Dataset
from crig.territory.names import search_key  # noqa: F401  (same normalisation family)


def dataset_index(dataset_ids: Iterable[int]) -> None:
    import unicodedata

    datasets = list(Dataset.objects.filter(pk__in=list(dataset_ids)))
    for dataset in datasets:
        text = f"{dataset.title} {dataset.abstract} {dataset.producer_name}"
        folded = unicodedata.normalize("NFKD", text.lower())
        dataset.search_text = "".join(c for c in folded if not unicodedata.combining(c))
    Dataset.objects.bulk_update(datasets, ["search_text"])
