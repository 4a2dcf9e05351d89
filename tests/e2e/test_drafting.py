import re

import pytest
from django.urls import reverse

from outline.models import OutlineNode
from reports.models import ReportStatus, SectionText, Submission
from reports.services import section_save
from tests.conftest import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_officer_drafts_with_autosave_and_submits(live_server, page):
    world = build_world(sections=3)
    report = world.report_a
    # Two of the three sections are written already; the officer writes the first one.
    for node in OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True):
        if node.key != "p1.II.1":
            section_save(
                report=report,
                node=node,
                base_version=0,
                is_done=True,
                actor=world.drafter_a,
                content="<p>Đã viết.</p>",
            )

    page.goto(live_server.url + "/")
    assert "Đăng nhập" in page.title()
    page.get_by_label("Tên đăng nhập").fill(world.drafter_a.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()

    # The drafter lands on the unit's report, with the progress and the section states.
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    assert world.unit_a.name in page.content()
    assert "Đã viết 2 / 3 mục bắt buộc" in page.content()

    page.get_by_role("link", name=re.compile("Viết báo cáo")).click()
    page.wait_for_url(re.compile(r"/muc/p1\.II\.1/$"))
    assert "Gợi ý cho mục 1." in page.content()
    editor = page.locator(".ProseMirror")
    editor.click()
    editor.press_sequentially("Năm 2020 có 1.250 đoàn viên, tăng 12,5% so với đầu nhiệm kỳ.")
    page.keyboard.press("Control+b")
    editor.press_sequentially(" Đạt chỉ tiêu.")

    # Autosave: no button pressed.
    page.locator("#autosave-status").filter(has_text="Đã lưu lúc").wait_for()
    stored = SectionText.objects.get(report=report, node__key="p1.II.1")
    assert "1.250 đoàn viên" in stored.content
    assert "<strong> Đạt chỉ tiêu.</strong>" in stored.content

    page.reload()
    assert "Năm 2020 có 1.250 đoàn viên" in page.locator(".ProseMirror").inner_text()

    # Submit from the report page.
    page.goto(live_server.url + reverse("reports:report_submit", args=[report.pk]))
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    assert "Đã nộp báo cáo (lần nộp thứ 1)" in page.content()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert "1.250 đoàn viên" in Submission.objects.get(report=report).sections["p1.II.1"]
    # Nothing on the way broke a script or the Content-Security-Policy.
    print("\n".join(page.js_errors))
    assert page.js_errors == []
