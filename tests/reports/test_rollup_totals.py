"""The roll-up's stored totals (reports.totals) always equal the figures added up afresh: after every
kind of change the services make, and after changes they do not see (a report deleted, a unit moved)."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, F, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from indicators.models import Indicator
from reports import review, totals
from reports.models import IndicatorValue, Report, ReportStatus, RollupTotal, counted_condition
from reports.selectors import rollup
from reports.services import appendix_save, report_submit
from reports.tasks import rebuild_totals
from tests.indicators.factories import make_catalogue
from tests.reports.test_review import write_all
from tests.reports.test_rounds import run_background_tasks
from units.services import unit_move

pytestmark = pytest.mark.django_db
D = Decimal
STATUS_SETS = [
    (ReportStatus.SUBMITTED, ReportStatus.APPROVED),
    *[(s,) for s in ReportStatus.values],
    tuple(ReportStatus.values),
]


def added_up(round_, unit, statuses):
    """The figures below ``unit`` added up from the figures themselves, as the roll-up must show them
    (the reports that count in the round: not those of units merged before its cut-off date), with each
    ratio's paired sums ("n:2020", "d:2020": over the reports that gave both parts), worked out here
    report by report."""
    figures = IndicatorValue.objects.filter(
        counted_condition("report__"),
        report__round=round_,
        report__unit__path__startswith=unit.path,
        report__unit__is_grassroots=True,
        report__status__in=statuses,
    ).values_list("report_id", "indicator_id", "column", "value")
    by_report = {}
    for report_id, indicator_id, column, value in figures:
        by_report.setdefault(report_id, {})[(indicator_id, column)] = value
    rolled_up = set(Indicator.objects.filter(rollup__in=totals.ROLLED_UP).values_list("pk", flat=True))
    ratios = Indicator.objects.filter(kind="ratio", rollup__in=totals.ROLLED_UP, pk__in=rolled_up)
    sums = {}
    for typed in by_report.values():
        for (indicator_id, column), value in typed.items():
            if indicator_id in rolled_up:
                sums[(indicator_id, column)] = sums.get((indicator_id, column), 0) + value
        for ratio in ratios:
            for (indicator_id, column), num in typed.items():
                den = typed.get((ratio.denominator_id, column))
                if indicator_id == ratio.numerator_id and den is not None:
                    for key, value in (((ratio.pk, f"n:{column}"), num), ((ratio.pk, f"d:{column}"), den)):
                        sums[key] = sums.get(key, 0) + value
    return sums


def members(round_, unit):
    rows = (
        Report.objects.filter(round=round_, unit__path__startswith=unit.path, unit__is_grassroots=True)
        .counted()
        .values_list("status")
        .annotate(n=Count("pk"), ids=Sum("pk"), squares=Sum(F("pk") * F("pk")))
        .order_by()
    )
    return {s: (n, ids, squares) for s, n, ids, squares in rows}


def queued_rebuilds() -> int:
    return DBTaskResult.objects.ready().filter(task_path="reports.tasks.rebuild_totals").count()


def assert_stored_right(world):
    for unit, statuses in itertools.product((world.superior, world.province), STATUS_SETS):
        unit.refresh_from_db()
        stored = totals.stored(round=world.round, unit=unit, statuses=statuses, members=members(world.round, unit))
        assert stored is not None, f"stored totals of {unit} do not hold the reports below it"
        assert stored == added_up(world.round, unit, statuses), (unit.name, statuses)


def save(world, report, user, cells, cat):
    report.refresh_from_db()
    version = report.appendix.version if hasattr(report, "appendix") else 0
    return appendix_save(
        report=report,
        cells={(cat[code].pk, column): text for (code, column), text in cells.items()},
        notes={},
        base_version=version,
        actor=user,
    )


def test_every_service_change_keeps_the_stored_totals_equal_to_the_figures(world):
    cat = make_catalogue(world.round.outline_version)
    a, b = world.report_a, world.report_b
    assert_stored_right(world)  # opened: every report counted as not started, no figures

    first = {("CNVCLD", "2020"): "1.000", ("DV", "2020"): "900", ("CNVCLD", "2019"): "990"}
    save(world, a, world.drafter_a, first, cat)
    save(world, b, world.drafter_b, {("CNVCLD", "2020"): "10", ("DV", "2020"): "1"}, cat)
    assert_stored_right(world)
    # A figure changed, one cleared, one added.
    again = {("CNVCLD", "2020"): "1.200", ("CNVCLD", "2019"): "", ("CNVCLD", "2018"): "980"}
    save(world, a, world.drafter_a, again, cat)
    assert_stored_right(world)

    write_all(world, a, world.drafter_a)
    report_submit(report=a, actor=world.drafter_a)
    assert_stored_right(world)
    review.report_approve(report=a, actor=world.reviewer)
    assert_stored_right(world)
    review.report_unapprove(report=a, reason="Cần sửa số liệu", actor=world.reviewer)
    assert_stored_right(world)
    review.report_return(report=a, note="Sửa lại", items=[], due=None, actor=world.reviewer)
    assert_stored_right(world)
    save(world, a, world.drafter_a, {("CNVCLD", "2020"): "1.300"}, cat)
    report_submit(report=a, actor=world.drafter_a)
    assert_stored_right(world)

    rows = {r.indicator.code: r for r in rollup(round=world.round, unit=world.superior).rows}
    assert rows["CNVCLD"].value("2020") == D(1300)  # only the submitted report counts by default
    both = rollup(round=world.round, unit=world.superior, statuses=[ReportStatus.SUBMITTED, ReportStatus.DRAFTING])
    assert {r.indicator.code: r for r in both.rows}["CNVCLD"].value("2020") == D(1310)


def test_a_change_the_services_do_not_see_is_found_and_added_up_afresh(world, django_capture_on_commit_callbacks):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "100"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "7"}, cat)
    everything = tuple(ReportStatus.values)

    def shown(unit):
        with django_capture_on_commit_callbacks(execute=True):
            rows = rollup(round=world.round, unit=unit, statuses=everything).rows
        return {r.indicator.code: r for r in rows}["CNVCLD"].value("2020")

    assert shown(world.superior) == D(107)
    # Moved to another superior union: the totals above it no longer hold the right reports.
    unit_move(unit=world.unit_b, new_parent=world.other_superior)
    world.superior.refresh_from_db()
    assert (
        totals.stored(
            round=world.round, unit=world.superior, statuses=everything, members=members(world.round, world.superior)
        )
        is None
    )
    assert shown(world.superior) == D(100)  # added up afresh
    assert shown(world.other_superior) == D(7)
    assert queued_rebuilds() == 2  # the roll-ups made nothing again themselves: they queued it
    run_background_tasks()
    assert_stored_right(world)  # made again by the task the roll-up queued

    world.report_a.delete()
    assert shown(world.superior) is None
    run_background_tasks()
    assert_stored_right(world)


def test_stored_totals_are_read_in_the_same_queries_whatever_the_number_of_units(world):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "100"}, cat)
    rollup(round=world.round, unit=world.superior)
    with CaptureQueriesContext(connection) as ctx:
        rollup(round=world.round, unit=world.superior)
    # The catalogue, the reports per status, the members held, the totals.
    assert len(ctx) == 4, [q["sql"] for q in ctx.captured_queries]
    assert RollupTotal.objects.filter(round=world.round, unit=world.superior).count() > 0


def test_the_roll_up_page_after_a_drift_shows_the_figures_and_leaves_the_rebuild_to_the_background(
    client, world, django_capture_on_commit_callbacks
):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "100"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "7"}, cat)
    unit_move(unit=world.unit_b, new_parent=world.other_superior)  # behind the totals' back
    client.force_login(world.admin)
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"status": ReportStatus.DRAFTING})
    assert response.status_code == 200
    rows = {r.indicator.code: r for r in response.context["rollup"].rows}
    assert rows["CNVCLD"].value("2020") == D(100)  # unit B's 7 no longer below: added up afresh
    assert response.context["rollup"].counted == 1
    # A read: no row locked, no total written or deleted; the only write is the task queued.
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"].upper()]
    assert [w for w in writes if "rollup" in w.lower() or "reports_report" in w.lower()] == [], writes
    assert queued_rebuilds() == 1
    world.superior.refresh_from_db()
    stale = totals.stored(
        round=world.round,
        unit=world.superior,
        statuses=(ReportStatus.DRAFTING,),
        members=members(world.round, world.superior),
    )
    assert stale is None  # not made again by the page

    run_background_tasks()
    assert_stored_right(world)
    # Once made again, the page reads the totals (four queries) and queues nothing more.
    client.get(url, {"status": ReportStatus.DRAFTING})
    assert queued_rebuilds() == 0
    # A second task for a round already in step only reads.
    assert rebuild_totals.call(round_id=world.round.pk) is False
