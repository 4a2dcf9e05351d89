"""An index on each unit's depth (the slashes of its path), so the admin's unit list finds the deepest
level of a province from the index's end instead of reading every path. PostgreSQL only, as units 0002:
on SQLite the list is small."""

from django.db import migrations

NAME = "unit_path_slashes"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The expression exactly as units.admin.SLASHES compiles, or the planner would not match it.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON units_unit "
            "((LENGTH(path) - LENGTH(REPLACE(path, '/', ''))))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("units", "0008_unit_superior_path")]

    operations = [migrations.RunPython(create, drop)]
