import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.forms import cell_name
from reports.models import IndicatorValue, SectionText
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_drafter_fills_the_appendix_on_a_phone_and_quotes_a_figure(live_server, page):
    world = build_world(sections=2)
    cat = make_catalogue(world.round.outline_version)
    report = world.report_a
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(world.drafter_a.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))

    page.get_by_role("link", name="Nhập số liệu").click()
    page.wait_for_url(re.compile(r"/phu-luc/$"))
    # Phone width: each indicator is a card; type Vietnamese-style numbers.
    for column, text in (("target", "1.200"), ("start", "1.000"), ("2020", "1.250")):
        page.locator(f"input[name='{cell_name(cat['DV'].pk, column)}']").fill(text)
    page.locator(f"input[name='{cell_name(cat['CNVCLD'].pk, '2020')}']").fill("2.000")
    page.locator(f"input[name='{cell_name(cat['NU'].pk, '2020')}']").fill("2.500")
    page.locator("#autosave-status").filter(has_text="Đã lưu lúc").wait_for()
    # The server's computed values and the refused cell show up without reloading.
    assert page.locator(f"[data-out='{cat['DV'].pk}:pct']").inner_text() == "104,2%"
    assert page.locator(f"[data-out='{cat['TL_DV'].pk}:2020']").inner_text() == "62,5"
    assert "Lớn hơn" in page.locator(f"[data-error='{cell_name(cat['NU'].pk, '2020')}']").inner_text()
    # The charts are drawn by the server from what is saved.
    page.reload()
    assert page.locator("svg.chart").count() == 2
    assert "104,2%" in page.locator("svg.chart").first.inner_html()
    assert IndicatorValue.objects.get(report=report, indicator=cat["DV"], column="2020").value == Decimal(1250)
    assert not IndicatorValue.objects.filter(report=report, indicator=cat["NU"]).exists()

    page.goto(live_server.url + reverse("reports:section_edit", args=[report.pk, "p1.II.1"]))
    page.locator(".figures summary").scroll_into_view_if_needed()
    page.locator(".ProseMirror").click()
    button = page.locator("[data-insert-sentence*='tổng số đoàn viên công đoàn']")
    button.click()
    page.locator("#autosave-status").filter(has_text="Đã lưu lúc").wait_for()
    content = SectionText.objects.get(report=report, node__key="p1.II.1").content
    assert "tổng số đoàn viên công đoàn là 1.250 người, tăng 25% so với đầu nhiệm kỳ" in content
    assert page.js_errors == [], page.js_errors
