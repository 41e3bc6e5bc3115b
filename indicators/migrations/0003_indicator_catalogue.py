"""Loads the nine indicators of regulation 三.2; later catalogue edits update them by code."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from indicators.catalogue import CATALOGUE

    Indicator = apps.get_model("indicators", "Indicator")
    for order, entry in enumerate(CATALOGUE, start=1):
        fields = {key: value for key, value in entry.items() if key != "code"}
        Indicator.objects.update_or_create(code=entry["code"], defaults={**fields, "order": order})


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
