import re

import pytest
from django.urls import reverse

from reports.models import Report
from tests.conftest import build_world
from units.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_merges_two_units_choosing_them_by_typing(live_server, page):
    """The merge page in a real browser: the unit boxes search as you type (no list of a province's
    units), the confirmation says what will happen, and the old report is read under the new unit."""
    world = build_world(sections=2)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("admin:units_unit_merge"))
    for box, term, name in (
        ("sources", "May", world.unit_a.name),
        ("sources", "Bình", world.unit_b.name),
        ("parent", "KCN", world.superior.name),
    ):
        page.locator(f"#id_{box} + .select2 .select2-selection").click()
        page.keyboard.type(term)
        page.locator(".select2-results__option", has_text=name).click()
    page.get_by_label("Mã đơn vị mới").fill("CDCS-AB")
    page.get_by_label("Tên đơn vị mới").fill("Công đoàn cơ sở Công ty Á Bình")
    page.get_by_label("Loại").fill("CĐCS")
    page.get_by_label("Là CĐCS").check()
    page.get_by_role("button", name="Tiếp tục").click()
    assert "ngừng hoạt động và được hợp nhất vào" in page.locator("#confirm-text").inner_text()
    page.get_by_role("button", name="Đồng ý, thực hiện").click()
    page.wait_for_url(re.compile(r"/quan-tri/units/unit/$"))
    assert "Đã hợp nhất vào Công đoàn cơ sở Công ty Á Bình" in page.content()
    successor = Unit.objects.get(code="CDCS-AB")
    assert set(successor.predecessors.values_list("pk", flat=True)) == {world.unit_a.pk, world.unit_b.pk}
    own = Report.objects.get(round=world.round, unit=successor)
    page.goto(live_server.url + reverse("reports:report_detail", args=[own.pk]))
    page.locator("#predecessors").get_by_role("link", name=world.unit_a.name).click()
    assert "Đã hợp nhất vào Công đoàn cơ sở Công ty Á Bình" in page.locator("#merged-into").inner_text()
    assert not page.js_errors, page.js_errors
