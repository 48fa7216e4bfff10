"""Full-text search: the title's terms for ranking, and the backend's index — an
FTS5 table on SQLite, a GIN index on PostgreSQL (see catalog.search.backends)."""

from django.db import migrations, models

from crig.catalog.search import analysis, backends


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    for statement in backends.create_statements(connection.vendor):
        schema_editor.execute(statement)
    # Analyse the records already there (the interim index was not analysed).
    Dataset = apps.get_model("catalog", "Dataset")
    Keyword = apps.get_model("catalog", "Keyword")
    keywords = {}
    for dataset_id, label in Keyword.objects.values_list("dataset_id", "label"):
        keywords.setdefault(dataset_id, []).append(label)
    datasets = list(Dataset.objects.select_related("producer"))
    for dataset in datasets:
        producer = dataset.producer
        dataset.search_text, dataset.search_title = analysis.record_terms(
            title=dataset.title,
            abstract=dataset.abstract,
            producer=dataset.producer_name,
            organisation=f"{producer.name} {producer.acronym}" if producer else "",
            referentiel=dataset.referentiel,
            keywords=keywords.get(dataset.pk, []),
        )
    Dataset.objects.bulk_update(datasets, ["search_text", "search_title"], 500)
    backends.write_index(
        connection,
        [(dataset.pk, dataset.search_text) for dataset in datasets],
        [dataset.pk for dataset in datasets],
    )


def drop_index(apps, schema_editor):
    for statement in backends.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataset",
            name="search_title",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text=(
                    "The title's search terms, for relevance (see catalog.search)."
                ),
                verbose_name="search title",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
