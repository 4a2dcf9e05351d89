"""An index on the units' names in Vietnamese order (PostgreSQL's ICU "vi-x-icu"), so that a page of a
province's units sorted by name (the dashboard, the roll-up's lists, the texts of the units below) reads
the first rows in order instead of sorting thousands. PostgreSQL only: SQLite's "vi" collation is
registered by each connection (core.sqlite3), so an index there would be unreadable to other tools."""

from django.db import migrations

NAME = "unit_name_vi"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {NAME} ON units_unit ((name COLLATE "vi-x-icu"), id)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
