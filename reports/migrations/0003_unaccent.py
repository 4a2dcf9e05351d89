"""PostgreSQL's unaccent, for accent-free search in the database (core.db.Folded). A trusted extension
since PostgreSQL 13: the database's owner may create it. Nothing on SQLite (core.sqlite3 brings its own).
Migrating back leaves the extension: other databases' objects may use it."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_clean_stored_texts")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
