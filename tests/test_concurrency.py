"""Two people at once: on PostgreSQL row locks decide; on SQLite (the default, a file database in
the tests too) write transactions take the database's write lock up front and wait for it. Either
way nobody's work is lost and the loser is told, never a server error."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from outline.models import OutlineNode
from reports import jobs as report_jobs
from reports import review
from reports.models import IndicatorValue, Notification, Report, ReportStatus, SectionText, Submission
from reports.services import (
    ReportLocked,
    SectionConflict,
    appendix_save,
    report_submit,
    round_open_start,
    section_save,
)
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.units.factories import MembershipFactory
from units.jobs import bulk_job_run
from units.models import BulkJob, Unit
from units.services import unit_move

pytestmark = pytest.mark.django_db(transaction=True)


def together(*calls):
    """Run the calls in threads released at the same instant; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_sessions_on_one_section_no_lost_update():
    world = build_world(sections=2)
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    second = MembershipFactory(unit=world.unit_a, role="drafter").user
    results = together(
        lambda: section_save(
            report=world.report_a,
            node=node,
            content="<p>Bản của chị Lan</p>",
            base_version=0,
            is_done=False,
            actor=world.drafter_a,
        ),
        lambda: section_save(
            report=world.report_a,
            node=node,
            content="<p>Bản của anh Hùng</p>",
            base_version=0,
            is_done=False,
            actor=second,
        ),
    )
    saved = [r for r in results if isinstance(r, SectionText)]
    refused = [r for r in results if isinstance(r, SectionConflict)]
    assert len(saved) == 1 and len(refused) == 1, results
    stored = SectionText.objects.get(report=world.report_a, node=node)
    assert stored.version == 1 and stored.content == saved[0].content
    assert refused[0].current.content == stored.content  # the loser is shown the winner's text


def test_two_reviewers_at_once_one_consistent_outcome():
    world = build_world(sections=2)
    for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
        section_save(
            report=world.report_a, node=node, content="<p>Đủ</p>", base_version=0, is_done=True, actor=world.drafter_a
        )
    report_submit(report=world.report_a, actor=world.drafter_a)
    other = MembershipFactory(unit=world.superior, role="reviewer").user
    report = Report.objects.get(pk=world.report_a.pk)
    results = together(
        lambda: review.report_approve(report=report, actor=world.reviewer),
        lambda: review.report_return(report=report, note="Bổ sung số liệu", items=[], due=None, actor=other),
    )
    told = [r for r in results if isinstance(r, review.StaleAction)]
    assert len(told) == 1, results
    report.refresh_from_db()
    assert report.status in (ReportStatus.APPROVED, ReportStatus.RETURNED)
    assert (report.status == ReportStatus.RETURNED) == report.returns.exists()
    assert (report.status == ReportStatus.APPROVED) == (report.approved_by_id is not None)


def test_submit_while_an_autosave_is_in_flight():
    world = build_world(sections=2)
    nodes = list(OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True))
    for node in nodes:
        section_save(
            report=world.report_a,
            node=node,
            content="<p>Bản đầu</p>",
            base_version=0,
            is_done=True,
            actor=world.drafter_a,
        )
    results = together(
        lambda: section_save(
            report=world.report_a,
            node=nodes[0],
            content="<p>Gõ thêm khi đang nộp</p>",
            base_version=1,
            is_done=True,
            actor=world.drafter_a,
        ),
        lambda: report_submit(report=world.report_a, actor=world.drafter_a),
    )
    assert isinstance(results[1], Submission), results
    snapshot = Submission.objects.get(report=world.report_a).sections[nodes[0].key]
    stored = SectionText.objects.get(report=world.report_a, node=nodes[0]).content
    # Either the save came first and is in the snapshot, or it came second and was refused: the
    # frozen report and its snapshot never differ.
    assert stored == snapshot
    assert isinstance(results[0], SectionText | ReportLocked)


def test_figures_and_statuses_of_many_reports_at_once_keep_the_roll_up_totals_right():
    """Appendix saves and status changes of several reports of one round at the same instant, over and
    over (on PostgreSQL they once locked the roll-up's stored totals crosswise, a deadlock): none fails,
    and the stored totals still equal the figures added up afresh."""
    from reports import totals
    from tests.reports.test_rollup_totals import added_up, members

    world = build_world(sections=1)
    cat = make_catalogue(world.round.outline_version)
    more = [MembershipFactory(unit=world.unit_b, role="drafter").user]
    reports = [world.report_a, world.report_b]
    drafters = [world.drafter_a, more[0]]

    def save(report, user, value):
        def call():
            fresh = Report.objects.get(pk=report.pk)
            version = getattr(getattr(fresh, "appendix", None), "version", 0)
            return appendix_save(
                report=fresh,
                cells={(cat["CNVCLD"].pk, "2020"): str(value), (cat["DV"].pk, "2020"): str(value // 2)},
                notes={},
                base_version=version,
                actor=user,
            )

        return call

    # The crosswise case: one report's first figures (nothing of it in the totals yet) saved at the same
    # instant as another report's changed figures.
    save(world.report_b, drafters[1], 7)()
    for n in range(1, 7):
        IndicatorValue.objects.filter(report=world.report_a).delete()
        totals.rebuild(world.round)
        results = together(*(save(r, u, 100 * n + i) for i, (r, u) in enumerate(zip(reports, drafters, strict=True))))
        assert not [r for r in results if isinstance(r, Exception)], results
    for report, user in zip(reports, drafters, strict=True):
        node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
        section_save(report=report, node=node, content="<p>Đã viết</p>", base_version=0, is_done=True, actor=user)
        report_submit(report=Report.objects.get(pk=report.pk), actor=user)
    results = together(
        lambda: review.report_approve(report=Report.objects.get(pk=world.report_a.pk), actor=world.reviewer),
        lambda: review.report_return(
            report=Report.objects.get(pk=world.report_b.pk), note="Sửa", items=[], due=None, actor=world.reviewer
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    superior = world.superior
    everything = tuple(ReportStatus.values)
    stored = totals.stored(
        round=world.round, unit=superior, statuses=everything, members=members(world.round, superior)
    )
    assert stored == added_up(world.round, superior, everything)
    assert stored[(cat["CNVCLD"].pk, "2020")] == 600 + 601


def test_two_crossing_moves_at_once_never_make_a_loop():
    """X under a unit below Y, and Y under a unit below X, at the same instant: one is done, the other
    is refused in words (it waits for the first's locks and then sees its paths), never a loop."""
    from django.core.exceptions import ValidationError

    from tests.units.factories import UnitFactory
    from units import services
    from units.models import Unit

    for _attempt in range(3):
        root = UnitFactory(is_grassroots=False)
        x, y = (UnitFactory(parent=root, is_grassroots=False) for _ in range(2))
        below_x, below_y = UnitFactory(parent=x), UnitFactory(parent=y)
        results = together(
            lambda x=x, to=below_y: services.unit_move(unit=x, new_parent=to),
            lambda y=y, to=below_x: services.unit_move(unit=y, new_parent=to),
        )
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(refused) == 1 and all(isinstance(r, (Unit, ValidationError)) for r in results), results
        x, y = Unit.objects.get(pk=x.pk), Unit.objects.get(pk=y.pk)
        # Every path starts at the root and no unit is below itself.
        for unit in (x, y, *Unit.objects.filter(pk__in=[below_x.pk, below_y.pk])):
            assert unit.path.startswith(root.path) and unit.path.count(f"/{unit.pk}/") == 1
        assert not (x.is_within(y) and y.is_within(x))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite locks the file")
def test_a_roll_up_read_after_a_drift_runs_while_a_report_is_locked(client):
    """The roll-up finds its stored totals stale (a unit moved behind their back) while a save holds a
    report's row lock: it adds the figures up afresh without waiting, where making the totals again
    would have waited for every report of the round (now the background task does)."""
    world = build_world(sections=2)
    cat = make_catalogue(world.round.outline_version)
    for report, user, value in ((world.report_a, world.drafter_a, "100"), (world.report_b, world.drafter_b, "7")):
        appendix_save(report=report, cells={(cat["CNVCLD"].pk, "2020"): value}, notes={}, base_version=0, actor=user)
    unit_move(unit=world.unit_b, new_parent=world.other_superior)  # no rebuild: the totals are stale
    locked, release = threading.Event(), threading.Event()

    def hold_a_lock():
        try:
            with transaction.atomic():
                list(Report.objects.select_for_update().filter(pk=world.report_a.pk))
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_a_lock)
    holder.start()
    assert locked.wait(10)
    client.force_login(world.admin)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a read that waited for the lock fails, not hangs
        response = client.get(
            reverse("reports:rollup", args=[world.round.code, world.superior.code]), {"status": "drafting"}
        )
        still_locked = holder.is_alive() and not release.is_set()
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 200 and still_locked
    rows = {r.indicator.code: r for r in response.context["rollup"].rows}
    assert rows["CNVCLD"].value("2020") == 100
    assert DBTaskResult.objects.ready().filter(task_path="reports.tasks.rebuild_totals").count() == 1


def test_two_workers_opening_one_round_at_once_make_each_report_once(monkeypatch):
    """Two jobs opening the same round run by two workers at the same instant (two administrators
    pressing "Mở đợt"): the round's row, locked in each chunk, makes them take turns; every unit gets
    one report, every drafter one notification, and both jobs end done."""
    monkeypatch.setattr(report_jobs, "OPEN_CHUNK", 2)  # several chunks each, interleaved
    world = build_world(sections=1)
    round_ = RoundFactory(organising_unit=world.province, outline_version=make_outline(1), code="CUNG-LUC")
    jobs = [round_open_start(round=round_, actor=world.admin) for _ in range(2)]
    results = together(*(lambda pk=job.pk: bulk_job_run(job_id=pk, work=report_jobs.round_open_work) for job in jobs))
    assert [r.status for r in results] == ["done", "done"], results
    assert Report.objects.filter(round=round_).count() == Unit.objects.count() == 6
    assert Notification.objects.filter(kind="round_open", report__round=round_).count() == 2
    created = sorted(job.state["created"] for job in BulkJob.objects.all())
    assert sum(created) == 6
