import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outline.models import OutlineNode
from reports import review, totals
from reports.models import (
    AuditEntry,
    Comment,
    IndicatorValue,
    Notification,
    Report,
    ReportStatus,
    Round,
    SectionText,
    Visibility,
)
from reports.services import (
    ReportLocked,
    appendix_fill_from_rollup,
    appendix_save,
    report_submit,
    round_open,
    section_save,
)
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.reports.test_views import ROLES, login
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db


def write_all(world, report, user, text="Nội dung"):
    for node in OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True):
        current = SectionText.objects.filter(report=report, node=node).first()
        section_save(
            report=report,
            node=node,
            base_version=current.version if current else 0,
            is_done=True,
            actor=user,
            content=f"<p>{text} {node.number}</p>",
        )


def submitted(world):
    write_all(world, world.report_a, world.drafter_a)
    report_submit(report=world.report_a, actor=world.drafter_a)
    world.report_a.refresh_from_db()
    return world.report_a


def set_status(report, status):
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()


# Who may approve a submitted report: only reviewers of an ancestor (and the superuser admin).
APPROVE = {
    "drafter_a": 403,
    "drafter_b": 404,
    "reviewer": 302,
    "reviewer_elsewhere": 404,
    "admin": 302,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_approve_and_return_permissions(client, world, role):
    report = submitted(world)
    login(client, world, role)
    response = client.post(reverse("reports:report_approve", args=[report.pk]))
    assert response.status_code == APPROVE[role]
    report.refresh_from_db()
    approved = role in ("reviewer", "admin")
    assert report.status == (ReportStatus.APPROVED if approved else ReportStatus.SUBMITTED)
    return_page = client.get(reverse("reports:report_return", args=[report.pk])).status_code
    assert return_page == {**APPROVE, "reviewer": 200, "admin": 200}[role]
    for url in ("report_read", "report_history", "report_diff"):
        status = client.get(reverse(f"reports:{url}", args=[report.pk])).status_code
        assert status == {"anonymous": 302, "drafter_b": 404, "reviewer_elsewhere": 404}.get(role, 200), url


@pytest.mark.parametrize("status", [s for s, _ in ReportStatus.choices])
def test_transitions_by_status(world, status):
    report = world.report_a
    write_all(world, report, world.drafter_a)
    set_status(report, status)
    if status == ReportStatus.SUBMITTED:
        review.report_approve(report=report, actor=world.reviewer)
        report.refresh_from_db()
        assert report.status == ReportStatus.APPROVED
    else:
        with pytest.raises(review.StaleAction):
            review.report_approve(report=report, actor=world.reviewer)
        with pytest.raises(review.StaleAction):
            review.report_return(report=report, note="Bổ sung", items=[], due=None, actor=world.reviewer)
    set_status(report, status)
    if status == ReportStatus.APPROVED:
        with pytest.raises(ValidationError):
            review.report_unapprove(report=report, reason="", actor=world.reviewer)
        review.report_unapprove(report=report, reason="Nhầm số liệu", actor=world.reviewer)
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED
        assert AuditEntry.objects.filter(report=report, kind="status", new__contains="Nhầm số liệu").exists()
    else:
        with pytest.raises(review.StaleAction):
            review.report_unapprove(report=report, reason="x", actor=world.reviewer)
    set_status(report, status)
    if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        with pytest.raises(ReportLocked):
            report_submit(report=report, actor=world.drafter_a)
    # A drafter never reviews, a reviewer elsewhere never sees.
    with pytest.raises(PermissionDenied):
        review.report_approve(report=report, actor=world.drafter_a)
    with pytest.raises(PermissionDenied):
        review.report_approve(report=report, actor=world.reviewer_elsewhere)


def test_two_reviewers_at_once_one_wins_the_other_is_told(client, world):
    from tests.units.factories import MembershipFactory

    report = submitted(world)
    second = MembershipFactory(unit=world.superior, role="reviewer").user
    review.report_return(report=report, note="Cần bổ sung số liệu", items=[], due=None, actor=world.reviewer)
    client.force_login(second)
    response = client.post(reverse("reports:report_approve", args=[report.pk]), follow=True)
    assert "Chưa thực hiện: báo cáo hiện ở trạng thái “Bị trả lại”" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


# E-mails leave when the transaction commits: the tests that read them commit for real.
commits = pytest.mark.django_db(transaction=True)


@commits
def test_return_answer_resubmit_loop(client, world):
    report = submitted(world)
    mail.outbox.clear()
    client.force_login(world.reviewer)
    response = client.post(reverse("reports:report_return", args=[report.pk]), {"note": ""})
    assert "Hãy viết nhận xét chung gửi đơn vị" in response.content.decode()
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {
            "note": "Báo cáo còn sơ sài",
            "tick_p1.II.2": "on",
            "reason_p1.II.2": "",
        },
    )
    assert "Nêu rõ cần sửa gì" in response.content.decode()
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {
            "note": "Báo cáo còn sơ sài",
            "tick_p1.II.2": "on",
            "reason_p1.II.2": "Thêm số liệu đoàn viên",
            "tick_p1.II.3": "on",
            "reason_p1.II.3": "Nêu kết quả cụ thể",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert [m.to for m in mail.outbox] == [[world.drafter_a.email]]
    assert "trả lại" in mail.outbox[0].body

    # The drafter sees the to-do list; resubmitting before answering everything is refused.
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Thêm số liệu đoàn viên" in html and "Nêu kết quả cụ thể" in html
    html = client.get(reverse("reports:section_edit", args=[report.pk, "p1.II.2"])).content.decode()
    assert "Thêm số liệu đoàn viên" in html and "Nêu kết quả cụ thể" not in html
    section = SectionText.objects.get(report=report, node__key="p1.II.2")
    section_save(
        report=report,
        node=section.node,
        base_version=section.version,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Năm 2020 kết nạp 120 đoàn viên mới.</p>",
    )
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, actor=world.drafter_a)
    assert "Trả lời" in " ".join(exc.value.messages)
    items = list(report.returns.get().items.order_by("node_key"))
    client.post(reverse("reports:return_answer", args=[report.pk, items[0].pk]), {"answer": "Đã bổ sung"})
    response = client.post(reverse("reports:return_answer", args=[report.pk, items[1].pk]), {"answer": ""}, follow=True)
    assert "đánh dấu" in response.content.decode()
    client.post(reverse("reports:return_answer", args=[report.pk, items[1].pk]), {"done": "on"})
    mail.outbox.clear()
    response = client.post(reverse("reports:report_submit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submissions.count() == 2
    assert report.is_resubmission
    # Reviewers and admins above the unit hear of it; the mail says it is a resubmission.
    assert {m.to[0] for m in mail.outbox} == {world.reviewer.email, world.admin.email}
    assert all("nộp lại" in m.body for m in mail.outbox)

    # The reviewer's dashboard flags it, and the diff shows what changed, word by word.
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:dashboard", args=[world.round.code]) + "?status=resubmitted").content.decode()
    assert world.unit_a.name in html and "nộp lại" in html
    html = client.get(reverse("reports:report_diff", args=[report.pk])).content.decode()
    assert "<del>Nội dung 2</del>" in html
    assert "<ins>Năm 2020 kết nạp 120 đoàn viên mới.</ins>" in html


def test_word_diff_is_vietnamese_safe():
    from reports.diff import word_diff

    diff = word_diff("<p>Công đoàn cơ sở hoạt động tốt</p>", "<p>Công đoàn cơ sở hoạt động rất tốt</p>")
    assert diff.html == "Công đoàn cơ sở hoạt động <ins>rất </ins>tốt"
    diff = word_diff("<p>Ca\u0301c</p>", "<p>Các</p>")  # decomposed and composed: the same word
    assert not diff.changed
    diff = word_diff("<p>tăng</p>", "<p>tầng</p>")
    assert diff.html == "<del>tăng</del><ins>tầng</ins>"


def test_figures_changes_are_in_the_diff(client, world):
    cat = make_catalogue(world.round.outline_version)
    appendix_save(
        report=world.report_a,
        cells={(cat["DV"].pk, "2020"): "100"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    report = submitted(world)
    review.report_return(report=report, note="Sửa số liệu", items=[], due=None, actor=world.reviewer)
    appendix_save(report=report, cells={(cat["DV"].pk, "2020"): "120"}, notes={}, base_version=1, actor=world.drafter_a)
    report_submit(report=report, actor=world.drafter_a)
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_diff", args=[report.pk])).content.decode()
    assert "Tổng số đoàn viên công đoàn" in html and "<del>100</del>" in html and "<ins>120</ins>" in html


@commits
def test_comment_visibility_and_threads(client, world):
    make_catalogue(world.round.outline_version)
    report = submitted(world)
    internal = review.comment_add(
        report=report,
        anchor="section:p1.II.1",
        body="Đơn vị này hay chậm",
        visibility=Visibility.INTERNAL,
        actor=world.reviewer,
    )
    to_unit = review.comment_add(
        report=report,
        anchor="section:p1.II.1",
        body="Bổ sung số liệu năm 2020",
        visibility=Visibility.UNIT,
        actor=world.reviewer,
    )
    review.comment_add(
        report=report,
        anchor="indicator:DV",
        body="Số đoàn viên giảm?",
        visibility=Visibility.UNIT,
        actor=world.reviewer,
    )
    client.force_login(world.drafter_a)
    for url in (
        reverse("reports:report_read", args=[report.pk]),
        reverse("reports:section_edit", args=[report.pk, "p1.II.1"]),
        reverse("reports:report_history", args=[report.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Đơn vị này hay chậm" not in html, url
    html = client.get(reverse("reports:section_edit", args=[report.pk, "p1.II.1"])).content.decode()
    assert "Bổ sung số liệu năm 2020" in html
    # The drafter replies; they cannot start a thread nor reach the internal one.
    mail.outbox.clear()
    client.post(
        reverse("reports:comment_post", args=[report.pk]),
        {"anchor": "section:p1.II.1", "parent": to_unit.pk, "body": "Đã bổ sung ạ"},
    )
    assert Comment.objects.filter(parent=to_unit, body="Đã bổ sung ạ", visibility=Visibility.UNIT).exists()
    assert mail.outbox[0].to == [world.reviewer.email]
    response = client.post(
        reverse("reports:comment_post", args=[report.pk]),
        {"anchor": "section:p1.II.1", "parent": internal.pk, "body": "xem trộm"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("reports:comment_post", args=[report.pk]),
        {"anchor": "section:p1.II.1", "body": "bình luận mới"},
    )
    assert response.status_code == 403
    # Resolve and reopen; the comment stays anchored to the section whatever its text becomes.
    client.force_login(world.reviewer)
    client.post(reverse("reports:comment_resolve", args=[report.pk, to_unit.pk]), {"resolved": "1"})
    to_unit.refresh_from_db()
    assert to_unit.resolved_at is not None
    client.post(reverse("reports:comment_resolve", args=[report.pk, to_unit.pk]), {"resolved": "0"})
    to_unit.refresh_from_db()
    assert to_unit.resolved_at is None
    html = client.get(reverse("reports:report_read", args=[report.pk])).content.decode()
    assert "Đơn vị này hay chậm" in html and "Số đoàn viên giảm?" in html
    assert Comment.objects.count() == 4  # nothing deleted


@commits
def test_deadline_lock_and_extension(client, world):
    Round.objects.filter(pk=world.round.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    report = Report.objects.get(pk=world.report_a.pk)
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    with pytest.raises(ReportLocked) as exc:
        section_save(
            report=report,
            node=node,
            base_version=0,
            is_done=False,
            actor=world.drafter_a,
            content="<p>Muộn</p>",
        )
    assert "quá hạn" in exc.value.reason.lower() or "đã qua" in exc.value.reason
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:section_edit", args=[report.pk, "p1.II.1"])).content.decode()
    assert "Xin gia hạn" in html and "data-django-prose-editor" not in html
    page = reverse("reports:report_detail", args=[report.pk])
    html = client.get(page).content.decode()
    assert "Xin gia hạn" in html and "Đề nghị gia hạn đang chờ trả lời." not in html
    mail.outbox.clear()
    client.post(reverse("reports:extension_request", args=[report.pk]), {"reason": "Chủ tịch đi công tác"})
    assert {m.to[0] for m in mail.outbox} == {world.reviewer.email, world.admin.email}
    # The report page now says the request waits, and offers no second one.
    html = client.get(page).content.decode()
    assert "Đề nghị gia hạn đang chờ trả lời." in html and "Xin gia hạn</a>" not in html
    extension = report.extensions.get()
    client.force_login(world.reviewer)
    until = timezone.localdate() + datetime.timedelta(days=10)
    client.post(
        reverse("reports:extension_decide", args=[report.pk]),
        {"request": extension.pk, "decision": "grant", "until": until.strftime("%d/%m/%Y")},
    )
    report.refresh_from_db()
    assert report.extended_until == until and not report.is_past_deadline
    section_save(
        report=report,
        node=node,
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content="<p>Kịp rồi</p>",
    )
    assert "Kịp rồi" in SectionText.objects.get(report=report, node=node).content


def test_refused_extension_needs_a_reason(client, world):
    Round.objects.filter(pk=world.round.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    report = Report.objects.get(pk=world.report_a.pk)
    extension = review.extension_request(report=report, reason="Xin thêm 1 tuần", actor=world.drafter_a)
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reports:extension_decide", args=[report.pk]),
        {"request": extension.pk, "decision": "refuse", "note": ""},
        follow=True,
    )
    assert "Nêu lý do" in response.content.decode()
    client.post(
        reverse("reports:extension_decide", args=[report.pk]),
        {"request": extension.pk, "decision": "refuse", "note": "Đã quá muộn"},
    )
    extension.refresh_from_db()
    assert extension.status == "refused"
    assert Notification.objects.filter(user=world.drafter_a, message__contains="Đã quá muộn").exists()


@commits
def test_deadline_reminders_are_sent_once(world):
    Round.objects.filter(pk=world.round.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=2))
    mail.outbox.clear()
    call_command("send_deadline_reminders", "--days", "3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_deadline_reminders", "--days", "3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.drafter_a.email, world.drafter_b.email])
    assert "còn 2 ngày" in mail.outbox[0].body.lower()


def test_history_shows_who_when_old_and_new(client, world):
    cat = make_catalogue(world.round.outline_version)
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    section_save(
        report=world.report_a,
        node=node,
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content="<p>Bản đầu</p>",
    )
    appendix_save(
        report=world.report_a,
        cells={(cat["DV"].pk, "2020"): "1.250"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    appendix_save(
        report=world.report_a,
        cells={(cat["DV"].pk, "2020"): "1.300"},
        notes={},
        base_version=1,
        actor=world.drafter_a,
    )
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_history", args=[world.report_a.pk])).content.decode()
    assert "<ins>Bản đầu</ins>" in html
    assert "<del>1.250</del> → <ins>1.300</ins>" in html
    assert "Chưa bắt đầu" in html and "Đang soạn" in html
    assert "Nguyễn Thị Lan" in html


def test_superior_writes_its_own_report_from_its_units(client, world):
    from tests.units.factories import MembershipFactory

    cat = make_catalogue(world.round.outline_version)
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    section_save(
        report=world.report_a,
        node=node,
        base_version=0,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Văn bản của đơn vị A</p>",
    )
    section_save(
        report=world.report_b,
        node=node,
        base_version=0,
        is_done=True,
        actor=world.drafter_b,
        content="<p>Văn bản của đơn vị B</p>",
    )
    for report, value in ((world.report_a, 100), (world.report_b, 50)):
        IndicatorValue.objects.create(report=report, indicator=cat["DV"], column="2020", value=Decimal(value))
        IndicatorValue.objects.create(report=report, indicator=cat["DV"], column="target", value=Decimal(value))
    Report.objects.filter(pk__in=[world.report_a.pk, world.report_b.pk]).update(status=ReportStatus.SUBMITTED)
    totals.rebuild(world.round)  # the figures were written in bulk
    own = Report.objects.get(round=world.round, unit=world.superior)
    writer = MembershipFactory(unit=world.superior, role="drafter").user
    client.force_login(writer)
    html = client.get(reverse("reports:section_edit", args=[own.pk, "p1.II.1"])).content.decode()
    assert "Văn bản của đơn vị A" in html and "Văn bản của đơn vị B" in html
    # Units in Vietnamese order: "Công ty Bình" before "Công ty May Á".
    assert html.index(world.unit_b.name) < html.index(world.unit_a.name)
    result = appendix_fill_from_rollup(report=own, actor=writer)
    assert IndicatorValue.objects.get(report=own, indicator=cat["DV"], column="2020").value == Decimal(150)
    # The superior's "Chỉ tiêu Nghị quyết" are its own congress's: its units' targets are not added into them.
    assert not IndicatorValue.objects.filter(report=own, column="target").exists()
    assert result.saved == 1


def _dashboard_queries(client, n):
    world = build_world(sections=3)
    make_catalogue(world.round.outline_version)
    for _ in range(n):
        UnitFactory(parent=world.superior)
    round_open(round=world.round)
    client.force_login(world.reviewer)
    url = reverse("reports:dashboard", args=[world.round.code])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # A page of the table: 50 rows, the rest on the next pages; the counts cover every unit.
    assert html.count('href="/bao-cao/') >= min(n, 50)
    if n > 50:
        assert f"Đơn vị 1–50 trên {n + 2}" in html
        assert f"trang={-(-(n + 2) // 50)}" in html
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_the_same_at_10_and_300_units(client):
    assert _dashboard_queries(client, 10) == _dashboard_queries(client, 300)


def test_dashboard_counts_search_sort_and_export(client, world):
    from openpyxl import load_workbook

    from tests.exports.dashboard_files import dashboard_workbook

    submitted(world)
    UnitFactory(parent=world.superior, name="Công đoàn cơ sở Đông Hòa")
    UnitFactory(parent=world.superior, name="Công đoàn cơ sở Dệt Hòa Bình")
    round_open(round=world.round)
    client.force_login(world.reviewer)
    url = reverse("reports:dashboard", args=[world.round.code])
    html = client.get(url).content.decode()
    assert html.index("Công đoàn cơ sở Dệt Hòa Bình") < html.index("Công đoàn cơ sở Đông Hòa")
    assert world.unit_c.name not in html
    assert "Đã nộp" in html
    html = client.get(url + "?q=hoa binh").content.decode()
    assert "Dệt Hòa Bình" in html and "Đông Hòa" not in html and world.unit_a.name not in html
    html = client.get(url + "?status=submitted").content.decode()
    assert world.unit_a.name in html and world.unit_b.name not in html
    ws = load_workbook(__import__("io").BytesIO(dashboard_workbook(client, world.round))).active
    rows = list(ws.values)
    assert rows[0][:3] == ("Mã", "Đơn vị", "Trạng thái")
    assert ("Đã nộp" in [r[2] for r in rows]) and len(rows) == 5
    # "Thay đổi gần nhất" is a real date and time, shown dd/mm/yyyy hh:mm: a spreadsheet sorts it as one.
    assert rows[0][6] == "Thay đổi gần nhất"
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=3).value == "Đã nộp")
    cell = ws.cell(row=row, column=7)
    assert isinstance(cell.value, datetime.datetime) and cell.number_format == "dd/mm/yyyy hh:mm"
    # A unit that has not started has nothing to date.
    assert all(r[6] is None for r in rows[1:] if r[2] == "Chưa bắt đầu")
    assert any(r[2] == "Chưa bắt đầu" for r in rows[1:])
    report = Report.objects.get(round=world.round, unit__name=ws.cell(row=row, column=2).value)
    assert abs(cell.value - timezone.localtime(report.updated_at).replace(tzinfo=None)) < datetime.timedelta(seconds=1)


def test_dashboard_pages_in_vietnamese_order_and_finds_late_reports(client, world):
    """The database sorts and pages: page 2 goes on where page 1 stopped, in dictionary order
    (Ă after A, Đ after D), and "late" is worked out there too (an extension moves the deadline)."""
    from core.text import vietnamese_sort_key
    from reports.review_views import DASHBOARD_PAGE_SIZE

    letters = ["A", "Ă", "Â", "B", "D", "Đ", "E", "Ê", "O", "Ô", "Ơ", "U", "Ư"]
    for n in range(DASHBOARD_PAGE_SIZE + 5):
        UnitFactory(parent=world.superior, name=f"Công đoàn cơ sở {letters[n % len(letters)]}nh {n:03d}")
    round_open(round=world.round)
    client.force_login(world.reviewer)
    url = reverse("reports:dashboard", args=[world.round.code])
    shown = []
    for page in (1, 2):
        html = client.get(f"{url}?trang={page}").content.decode()
        shown += re.findall(r"Công đoàn cơ sở \w+nh \d{3}", html)
    names = list(dict.fromkeys(shown))
    assert len(names) == DASHBOARD_PAGE_SIZE + 5
    assert names == sorted(names, key=vietnamese_sort_key)
    # Late: past the round's deadline and not granted more time.
    Round.objects.filter(pk=world.round.pk).update(deadline=datetime.date.today() - datetime.timedelta(days=3))
    Report.objects.filter(pk=world.report_b.pk).update(
        extended_until=datetime.date.today() + datetime.timedelta(days=5)
    )
    html = client.get(url + "?status=late").content.decode()
    assert world.unit_a.name in html and world.unit_b.name not in html


def test_superior_section_page_shows_the_units_texts_a_page_at_a_time(client, world):
    """A province's section page lists thousands of texts: 20 at a time, in Vietnamese order across pages,
    and the page's query count and size do not grow with the number of units."""
    from core.text import vietnamese_sort_key
    from reports.selectors import SYNTHESIS_PAGE_SIZE as UNIT_TEXTS_PAGE_SIZE
    from tests.units.factories import MembershipFactory

    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    own = Report.objects.get(round=world.round, unit=world.superior)
    writer = MembershipFactory(unit=world.superior, role="drafter").user
    client.force_login(writer)
    url = reverse("reports:section_edit", args=[own.pk, node.key])

    def add_units(count, start):
        letters = ["A", "Ă", "Â", "B", "D", "Đ", "Ô", "Ơ", "U", "Ư"]
        for n in range(start, start + count):
            UnitFactory(parent=world.superior, name=f"Công đoàn cơ sở {letters[n % len(letters)]}n {n:03d}")
        round_open(round=world.round)
        for report in Report.objects.filter(round=world.round, unit__name__contains="cơ sở ").exclude(
            sections__node=node
        ):
            if report.unit.is_grassroots:
                SectionText.objects.create(report=report, node=node, content=f"<p>Bài của {report.unit.name}.</p>")
                # Only submitted or approved reports are shown to the superior (reports.selectors.synthesis).
                Report.objects.filter(pk=report.pk).update(status="submitted")

    def page(number):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?don_vi={number}")
        return response.content.decode(), len(queries)

    add_units(UNIT_TEXTS_PAGE_SIZE + 3, 0)
    first, queries_small = page(1)
    second, _ = page(2)
    passage = r'<p class="mb-1">Bài của'
    shown = re.findall(passage + r" (Công đoàn cơ sở \w+n \d{3})", first + second)
    assert len(shown) == UNIT_TEXTS_PAGE_SIZE + 3 and len(re.findall(passage, first)) == UNIT_TEXTS_PAGE_SIZE
    assert shown == sorted(shown, key=vietnamese_sort_key)
    assert "bài của đơn vị" in first and f'href="{url}?don_vi=2#unit-texts"' in first
    add_units(60, 100)
    big, queries_big = page(1)
    assert queries_big == queries_small
    assert len(re.findall(passage, big)) == UNIT_TEXTS_PAGE_SIZE
