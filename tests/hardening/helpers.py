"""Shared set-up for the hardening tests: a report with every section written, and its submission; the
SQLite write lock held by another process, and a short wait for it."""

import contextlib
import sqlite3

from django.db import connection, connections
from django.urls import reverse

from outline.models import OutlineNode
from reports.services import report_submit, section_save


def writable_nodes(report):
    return list(OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position"))


def section_url(report, node=None):
    node = node or writable_nodes(report)[0]
    return reverse("reports:section_edit", args=[report.pk, node.key])


def write_all(report, user):
    for node in writable_nodes(report):
        section_save(
            report=report, node=node, base_version=0, is_done=True, actor=user, content=f"<p>Mục {node.number}</p>"
        )


def submit(report, user):
    write_all(report, user)
    return report_submit(report=report, actor=user)


@contextlib.contextmanager
def lock_wait(*, seconds):
    """Writers wait ``seconds`` for SQLite's write lock instead of 20 s, so that the wait runs out in a
    test's time. Each request thread (the live server's too) opens its own connection with these options;
    this thread's opens again."""
    options = connections.settings["default"]["OPTIONS"]
    saved = dict(options)
    options.update(
        timeout=seconds,
        init_command=f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={int(seconds * 1000)};",
    )
    connection.close()
    try:
        yield
    finally:
        options.clear()
        options.update(saved)
        connection.close()


@contextlib.contextmanager
def write_lock_held():
    """Another process's write transaction on the SQLite file, as a long export or import holds it."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
