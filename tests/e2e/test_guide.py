"""The user guide (Hướng dẫn sử dụng, issue 14): reachable from every page, its pictures present and shown
at 1366 and 390 px. With GUIDE_PICTURES=1 the test first takes the pictures again from the demo site
(`seed_demo`), as each role sees it:

    GUIDE_PICTURES=1 make test PYTEST_ARGS="tests/e2e/test_guide.py"
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from reports.models import Report, ReportStatus

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]

PICTURES = Path(settings.BASE_DIR) / "static" / "guide"
GUIDE = Path(settings.BASE_DIR) / "templates" / "guide.html"


def log_in(page, live_server, username, password):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/"))


def take_pictures(browser, live_server):
    call_command("seed_demo", verbosity=0)
    context = browser.new_context(viewport={"width": 1366, "height": 820}, locale="vi-VN")
    page = context.new_page()

    def shot(name, path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(PICTURES / name))

    mine = Report.objects.get(round__code="GNK-2018-2023", unit__code="CDCS-MHB")
    submitted = Report.objects.filter(round=mine.round, status=ReportStatus.SUBMITTED).first()
    superior = Report.objects.get(round=mine.round, unit__code="CDKCN-BA")
    log_in(page, live_server, "canbo", "canbo-demo-2026")
    shot("1-bao-cao.png", reverse("reports:report_detail", args=[mine.pk]))
    shot("2-soan-muc.png", reverse("reports:section_edit", args=[mine.pk, "p1.I.1"]))
    shot("3-phu-luc.png", reverse("reports:appendix_edit", args=[mine.pk]))
    shot("4-nop.png", reverse("reports:report_submit", args=[mine.pk]))
    context.clear_cookies()
    log_in(page, live_server, "captren", "captren-demo-2026")
    shot("5-theo-doi.png", reverse("reports:dashboard", args=[mine.round.code]))
    shot("6-tra-lai.png", reverse("reports:report_return", args=[submitted.pk]))
    context.clear_cookies()
    log_in(page, live_server, "quantri", "quantri-demo-2026")
    shot("7-xuat-tong-hop.png", reverse("reports:report_detail", args=[superior.pk]))
    shot("8-quan-tri.png", reverse("admin:index"))
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_guide_is_reachable_from_every_page_with_its_pictures(live_server, browser, width):
    if os.environ.get("GUIDE_PICTURES") == "1" and width == 1366:
        take_pictures(browser, live_server)
    named = re.findall(r"static 'guide/([^']+)'", GUIDE.read_text())
    assert len(named) == 8 and all((PICTURES / name).is_file() for name in named), named

    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))  # from the log-in page, before anyone signs in
    page.get_by_role("link", name="Hướng dẫn sử dụng").click()
    page.wait_for_url(re.compile(r"/huong-dan/$"))
    assert page.get_by_role("heading", name="Hướng dẫn sử dụng").is_visible()
    images = page.locator("main img")
    assert images.count() == len(named)
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") > 300, image.get_attribute("src")
        assert image.get_attribute("alt")
    context.close()
