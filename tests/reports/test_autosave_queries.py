"""Autosave runs every few seconds for every drafter: it reads and writes only what it must, in one
pass whatever it answers, and as many statements for a big report as for a small one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from indicators.selectors import catalogue
from outline.models import OutlineNode
from reports.appendix_views import _row_json
from reports.forms import AppendixForm, cell_name
from reports.models import AuditEntry, IndicatorValue, Report, SectionText
from reports.selectors import report_appendix, rollup
from reports.services import section_save
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue

AUTOSAVE_MAX_QUERIES = 8
# Session, user; BEGIN, the report touched (and so locked), the section read; ROLLBACK. The page's own
# path once ran after it and saved again (14 statements, the text cleaned four times).
CONFLICT_MAX_QUERIES = 6
# Session, user, the user's units, the report, the catalogue; BEGIN, the report locked, the appendix,
# the catalogue's rules, the stored figures, the history, the figures written (new, changed, cleared),
# the round locked, the totals moved, the notes, the appendix's version, the report touched, COMMIT;
# the grid's answer is worked out from what the save stored. It took 29 for one figure changed: the
# figures read before the save and after it, the history a statement per cell, the totals moved out and
# in again in six.
APPENDIX_AUTOSAVE_MAX_QUERIES = 20


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sections", [3, 30])
def test_a_conflicting_autosave_answers_in_one_pass(client, sections):
    world = build_world(sections=sections)
    report = world.report_a
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")[1]
    section_save(report=report, node=node, content="<p>Của Lan.</p>", base_version=0, is_done=False, actor=None)
    before = AuditEntry.objects.count(), Report.objects.get(pk=report.pk).updated_at
    client.force_login(world.drafter_a)
    with CaptureQueriesContext(connection) as queries:
        response = _autosave(client, report, node, 0, "<p>Của Hùng, từ bản cũ.</p>")
    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 1 and body["error"].startswith("Người khác đã lưu mục này")
    assert len(queries) <= CONFLICT_MAX_QUERIES, "\n".join(q["sql"][:160] for q in queries.captured_queries)
    assert sum("sectiontext" in q["sql"] for q in queries.captured_queries) == 1  # saved once, not twice
    stored = SectionText.objects.get(report=report, node=node)
    assert (stored.content, stored.version) == ("<p>Của Lan.</p>", 1)
    assert (AuditEntry.objects.count(), Report.objects.get(pk=report.pk).updated_at) == before


def _grid(indicators, years, typed):
    """The grid as the page posts it: every cell and every note, ``typed`` {(code, column): text}."""
    columns = AppendixForm(indicators=indicators, years=years).columns
    data = {}
    for indicator in indicators:
        if not indicator.is_computed:
            for column in columns:
                data[cell_name(indicator.pk, column)] = typed.get((indicator.code, column), "")
        data[f"note-{indicator.pk}"] = ""
        data[f"expl-{indicator.pk}"] = ""
    return data


def _appendix_autosave(client, extra_indicators, updated, cleared):
    """The statements of an autosave of the whole grid, on a catalogue with ``extra_indicators`` rows more
    than the small one, that types a first figure, changes ``updated`` figures and clears ``cleared``."""
    world = build_world(sections=3)
    version = world.round.outline_version
    cat = make_catalogue(version)
    node = OutlineNode.objects.filter(version=version, is_writable=True).order_by("position").first()
    for n in range(extra_indicators):
        Indicator.objects.create(
            outline_version=version,
            code=f"X{n}",
            name=f"Chỉ tiêu {n}",
            node=node,
            position=100 + n,
            kind="count",
            rollup="sum",
            over_years="latest",
        )
    indicators = catalogue(version.pk, grassroots=True)
    years = world.round.data_years
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    client.force_login(world.drafter_a)
    extra = [f"X{n}" for n in range(extra_indicators)]
    typed = {("CNVCLD", "2020"): "1.000", ("DV", "2020"): "900"} | {(code, "start"): "5" for code in extra}
    # The first save starts the report (its status moves the totals): not what every autosave does.
    response = client.post(url, {**_grid(indicators, years, typed), "version": 0}, headers={"X-Autosave": "1"})
    assert response.json()["version"] == 1
    typed[("CNVCLD", "start")] = "1.200"
    typed |= {(code, "start"): "7" for code in extra[:updated]}
    typed |= {(code, "start"): "" for code in extra[-cleared:]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {**_grid(indicators, years, typed), "version": 1}, headers={"X-Autosave": "1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["errors"] == {}
    assert body["values"][f"{cat['TL_DV'].pk}:2020"] == "90,0"  # worked out from the figures saved
    # Worked out from what the save stored, not read again: the same as the figures read afresh.
    values, warnings = _row_json(report_appendix(Report.objects.get(pk=world.report_a.pk), indicators).rows)
    assert (body["values"], body["warnings"]) == (values, {str(k): v for k, v in warnings.items()})
    stored = IndicatorValue.objects.filter(report=world.report_a, column="start")
    expected = {"CNVCLD": 1200} | {code: 7 if code in extra[:updated] else 5 for code in extra[:-cleared]}
    assert dict(stored.values_list("indicator__code", "value")) == expected
    # The roll-up of the drafting reports above holds the figures saved: the totals moved by the difference.
    rows = {r.indicator.code: r for r in rollup(round=world.round, unit=world.superior, statuses=["drafting"]).rows}
    assert {code: rows[code].value("start") for code in expected} == expected
    assert len(queries) <= APPENDIX_AUTOSAVE_MAX_QUERIES, "\n".join(q["sql"][:160] for q in queries.captured_queries)
    return len(queries)


@pytest.mark.django_db(transaction=True)
def test_an_appendix_autosave_takes_as_many_statements_for_a_big_grid_as_for_a_small_one(client):
    small = _appendix_autosave(client, extra_indicators=3, updated=1, cleared=1)
    big = _appendix_autosave(client, extra_indicators=40, updated=25, cleared=10)
    assert small == big
