import re

import pytest
from django.urls import reverse

from outline.models import OutlineNode
from reports.models import Report, ReportStatus
from reports.services import section_save
from tests.conftest import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_submit_return_answer_resubmit_approve(live_server, page):
    world = build_world(sections=2)
    report = world.report_a
    for node in OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True):
        section_save(
            report=report,
            node=node,
            base_version=0,
            is_done=True,
            actor=world.drafter_a,
            content=f"<p>Kết quả mục {node.number}.</p>",
        )

    # The officer submits.
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:report_submit", args=[report.pk]))
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    assert "Đã nộp" in page.content()

    # The reviewer finds it on the dashboard and returns it with a reason.
    log_in(page, live_server, world.reviewer)
    page.goto(live_server.url + reverse("reports:dashboard", args=[world.round.code]))
    page.get_by_role("link", name=world.unit_a.name).click()
    page.get_by_role("link", name="Trả lại").click()
    page.get_by_label("2. Nội dung số 2").check()
    page.locator("textarea[name='reason_p1.II.2']").fill("Bổ sung số đoàn viên kết nạp mới năm 2020")
    page.get_by_label("Nhận xét chung gửi đơn vị").fill("Báo cáo cần thêm số liệu minh họa.")
    page.get_by_role("button", name="Trả lại").click()
    page.wait_for_url(re.compile(r"/doc/$"))
    assert "Bị trả lại" in page.content()

    # The officer sees the to-do list, reworks the section, answers, resubmits.
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:report_detail", args=[report.pk]))
    assert "Bổ sung số đoàn viên kết nạp mới năm 2020" in page.content()
    page.goto(live_server.url + reverse("reports:section_edit", args=[report.pk, "p1.II.2"]))
    editor = page.locator(".ProseMirror")
    editor.click()
    page.keyboard.press("End")
    editor.press_sequentially(" Năm 2020 kết nạp 120 đoàn viên mới.")
    page.locator("#autosave-status").filter(has_text="Đã lưu lúc").wait_for()
    page.locator("input[name=answer]").fill("Đã bổ sung số liệu")
    page.get_by_role("button", name="Lưu trả lời").click()
    page.goto(live_server.url + reverse("reports:report_submit", args=[report.pk]))
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    assert "lần nộp thứ 2" in page.content()

    # The reviewer sees the resubmission flagged, the change, and approves.
    log_in(page, live_server, world.reviewer)
    page.goto(live_server.url + reverse("reports:dashboard", args=[world.round.code]) + "?status=resubmitted")
    assert world.unit_a.name in page.content()
    page.goto(live_server.url + reverse("reports:report_diff", args=[report.pk]))
    assert "Năm 2020 kết nạp 120 đoàn viên mới." in page.locator("ins").first.inner_text()
    page.goto(live_server.url + reverse("reports:report_read", args=[report.pk]))
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Duyệt").click()
    page.wait_for_url(re.compile(r"/doc/$"))
    assert "Đã duyệt báo cáo." in page.content()
    assert dialogs == ["Duyệt báo cáo này? Sau khi duyệt, báo cáo sẽ bị khóa."]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    assert page.js_errors == [], page.js_errors
