"""Whether a block of code may have changed a stored row of the site's own apps, told from the SQL it
sent: the cheap first look before comparing every row (tests/test_permission_matrix.py, tests/test_fuzz.py).

A row changes only through a statement that writes: every statement but a read (SELECT, savepoints,
settings) that names one of the apps' tables, including their many-to-many tables, is counted, but for
an UPDATE or a DELETE the database says touched no row. No such statement ⇒ nothing stored changed;
after one, the tests still compare every row, which stays the judge. Nothing here can hide a change: a
statement it cannot read (not a string), an unknown row count or a failed statement count as a write.
There are no triggers and no database-side cascades in the schema (the apps' migrations hold no RunSQL),
so a write always names the table it writes.
"""

import re
from contextlib import contextmanager

from django.apps import apps
from django.db import connections

# A statement that cannot change a row of a table.
READ = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|PRAGMA|EXPLAIN)\b", re.IGNORECASE)
# Statements whose row count tells whether they changed a row.
TRUSTED_COUNT = re.compile(r"\s*(UPDATE|DELETE)\b", re.IGNORECASE)


def own_tables(labels) -> tuple[str, ...]:
    return tuple(
        model._meta.db_table.lower()
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


class Writes:
    """The statements sent since the block began that may have changed a row of ``tables``."""

    def __init__(self, tables):
        self.tables = tables
        self.statements = []

    def __bool__(self):
        return bool(self.statements)

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str) and (READ.match(sql) or not any(table in sql.lower() for table in self.tables)):
            return execute(sql, params, many, context)
        try:
            result = execute(sql, params, many, context)
        except BaseException:
            self.statements.append(sql)
            raise
        # A row count of 0 is believed for an UPDATE or a DELETE that returns nothing; SQLite counts the
        # rows of a statement with RETURNING only as they are read, and -1 means the driver does not know.
        rowcount = getattr(context["cursor"], "rowcount", -1)
        if not (TRUSTED_COUNT.match(sql) and "returning" not in sql.lower() and rowcount == 0):
            self.statements.append(sql)
        return result


@contextmanager
def watched(labels):
    """Yield a Writes: true once a statement on any connection may have changed a row of the apps in
    ``labels``."""
    writes = Writes(own_tables(labels))
    with _wrapped(list(connections.all()), writes):
        yield writes


@contextmanager
def _wrapped(conns, wrapper):
    if not conns:
        yield
        return
    with conns[0].execute_wrapper(wrapper), _wrapped(conns[1:], wrapper):
        yield
