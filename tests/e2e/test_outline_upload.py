import re

import pytest
from django.conf import settings
from django.urls import reverse

from outline.models import OutlineNode, OutlineVersion
from tests.units.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]

SEED = settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky.txt"


def test_admin_uploads_corrects_and_publishes_an_outline(live_server, page, tmp_path):
    admin = UserFactory(is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("admin:outline_outlineversion_changelist"))
    page.get_by_role("link", name="Tải lên đề cương").click()
    wrong = tmp_path / "de-cuong.txt"
    wrong.write_text(SEED.read_text(encoding="utf-8").replace("3. Đổi mới công tác", "2. Đổi mới công tác"))
    page.get_by_label("Tệp đề cương (.txt hoặc .docx)").set_input_files(str(wrong))
    page.get_by_role("button", name="Đọc tệp").click()
    errors = page.locator("[data-outline-errors]")
    assert "Dòng 32" in errors.inner_text() and "dòng 26" in errors.inner_text()
    assert page.get_by_role("button", name="Xuất bản").is_disabled()
    # Correct the number in the box, check again, publish.
    box = page.get_by_label("Nội dung đề cương")
    box.fill(box.input_value().replace("2. Đổi mới công tác", "3. Đổi mới công tác"))
    page.get_by_role("button", name="Xem lại").click()
    assert page.locator("[data-outline-errors]").count() == 0
    assert page.locator("[data-writable]").count() == 17
    page.get_by_label("Mã phiên bản mới").fill("gnk-tai-len")
    page.get_by_label("Tên phiên bản mới").fill("Đề cương tải lên")
    page.get_by_role("button", name="Xuất bản").click()
    page.wait_for_url(re.compile(r"/quan-tri/outline/outlineversion/\d+/change/$"))
    version = OutlineVersion.objects.get(code="gnk-tai-len")
    assert version.source_text == SEED.read_text(encoding="utf-8")
    assert OutlineNode.objects.filter(version=version).count() == 80
    assert not page.js_errors
