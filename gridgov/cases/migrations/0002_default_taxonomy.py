"""Loads the default case taxonomy (gridgov/cases/taxonomy.py) once; edits made later are kept."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.cases.taxonomy import load_default_taxonomy

    load_default_taxonomy(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
