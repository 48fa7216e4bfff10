"""The shared database cache's table (``CACHES["shared"]``: the password-reset
rate limits), created by ``migrate`` so that a new instance, an upgrade and a
restored backup need no extra ``createcachetable`` step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Does nothing when the table exists.
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            create_cache_table, migrations.RunPython.noop, elidable=False
        )
    ]
