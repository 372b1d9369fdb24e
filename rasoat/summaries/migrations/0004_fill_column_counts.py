"""Fill the counts by column of the data stored before they existed.

Which columns are counted comes from each campaign's appendix declaration, which only today's code
builds, so this migration uses the live models (`services.rebuild`'s column part) rather than the
historical ones: it must stay the last migration touching these tables' rows.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from rasoat.campaigns.models import Campaign
    from rasoat.summaries import columns

    columns.rebuild(None, list(Campaign.objects.values_list("pk", flat=True)))


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0003_column_counts"),
        ("appendix", "0001_initial"),
        ("campaigns", "0004_snapshot_version_any_code"),
        ("inventory", "0002_extra_values_and_added_sheets"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
