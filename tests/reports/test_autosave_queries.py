"""Autosave runs every few seconds for every drafter: it reads and writes only what it must."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.models import OutlineNode
from reports.models import AuditEntry, SectionText
from reports.services import section_save
from tests.conftest import build_world

AUTOSAVE_MAX_QUERIES = 8


def _autosave(client, report, node, version, text):
    return client.post(
        reverse("reports:section_edit", args=[report.pk, node.key]),
        {"content": text, "version": version, "is_done": ""},
        headers={"X-Autosave": "1"},
    )


# As in production: the save's transaction is the real one (BEGIN … COMMIT), not a savepoint inside a
# test's transaction; on SQLite "BEGIN IMMEDIATE" is a statement and counts.
@pytest.mark.django_db(transaction=True)
def test_an_autosave_runs_at_most_eight_queries_and_saves(client):
    world = build_world(sections=30)
    report = world.report_a
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")[3]
    section_save(report=report, node=node, content="<p>Bản đầu.</p>", base_version=0, is_done=False, actor=None)
    client.force_login(world.drafter_a)
    _autosave(client, report, node, 1, "<p>Bản hai.</p>")  # the first save of a session may start the report
    counts = []
    for version, text in ((2, "<p>Bản ba.</p>"), (3, "<p>Bản bốn, <strong>đậm</strong>.</p>")):
        with CaptureQueriesContext(connection) as queries:
            response = _autosave(client, report, node, version, text)
        assert response.status_code == 200, response.content
        assert response.json()["version"] == version + 1
        counts.append(len(queries))
        assert len(queries) <= AUTOSAVE_MAX_QUERIES, "\n".join(q["sql"][:160] for q in queries.captured_queries)
    stored = SectionText.objects.get(report=report, node=node)
    assert (stored.content, stored.version) == ("<p>Bản bốn, <strong>đậm</strong>.</p>", 4)
    # The history keeps one entry for the run of autosaves, holding the latest text.
    entry = AuditEntry.objects.filter(report=report, target=node.key).latest("at")
    assert entry.new == stored.content and entry.actor == world.drafter_a
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_an_autosave_of_a_stale_version_is_a_conflict_and_changes_nothing(client):
    world = build_world(sections=3)
    report = world.report_a
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).first()
    section_save(report=report, node=node, content="<p>Của Lan.</p>", base_version=0, is_done=False, actor=None)
    client.force_login(world.drafter_a)
    response = _autosave(client, report, node, 0, "<p>Cũ.</p>")
    assert response.status_code == 409
    assert SectionText.objects.get(report=report, node=node).content == "<p>Của Lan.</p>"


@pytest.mark.django_db
def test_an_autosave_to_a_key_holding_a_nul_is_not_found(client):
    """Found by the fuzz test on PostgreSQL, which refuses a NUL in a query: a 404, never a 500."""
    world = build_world(sections=2)
    client.force_login(world.drafter_a)
    response = client.post(
        reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1\x00"]),
        {"content": "<p>x</p>", "version": 0, "is_done": ""},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 404
