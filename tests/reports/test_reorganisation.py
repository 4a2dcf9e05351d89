"""Reorganisation (2025): merge units, move a subtree, deactivate. The old units' reports, history and
people stay readable under the successor; paths and roll-up totals stay right; a merged union that
restarts at congress I says so, and a union with no previous term says so instead of empty columns."""

import datetime
import io
import itertools

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from exports.docx import build_outline_docx, build_report_docx
from exports.selectors import outline_document, report_document
from exports.xlsx import build_report_xlsx
from outline.models import OutlineNode
from reports import reorganisation, totals
from reports.models import AuditEntry, Report, ReportStatus, SectionText
from reports.selectors import report_appendix, rollup
from reports.services import appendix_save, report_submit, round_open, section_save
from tests.exports.conftest import open_docx
from tests.indicators.factories import make_catalogue
from tests.reports.factories import RoundFactory
from tests.reports.test_review import write_all
from tests.reports.test_rollup_totals import STATUS_SETS, added_up, members, save
from tests.units.factories import MembershipFactory, UnitFactory
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db
EFFECTIVE = datetime.date(2025, 7, 1)


def assert_totals_right(round_, *units):
    """The stored totals of ``units`` hold exactly their reports and equal the figures added up afresh,
    with nothing made again by the check itself (the service rebuilt them)."""
    for unit, statuses in itertools.product(units, STATUS_SETS):
        unit.refresh_from_db()
        stored = totals.stored(round=round_, unit=unit, statuses=statuses, members=members(round_, unit))
        assert stored is not None, f"stored totals of {unit} do not hold the reports below it"
        assert stored == added_up(round_, unit, statuses), (unit.name, statuses)


def new_unit(world, **extra):
    return {
        "code": "CDCS-AB",
        "name": "Công đoàn cơ sở Công ty Á Bình",
        "kind": "CĐCS",
        "parent": world.superior,
        "is_grassroots": True,
        "congress_number": "I",
        **extra,
    }


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def merged(world):
    """Unit A (report submitted, figures, texts) and unit B merged into a new CĐCS at congress I."""
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "1.000", ("DV", "2020"): "900"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "10"}, cat)
    write_all(world, world.report_a, world.drafter_a)
    report_submit(report=world.report_a, actor=world.drafter_a)
    successor = reorganisation.unit_merge(
        sources=[world.unit_a, world.unit_b], new_unit=new_unit(world), effective=EFFECTIVE, actor=world.admin
    )
    return successor, cat


def test_merge_keeps_the_old_reports_readable_by_the_successors_people_and_the_reviewers_above(world, merged):
    successor, _cat = merged
    a = Report.objects.get(pk=world.report_a.pk)
    sections_before = dict(SectionText.objects.filter(report=a).values_list("node__key", "content"))
    # The old units: inactive, pointing at the new one; their people now work for it.
    for unit in (world.unit_a, world.unit_b):
        unit.refresh_from_db()
        assert not unit.is_active and unit.merged_into == successor and unit.merged_on == EFFECTIVE
    assert set(Membership.objects.filter(unit=successor).values_list("user", flat=True)) == {
        world.drafter_a.pk,
        world.drafter_b.pk,
    }
    assert not Membership.objects.filter(unit__in=[world.unit_a, world.unit_b]).exists()
    # The reports stay attached to the old units, history intact.
    assert a.unit_id == world.unit_a.pk and a.status == ReportStatus.SUBMITTED
    assert a.submissions.count() == 1 and AuditEntry.objects.filter(report=a).exists()
    # The new unit got its report in the running round.
    own = Report.objects.get(round=world.round, unit=successor)
    assert own.congress_number == "I"

    for user in (world.drafter_a, world.drafter_b, world.reviewer, world.admin):
        client = client_for(user)
        for report in (world.report_a, world.report_b):
            page = client.get(reverse("reports:report_detail", args=[report.pk]))
            assert page.status_code == 200, (user, report)
            assert f"Đã hợp nhất vào {successor.name} từ ngày 01/07/2025" in page.content.decode()
        read = client.get(reverse("reports:report_read", args=[world.report_a.pk])).content.decode()
        for content in sections_before.values():
            assert content in read
        assert client.get(reverse("reports:report_history", args=[world.report_a.pk])).status_code == 200
        listing = client.get(reverse("reports:report_list")).content.decode()
        assert world.unit_a.name in listing and world.unit_b.name in listing
    # Read-only: the drafters of the successor cannot write the old units' reports.
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).first()
    response = client_for(world.drafter_b).post(
        reverse("reports:section_edit", args=[world.report_b.pk, node.key]),
        {"content": "<p>Sửa báo cáo cũ</p>", "version": 0},
    )
    assert response.status_code in (403, 404)
    assert not SectionText.objects.filter(report=world.report_b, content__contains="Sửa báo cáo cũ").exists()
    # Outsiders still see nothing.
    outsider = client_for(world.reviewer_elsewhere)
    assert outsider.get(reverse("reports:report_detail", args=[world.report_a.pk])).status_code == 404

    # The new unit's page links to its predecessors' reports.
    page = client_for(world.drafter_a).get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert "Tiền thân:" in page
    for report in (world.report_a, world.report_b):
        assert reverse("reports:report_detail", args=[report.pk]) in page
    # Who did it is recorded.
    assert LogEntry.objects.filter(object_id=str(world.unit_a.pk), user=world.admin).exists()
    assert_totals_right(world.round, world.superior, world.province)


def test_predecessors_of_predecessors_stay_readable_after_a_second_merger(world, merged):
    successor, _cat = merged
    other = UnitFactory(name="Công đoàn cơ sở Công ty Cường", parent=world.superior)
    later = reorganisation.unit_merge(sources=[successor, other], new_unit=new_unit(world, code="CDCS-ABC"))
    world.unit_a.refresh_from_db()
    assert world.unit_a.merged_into == successor and world.unit_a.heir == later
    assert world.drafter_a.memberships.get().unit == later
    response = client_for(world.drafter_a).get(reverse("reports:report_detail", args=[world.report_a.pk]))
    assert response.status_code == 200


def test_merge_into_an_existing_unit_keeps_one_role_per_person(world):
    MembershipFactory(user=world.drafter_b, unit=world.unit_a, role=Role.DRAFTER)
    successor = reorganisation.unit_merge(sources=[world.unit_b], target=world.unit_a, actor=world.admin)
    assert successor == world.unit_a and successor.is_active and successor.formed_by_merger
    assert Membership.objects.filter(user=world.drafter_b, role=Role.DRAFTER).count() == 1
    response = client_for(world.drafter_a).get(reverse("reports:report_detail", args=[world.report_b.pk]))
    assert response.status_code == 200
    # Its congress is not the first: the fill says nothing of a merger.
    assert "sau hợp nhất" not in Report.objects.get(pk=world.report_a.pk).blank_fill


def test_merging_superior_unions_moves_their_units_and_keeps_the_totals_right(world):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "100"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "7"}, cat)
    successor = reorganisation.unit_merge(
        sources=[world.superior, world.other_superior],
        new_unit={
            "code": "CD-XA",
            "name": "Công đoàn xã Hòa Bình",
            "kind": "Công đoàn cấp trên",
            "parent": world.province,
            "congress_number": "I",
        },
        effective=EFFECTIVE,
        actor=world.admin,
    )
    for unit in (world.unit_a, world.unit_b, world.unit_c):
        unit.refresh_from_db()
        assert unit.parent == successor and unit.path == f"{successor.path}{unit.pk}/"
    # The reviewer of the old superior reviews under the new one, and still reads A's report.
    assert world.reviewer.memberships.get().unit == successor
    response = client_for(world.reviewer).get(reverse("reports:report_detail", args=[world.report_a.pk]))
    assert response.status_code == 200
    assert_totals_right(world.round, successor, world.province)
    shown = {
        r.indicator.code: r for r in rollup(round=world.round, unit=successor, statuses=tuple(ReportStatus.values)).rows
    }
    assert shown["CNVCLD"].value("2020") == 107


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("into itself", "Không thể hợp nhất một đơn vị vào chính nó"),
        ("into its own unit", "Không thể hợp nhất một đơn vị vào đơn vị trực thuộc của nó"),
        ("inactive", "không còn hoạt động"),
    ],
)
def test_merges_that_make_no_sense_are_refused_in_vietnamese(world, how, message):
    if how == "into itself":
        kwargs = {"sources": [world.unit_a], "target": world.unit_a}
    elif how == "into its own unit":
        kwargs = {"sources": [world.superior], "target": world.unit_a}
    else:
        reorganisation.unit_deactivate(unit=world.unit_b)
        kwargs = {"sources": [world.unit_b], "target": world.unit_a}
    with pytest.raises(ValidationError) as caught:
        reorganisation.unit_merge(**kwargs)
    assert message in " ".join(caught.value.messages)
    assert Unit.objects.filter(is_active=True, merged_into__isnull=False).count() == 0


def test_move_recomputes_the_paths_and_the_rollup_totals(world):
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "100"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "7"}, cat)
    inner = UnitFactory(name="Tổ công đoàn", parent=world.unit_b, is_grassroots=False)
    moved = reorganisation.unit_move(unit=world.unit_b, new_parent=world.other_superior, actor=world.admin)
    inner.refresh_from_db()
    assert moved.path == f"{world.other_superior.path}{moved.pk}/"
    assert inner.path == f"{moved.path}{inner.pk}/"
    # Rebuilt by the move itself: the stored totals hold the right reports before any roll-up is read.
    assert_totals_right(world.round, world.superior, world.other_superior, world.province)
    assert added_up(world.round, world.other_superior, tuple(ReportStatus.values))[(cat["CNVCLD"].pk, "2020")] == 7
    assert LogEntry.objects.filter(object_id=str(world.unit_b.pk), user=world.admin).exists()
    # The reviewer of the new superior reads B's report; the old one no longer does.
    assert (
        client_for(world.reviewer_elsewhere).get(reverse("reports:report_detail", args=[world.report_b.pk])).status_code
        == 200
    )
    assert client_for(world.reviewer).get(reverse("reports:report_detail", args=[world.report_b.pk])).status_code == 404


def test_cannot_move_a_unit_into_its_own_subtree(world):
    with pytest.raises(ValidationError) as caught:
        reorganisation.unit_move(unit=world.superior, new_parent=world.unit_a)
    assert "Không thể chuyển một đơn vị vào dưới chính nó" in " ".join(caught.value.messages)
    world.unit_a.refresh_from_db()
    assert world.unit_a.path == f"{world.superior.path}{world.unit_a.pk}/"


def test_a_deactivated_unit_gets_no_report_when_a_round_opens_and_its_reports_stay_readable(world):
    reorganisation.unit_deactivate(unit=world.unit_b, actor=world.admin)
    new_round = RoundFactory(outline_version=world.round.outline_version, organising_unit=world.superior)
    round_open(round=new_round)
    assert set(Report.objects.filter(round=new_round).values_list("unit", flat=True)) == {
        world.superior.pk,
        world.unit_a.pk,
    }
    response = client_for(world.reviewer).get(reverse("reports:report_detail", args=[world.report_b.pk]))
    assert response.status_code == 200
    # A union with active units below it is not closed before them.
    with pytest.raises(ValidationError) as caught:
        reorganisation.unit_deactivate(unit=world.superior)
    assert "còn đơn vị trực thuộc đang hoạt động" in " ".join(caught.value.messages)


# --- Congress restart and "no previous term" ---


def test_a_merged_union_at_its_first_congress_says_so_and_has_no_previous_term(world, merged):
    successor, cat = merged
    own = Report.objects.get(round=world.round, unit=successor)
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).first()
    section_save(
        report=own, node=node, content="<p>Sau hợp nhất</p>", base_version=0, is_done=True, actor=world.drafter_a
    )
    appendix_save(
        report=own, cells={(cat["CNVCLD"].pk, "2020"): "1.010"}, notes={}, base_version=0, actor=world.drafter_a
    )
    own.refresh_from_db()
    assert "lần thứ I (sau hợp nhất)" in own.blank_fill
    assert report_appendix(own).no_previous_term

    doc = report_document(own)
    assert doc.no_previous_term and "lần thứ I (sau hợp nhất)" in doc.fields["fill"]
    word = open_docx(build_report_docx(doc))
    texts = [p.text for p in word.paragraphs]
    assert "Không có nhiệm kỳ trước" in texts
    table = word.tables[-1]
    header = [cell.text for cell in table.rows[0].cells]
    assert "Cùng kỳ nhiệm kỳ trước" not in header and not any("so với cùng kỳ nhiệm kỳ trước" in h for h in header)
    assert "Không có nhiệm kỳ trước" in [
        p.text for p in open_docx(build_outline_docx(outline_document(own))).paragraphs
    ]

    book = load_workbook(io.BytesIO(build_report_xlsx(doc)))
    sheet = book.worksheets[0]
    values = [c.value for row in sheet.iter_rows(max_row=3) for c in row]
    assert "Không có nhiệm kỳ trước" in values
    header_row = [c.value for c in sheet[4]]
    labels = ("Cùng kỳ nhiệm kỳ trước", "So với cùng kỳ nhiệm kỳ trước")
    labels += ("So với cùng kỳ nhiệm kỳ trước (% hoặc điểm %)",)
    for label in labels:
        index = header_row.index(label) + 1
        # openpyxl keeps a run of like columns under its first letter (min..max).
        assert any(d.hidden and d.min <= index <= d.max for d in sheet.column_dimensions.values()), label

    for user in (world.drafter_a, world.reviewer):
        client = client_for(user)
        for name in ("reports:appendix_edit", "reports:report_read"):
            page = client.get(reverse(name, args=[own.pk])).content.decode()
            assert "Không có nhiệm kỳ trước" in page, (user, name)
    # Read-only (the reviewer), the empty columns are not shown at all.
    grid = client_for(world.reviewer).get(reverse("reports:appendix_edit", args=[own.pk])).content.decode()
    assert "So với cùng kỳ nhiệm kỳ trước" not in grid
    printed = client_for(world.reviewer).get(reverse("exports:report_print", args=[own.pk])).content.decode()
    assert "Không có nhiệm kỳ trước" in printed and "So với cùng kỳ nhiệm kỳ trước" not in printed


def test_a_first_congress_with_previous_term_figures_typed_shows_them(world, merged):
    successor, cat = merged
    own = Report.objects.get(round=world.round, unit=successor)
    appendix_save(
        report=own, cells={(cat["CNVCLD"].pk, "prev"): "950"}, notes={}, base_version=0, actor=world.drafter_a
    )
    own.refresh_from_db()
    assert not report_appendix(own).no_previous_term
    assert not report_document(own).no_previous_term


def test_a_union_with_a_previous_term_shows_its_columns_as_before(world):
    make_catalogue(world.round.outline_version)
    report = world.report_a
    assert report.congress_number == "V"
    assert not report_appendix(report).no_previous_term
    doc = report_document(report)
    assert not doc.no_previous_term and "sau hợp nhất" not in doc.fields["fill"]
    word = open_docx(build_report_docx(doc))
    assert "Không có nhiệm kỳ trước" not in [p.text for p in word.paragraphs]
    assert "Cùng kỳ nhiệm kỳ trước" in [cell.text for cell in word.tables[-1].rows[0].cells]
    page = client_for(world.reviewer).get(reverse("reports:appendix_edit", args=[report.pk])).content.decode()
    assert "Không có nhiệm kỳ trước" not in page and "So với cùng kỳ nhiệm kỳ trước" in page


# --- Query counts ---


def _report_page_queries(user, report) -> int:
    client = client_for(user)
    client.get(reverse("reports:report_detail", args=[report.pk]))  # the session, the body's cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    return len(ctx)


def test_the_successors_page_costs_the_same_queries_whatever_the_number_of_predecessors(world):
    many = [UnitFactory(parent=world.superior) for _ in range(5)]
    round_open(round=world.round)  # their reports too: the big successor has six predecessors' reports
    small = reorganisation.unit_merge(sources=[world.unit_a], new_unit=new_unit(world, code="N1"))
    big = reorganisation.unit_merge(sources=[world.unit_b, *many], new_unit=new_unit(world, code="N2"))
    assert Report.objects.filter(unit__heir=big).count() == 6
    small_report = Report.objects.get(round=world.round, unit=small)
    big_report = Report.objects.get(round=world.round, unit=big)
    assert _report_page_queries(world.drafter_a, small_report) == _report_page_queries(world.drafter_b, big_report)


def test_a_plain_units_page_runs_no_query_for_predecessors(world):
    before = _report_page_queries(world.drafter_a, world.report_a)
    Unit.objects.filter(pk=world.unit_b.pk).update(formed_by_merger=True)
    assert _report_page_queries(world.drafter_b, world.report_b) == before + 1


def test_the_reading_page_says_the_same_about_mergers_and_names_the_round_once(world, merged):
    """The dashboard and the report list link to the reading page: it carries the merger notice and the
    predecessors too, and predecessors of the same round are listed without repeating the round's name."""
    import re

    successor, _cat = merged
    own = Report.objects.get(round=world.round, unit=successor)
    client = client_for(world.reviewer)
    old = client.get(reverse("reports:report_read", args=[world.report_a.pk])).content.decode()
    assert f"Đã hợp nhất vào {successor.name} từ ngày 01/07/2025" in old
    new = client.get(reverse("reports:report_read", args=[own.pk])).content.decode()
    block = re.search(r'id="predecessors">(.*?)</div>', new, re.S).group(1)
    assert world.unit_a.name in block and world.unit_b.name in block
    assert world.round.name not in block
