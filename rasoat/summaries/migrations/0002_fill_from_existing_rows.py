"""Fill the summaries of the data stored before they existed (one INSERT … SELECT per family)."""

from django.db import migrations


def fill(apps, schema_editor):
    from rasoat.summaries.services import rebuild

    rebuild(get_model=apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0001_per_unit_summaries_and_rollups"),
        ("inventory", "0002_extra_values_and_added_sheets"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
