"""The search's change log (``SearchChange``, read by the facet snapshot of
``catalog.search.facets``) and the index of the date order over the active
records.

The index is written per database, not declared on the model: the date order is
``year DESC NULLS LAST, revised_on DESC NULLS LAST, title, id``. On SQLite NULLs
sort first, so ``DESC`` already puts them last and the planner walks a plain
``DESC`` index for that order, but SQLite refuses ``NULLS LAST`` in an index; on
PostgreSQL ``DESC`` puts NULLs first, so the index must say ``NULLS LAST``.
"""

from django.db import migrations, models

INDEX = "dataset_published_date_idx"
COLUMNS = {
    "sqlite": '"status", "year" DESC, "revised_on" DESC, "title", "id"',
    "postgresql": (
        '"status", "year" DESC NULLS LAST, "revised_on" DESC NULLS LAST, '
        '"title", "id"'
    ),
}


def create_index(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "catalog_dataset" ({columns})'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_keyword_facet_index_with_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("token", models.CharField(max_length=16)),
            ],
            options={
                "verbose_name": "search change",
                "verbose_name_plural": "search changes",
            },
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
