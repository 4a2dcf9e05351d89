"""Database expressions every app may use."""

from django.db.models import CharField, Func


class Vietnamese(Func):
    """A text column in Vietnamese dictionary order (a before ă before â, d before đ, tones in the
    dictionary's order), so that ORDER BY, and so paging, happen in the database: ICU's "vi-x-icu" on
    PostgreSQL, the "vi" collation core.sqlite3 registers on SQLite. Both agree with
    core.text.vietnamese_sort_key (tests/units/test_collation.py)."""

    output_field = CharField()

    def __init__(self, expression):
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} COLLATE vi", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{sql} COLLATE "vi-x-icu"', params
