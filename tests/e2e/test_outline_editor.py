"""An administrator writes a new term's outline in the browser, line by line, and publishes it."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from outline.models import OutlineDraft, OutlineNode, OutlineVersion
from tests.e2e.test_accessibility import axe_source, serious
from tests.units.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_admin_edits_a_heading_in_its_box_sees_it_and_publishes(live_server, page, width):
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    seed = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    admin = UserFactory(is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("outline:outline_upload"))
    page.get_by_role("link", name="Sao chép thành bản nháp, sửa từng mục").first.click()
    page.get_by_label("Mã phiên bản mới").fill("gnk-2025-2030")
    page.get_by_label("Tên phiên bản mới").fill("Đề cương giữa nhiệm kỳ 2025–2030")
    page.get_by_role("button", name="Tạo bản nháp").click()
    page.wait_for_url(re.compile(r"/de-cuong/nhap/\d+/$"))
    # The seed speaks of its own term: the warnings stand beside their lines.
    assert page.locator("[data-line-warnings]").count() > 0
    assert serious(page, axe_source()) == []
    section = page.locator("li[data-kind=section]").first
    box = section.get_by_role("textbox")
    old = box.input_value()
    box.fill("TÌNH HÌNH CHUNG CỦA ")
    # The unit's name as a field, inserted where the cursor stands.
    page.get_by_text("Chèn trường").first.click()
    page.locator("[data-placeholders] button[data-insert='{don_vi}']").click()
    assert box.input_value() == "TÌNH HÌNH CHUNG CỦA {don_vi}"
    section.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"#dong-\d+$"))
    assert "Đã lưu" in page.locator(".alert-success, [role=status]").first.inner_text()
    preview = page.locator("[data-outline-preview]")
    # The field filled with the preview's example unit, marked as an example.
    assert "I. TÌNH HÌNH CHUNG CỦA CÔNG ĐOÀN CƠ SỞ CÔNG TY A (VÍ DỤ)" in preview.inner_text().upper()
    diff = page.locator("[data-outline-diff]").inner_text()
    assert old in diff and "TÌNH HÌNH CHUNG CỦA {don_vi}" in diff
    # Nothing is wider than the window, on a phone too.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Xuất bản").click()
    page.wait_for_url(re.compile(r"/quan-tri/outline/outlineversion/\d+/change/$"))
    version = OutlineVersion.objects.get(code="gnk-2025-2030")
    assert OutlineNode.objects.get(version=version, key="p1.I").text == "TÌNH HÌNH CHUNG CỦA {don_vi}"
    assert OutlineDraft.objects.get(code="gnk-2025-2030").published_version == version
    assert OutlineNode.objects.filter(version=version).count() == OutlineNode.objects.filter(version=seed).count()
    assert not page.js_errors
