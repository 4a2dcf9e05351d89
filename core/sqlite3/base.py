"""Django's SQLite backend with Vietnamese dictionary order: the collation "vi", which PostgreSQL has
from ICU ("vi-x-icu"), so that the database sorts and pages names the same way on both."""

from django.db.backends.sqlite3 import base

from core.text import vietnamese_sort_key


def _compare(a: str, b: str) -> int:
    left, right = vietnamese_sort_key(a or ""), vietnamese_sort_key(b or "")
    return (left > right) - (left < right)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_collation("vi", _compare)
        return connection
