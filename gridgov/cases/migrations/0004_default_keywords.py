"""Keywords for the default subclasses (the resident pages' category suggestion); kept if edited."""

from django.db import migrations


def fill(apps, schema_editor):
    from gridgov.cases.taxonomy import fill_default_keywords

    fill_default_keywords(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_category_keywords")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
