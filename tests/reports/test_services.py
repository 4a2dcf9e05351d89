import pytest
from django.core.exceptions import ValidationError

from outline.models import OutlineNode
from reports.models import Report, ReportStatus, SectionText, Submission
from reports.services import ReportLocked, SectionConflict, report_submit, round_open, section_save
from tests.reports.factories import RoundFactory
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db


def writable(report):
    return list(OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position"))


def test_round_open_creates_a_report_for_every_unit_from_the_organiser_down(world):
    reports = Report.objects.filter(round=world.round)
    # The grassroots unions', and the superior union's own.
    assert set(reports.values_list("unit", flat=True)) == {
        world.unit_a.pk,
        world.unit_b.pk,
        world.superior.pk,
    }
    assert all(r.status == ReportStatus.NOT_STARTED for r in reports)
    assert reports.get(unit=world.unit_a).congress_number == "V"
    # Again after a new unit joins: only the new one gets a report, the others are untouched.
    late = UnitFactory(parent=world.superior)
    assert round_open(round=world.round) == 1
    assert round_open(round=world.round) == 0
    assert set(Report.objects.filter(round=world.round).values_list("unit", flat=True)) == {
        world.unit_a.pk,
        world.unit_b.pk,
        world.superior.pk,
        late.pk,
    }


def test_round_open_skips_superiors_and_other_branches(db):
    top = UnitFactory(is_grassroots=False)
    sub = UnitFactory(parent=top, is_grassroots=False)
    deep = UnitFactory(parent=sub)
    outside = UnitFactory()
    round_ = RoundFactory(organising_unit=top)
    round_open(round=round_)
    assert set(Report.objects.filter(round=round_).values_list("unit", flat=True)) == {
        top.pk,
        sub.pk,
        deep.pk,
    }
    assert not Report.objects.filter(unit=outside).exists()


def test_save_cleans_html_and_counts_versions(world):
    report, node = world.report_a, writable(world.report_a)[0]
    section = section_save(
        report=report,
        node=node,
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content='<p onclick="x()">Đoàn viên <b>tăng</b> <strong>12,5%</strong>'
        "<script>alert(1)</script><img src=x onerror=alert(1)></p>",
    )
    stored = SectionText.objects.get(pk=section.pk)
    assert stored.content == "<p>Đoàn viên tăng <strong>12,5%</strong></p>"
    assert stored.version == 1
    assert stored.updated_by == world.drafter_a
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFTING

    section_save(
        report=report,
        node=node,
        base_version=1,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Bản hai</p>",
    )
    stored.refresh_from_db()
    assert (stored.content, stored.version, stored.is_done) == ("<p>Bản hai</p>", 2, True)


def test_stale_save_is_refused_and_nothing_overwritten(world):
    report, node = world.report_a, writable(world.report_a)[0]
    section_save(
        report=report,
        node=node,
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content="<p>Bản của chị Lan</p>",
    )
    with pytest.raises(SectionConflict) as exc:
        section_save(
            report=report,
            node=node,
            base_version=0,
            is_done=False,
            actor=world.drafter_a,
            content="<p>Bản của anh Hùng</p>",
        )
    assert exc.value.current.content == "<p>Bản của chị Lan</p>"
    assert SectionText.objects.get(report=report, node=node).content == "<p>Bản của chị Lan</p>"


def test_a_stale_save_of_the_very_text_stored_is_no_conflict(world):
    """Lưu pressed while the page's autosave was on its way: both carry the same text from the same
    version; the second finds the first's text stored and takes it, instead of showing a conflict
    between two identical texts (issue 14)."""
    report, node = world.report_a, writable(world.report_a)[0]
    text = "<p>Báo cáo giữa nhiệm kỳ</p>"
    first = section_save(report=report, node=node, base_version=0, is_done=False, actor=world.drafter_a, content=text)
    again = section_save(report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content=text)
    assert (again.version, again.is_done) == (first.version + 1, True)  # the ticked box is kept
    same = section_save(report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content=text)
    assert same.version == again.version  # nothing new: nothing written
    with pytest.raises(SectionConflict):
        section_save(
            report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content="<p>Khác</p>"
        )


def test_submit_requires_every_required_section(world):
    report = world.report_a
    nodes = writable(report)
    section_save(
        report=report,
        node=nodes[0],
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content="<p>Một</p>",
    )
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, actor=world.drafter_a)
    assert "Nội dung số 2" in " ".join(exc.value.messages)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFTING
    assert not Submission.objects.exists()


def test_submit_freezes_and_keeps_a_numbered_snapshot(world):
    report = world.report_a
    for node in writable(report):
        section_save(
            report=report,
            node=node,
            base_version=0,
            is_done=True,
            actor=world.drafter_a,
            content=f"<p>Mục {node.number}</p>",
        )
    submission = report_submit(report=report, actor=world.drafter_a)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None
    assert submission.number == 1
    assert submission.sections["p1.II.3"] == "<p>Mục 3</p>"
    assert len(submission.sections) == 5

    with pytest.raises(ReportLocked):
        section_save(
            report=report,
            node=writable(report)[0],
            base_version=1,
            is_done=True,
            actor=world.drafter_a,
            content="<p>Sửa sau khi nộp</p>",
        )
    with pytest.raises(ReportLocked):
        report_submit(report=report, actor=world.drafter_a)
    assert SectionText.objects.get(report=report, node__key="p1.II.1").content == "<p>Mục 1</p>"
    assert Submission.objects.filter(report=report).count() == 1
