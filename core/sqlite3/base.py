"""Django's SQLite backend with what PostgreSQL has for Vietnamese: dictionary order (the collation
"vi"; PostgreSQL's ICU "vi-x-icu") and accent-free search (vi_fold; PostgreSQL's unaccent), so that the
database sorts, searches and pages names the same way on both (core/db.py)."""

from django.db.backends.sqlite3 import base

from core.text import fold, vietnamese_sort_key


def _compare(a: str, b: str) -> int:
    left, right = vietnamese_sort_key(a or ""), vietnamese_sort_key(b or "")
    return (left > right) - (left < right)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_collation("vi", _compare)
        connection.create_function("vi_fold", 1, fold, deterministic=True)
        return connection
