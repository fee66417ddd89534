"""The rows by street of an existing install, summed from its rows by grid (what a rebuild
would write): an upgraded cockpit reads them at once, without a ``gridgov rollup rebuild``."""

from django.db import migrations

# (rows by street, rows by grid, key column or None) as the tables stand at this migration.
PAIRS = (
    ("cockpit_areastreetday", "cockpit_areaday", None),
    ("cockpit_categorystreetday", "cockpit_categoryday", "category_id"),
    ("cockpit_channelstreetday", "cockpit_channelday", "channel"),
    ("cockpit_departmentstreetday", "cockpit_departmentday", "department_id"),
)
STREET_CODE = 9


def fill(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for street_table, grid_table, key in PAIRS:
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, grid_table)
                if column.name not in ("id", "day", "area_code", key)
            ]
            keys = ["day", "area_code"] + ([key] if key else [])
            chosen = ["day", f"substr(area_code, 1, {STREET_CODE})"] + ([key] if key else [])
            groups = ", ".join(chosen)
            sums = ", ".join(f"SUM({quote(c)})" for c in columns)
            names = ", ".join(quote(c) for c in keys + columns)
            cursor.execute(f"DELETE FROM {quote(street_table)}")  # noqa: S608 # nosec B608 # our own table names
            cursor.execute(
                f"INSERT INTO {quote(street_table)} ({names}) "  # noqa: S608 # nosec B608 # our own table and column names
                f"SELECT {groups}, {sums} FROM {quote(grid_table)} GROUP BY {groups}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cockpit", "0003_area_street"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
