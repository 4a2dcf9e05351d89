"""Database expressions every app may use: Vietnamese order and accent-free search, in the database."""

from django.db.models import CharField, Func


class _Vendored(Func):
    """One column wrapped in SQL that differs between PostgreSQL and SQLite (core.sqlite3)."""

    output_field = CharField()
    postgresql = sqlite = "%s"

    def __init__(self, expression):
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return self.sqlite % sql, params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return self.postgresql % sql, params


class Vietnamese(_Vendored):
    """A text column in Vietnamese dictionary order (a before ă before â, d before đ, tones in the
    dictionary's order), so that ORDER BY, and so paging, happen in the database: ICU's "vi-x-icu" on
    PostgreSQL, the "vi" collation core.sqlite3 registers on SQLite. Both agree with
    core.text.vietnamese_sort_key (tests/units/test_collation.py)."""

    postgresql = '%s COLLATE "vi-x-icu"'
    sqlite = "%s COLLATE vi"


class Folded(_Vendored):
    """A text column case- and accent-free, as core.text.fold makes a search term: "vi_fold" on both
    engines, lower(unaccent(…)) as an IMMUTABLE function on PostgreSQL (migration reports 0011, which
    indexes the folded names and codes of units and accounts with trigrams, so that a search of
    ``LIKE '%…%'`` reads an index), the function core.sqlite3 registers on SQLite."""

    postgresql = "vi_fold(%s)"
    sqlite = "vi_fold(%s)"
