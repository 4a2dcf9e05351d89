"""PostgreSQL's unaccent, for accent-free search in the database (core.db.Folded). A trusted extension
since PostgreSQL 13: the database's owner may create it. Nothing on SQLite (core.sqlite3 brings its own)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_clean_stored_texts")]

    operations = [UnaccentExtension()]
