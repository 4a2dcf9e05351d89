import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from exports.models import ExportJob, JobStatus
from reports.models import Report
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_admin_exports_the_consolidated_report_watching_progress(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(sections=2)
    make_catalogue(world.round.outline_version)
    own = Report.objects.get(round=world.round, unit=world.superior)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("reports:report_read", args=[own.pk]))
    page.get_by_role("button", name="Xuất Word tổng hợp").click()
    page.wait_for_url(re.compile(r"/xuat/viec/\d+/$"))
    assert page.locator("#job-label").inner_text() == "Đang chờ"
    # The worker runs while the page is open (the browser polls on its own); the page updates itself.
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    page.locator("#job-download").wait_for(state="visible")
    assert page.locator("#job-bar").inner_text() == "100%"
    # How many pages the print file holds, said before it is downloaded; the units' texts offered beside it.
    job = ExportJob.objects.get()
    assert page.locator("#job-pages").inner_text() == f"Khoảng {job.pages} trang A4"
    assert page.get_by_role("button", name="Tạo file nội dung các đơn vị (phụ lục riêng)").is_visible()
    with page.expect_download() as info:
        page.locator("#job-download").click()
    path = info.value.path()
    doc = Document(path)
    assert any(p.text == "BÁO CÁO" for p in doc.paragraphs)
    assert ExportJob.objects.get().status == JobStatus.DONE
    assert page.js_errors == [], page.js_errors


def test_a_failed_export_shows_its_reason_on_the_open_page_and_is_tried_again(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_MAX_SECONDS = 0  # every job runs past its limit
    world = build_world(sections=2)
    own = Report.objects.get(round=world.round, unit=world.superior)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("reports:report_read", args=[own.pk]))
    page.get_by_role("button", name="Xuất Word tổng hợp").click()
    page.wait_for_url(re.compile(r"/xuat/viec/\d+/$"))
    first = page.url
    assert not page.get_by_role("button", name="Thử lại").is_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    # The page, polling on its own, shows why and offers to try again.
    page.get_by_role("button", name="Thử lại").wait_for(state="visible")
    assert "quá thời gian cho phép" in page.locator("#job-error").inner_text()
    assert page.locator("#job-label").inner_text() == "Bị lỗi"
    page.get_by_role("button", name="Thử lại").click()
    page.wait_for_url(re.compile(r"/xuat/viec/\d+/$"))
    assert page.url != first and page.locator("#job-label").inner_text() == "Đang chờ"
    assert [job.status for job in ExportJob.objects.order_by("pk")] == [JobStatus.FAILED, JobStatus.WAITING]
    assert page.js_errors == [], page.js_errors
