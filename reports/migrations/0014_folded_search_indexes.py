"""Accent-free search that PostgreSQL can read from an index: an IMMUTABLE ``vi_fold(text)`` (lower case,
accents dropped by unaccent, as core.db.Folded compiles on PostgreSQL and core.sqlite3 registers on
SQLite) and trigram indexes (pg_trgm, a trusted extension since PostgreSQL 13) on the folded names and
codes of units and on the accounts' names, so "tìm đơn vị" and the admin's search boxes find a unit among
120,000 without reading them all. unaccent is only STABLE (its dictionary could change); the wrapper
names the dictionary itself, which is what makes calling it IMMUTABLE safe. Nothing on SQLite."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.vi_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""

INDEXES = {
    "unit_name_folded_trgm": ("units_unit", "name"),
    "unit_code_folded_trgm": ("units_unit", "code"),
    "user_username_folded_trgm": ("auth_user", "username"),
    "user_first_name_folded_trgm": ("auth_user", "first_name"),
    "user_last_name_folded_trgm": ("auth_user", "last_name"),
    "user_email_folded_trgm": ("auth_user", "email"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FUNCTION)
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (public.vi_fold({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS public.vi_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0013_notification_user_newest"),
        ("units", "0009_unit_depth_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, drop)]
