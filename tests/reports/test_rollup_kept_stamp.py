"""Past ROLLUP_EXACT_STAMP_REPORTS reports below a union (a province, the country), the roll-up's cached
page is keyed on the kept counts and revisions (``RollupMembers``) instead of an aggregate over every
report below: each service change still shows at once, and a change made behind the services' back is
found by the worker's check, which the page queues."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import review
from reports.models import ReportStatus, RollupMembers
from reports.selectors import rollup_stamp
from reports.services import report_submit
from tests.indicators.factories import make_catalogue
from tests.reports.test_review import write_all
from tests.reports.test_rollup_totals import queued_rebuilds, save
from tests.reports.test_rounds import run_background_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def trusted():
    cache.clear()
    with override_settings(ROLLUP_EXACT_STAMP_REPORTS=0):
        yield
    cache.clear()


def shown(client, world, *statuses):
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    response = client.get(url, {"status": list(statuses)} if statuses else {})
    assert response.status_code == 200
    text = response.content.decode()
    return text


def reads_reports_below(queries) -> list[str]:
    """The statements that read the reports of the subtree (a LIKE on the units' paths)."""
    return [q["sql"] for q in queries if "reports_report" in q["sql"] and "LIKE" in q["sql"].upper()]


def test_every_service_change_shows_at_once_without_reading_the_reports_below(
    client, world, trusted, django_capture_on_commit_callbacks
):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "1.234"}, cat)
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=False):
        assert "1.234" in shown(client, world, ReportStatus.DRAFTING)
    stamp = rollup_stamp(round=world.round, unit=world.superior)
    assert stamp.trusted

    # A cached page: the stamp reads the kept rows, never the reports below.
    with CaptureQueriesContext(connection) as ctx:
        assert "1.234" in shown(client, world, ReportStatus.DRAFTING)
    assert reads_reports_below(ctx.captured_queries) == []

    # A draft's figure changed through the service: its status's revision moves, the page follows.
    before = RollupMembers.objects.get(round=world.round, unit=world.superior, status=ReportStatus.DRAFTING).revision
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "2.345"}, cat)
    after = RollupMembers.objects.get(round=world.round, unit=world.superior, status=ReportStatus.DRAFTING).revision
    assert after == before + 1
    page = shown(client, world, ReportStatus.DRAFTING)
    assert "2.345" in page and "1.234" not in page

    # Submitted, returned, changed and submitted again: the same reports in the same status as before
    # the return, with another figure. The revision tells them apart.
    write_all(world, world.report_a, world.drafter_a)
    report_submit(report=world.report_a, actor=world.drafter_a)
    assert "2.345" in shown(client, world)
    review.report_return(report=world.report_a, note="Sửa", items=[], due=None, actor=world.reviewer)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "3.456"}, cat)
    report_submit(report=world.report_a, actor=world.drafter_a)
    page = shown(client, world)
    assert "3.456" in page and "2.345" not in page


def test_a_change_behind_the_services_back_is_mended_by_the_check_the_page_queues(
    client, world, trusted, django_capture_on_commit_callbacks
):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "1.000"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "7"}, cat)
    client.force_login(world.admin)
    world.report_a.delete()  # no service saw it: the kept rows still hold it
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shown(client, world, ReportStatus.DRAFTING)
    assert queued_rebuilds() == 1  # the page was made from trusted rows: the worker checks them
    with django_capture_on_commit_callbacks(execute=True):
        shown(client, world, ReportStatus.DRAFTING)
    assert queued_rebuilds() == 1  # once in a while, not on every page
    run_background_tasks()
    page = shown(client, world, ReportStatus.DRAFTING)
    assert "1.000" not in page
    kept = RollupMembers.objects.get(round=world.round, unit=world.superior, status=ReportStatus.DRAFTING)
    assert (kept.reports, kept.id_sum) == (1, world.report_b.pk)


def test_below_the_limit_the_stamp_reads_the_reports_themselves(world):
    cache.clear()
    stamp = rollup_stamp(round=world.round, unit=world.superior)
    assert not stamp.trusted
    world.report_a.delete()  # behind the services' back: seen at once
    assert rollup_stamp(round=world.round, unit=world.superior).by_status != stamp.by_status
