"""What an officer used to Word expects of the editor (issue 14), in Chromium: the toolbar in Vietnamese,
a word and page count that follows the typing, "last saved" after a reload, a first draft from the
outline's guidance, a print preview; and no console error on the admin's pages (the favicon)."""

import re

import pytest
from django.urls import reverse

from reports.models import SectionText
from tests.conftest import build_world
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_the_editor_speaks_vietnamese_counts_words_and_starts_from_the_guidance(live_server, page):
    world = build_world(sections=2)
    report = world.report_a
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:section_edit", args=[report.pk, "p1.II.1"]))
    editor = page.locator(".ProseMirror")
    editor.wait_for()
    titles = page.locator(".prose-menubar button[title]").evaluate_all("bs => bs.map(b => b.title)")
    assert "In đậm" in titles and "Chèn bảng" in titles and "Hoàn tác (Ctrl+Z)" in titles, titles
    assert not {"bold", "italic", "underline", "undo", "redo", "Insert table"} & set(titles), titles

    # A first draft from the guidance (folded on a phone: opened first), one paragraph per point.
    page.locator("details.guidance > summary").click()
    page.get_by_role("button", name="Bắt đầu từ gợi ý").click()
    assert "Gợi ý cho mục 1." in editor.inner_text()
    count = page.locator("#word-count")
    assert re.search(r"^\d+ chữ, khoảng 1 trang A4$", count.inner_text()), count.inner_text()
    editor.click()
    page.keyboard.press("Control+a")
    editor.press_sequentially("Một hai ba bốn năm")
    page.wait_for_function("() => document.getElementById('word-count').textContent.startsWith('5 chữ')")

    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state("load")
    assert SectionText.objects.get(report=report, node__key="p1.II.1").content == "<p>Một hai ba bốn năm</p>"
    # After the reload the page says when the text was last saved.
    assert page.locator("#autosave-status").inner_text().startswith("Lưu lần cuối lúc")

    # The report page counts words; the print preview shows the report as Word prints it.
    page.goto(live_server.url + reverse("reports:report_detail", args=[report.pk]))
    assert "5 chữ, khoảng 1 trang A4" in page.content()
    page.get_by_role("link", name="Xem bản in").click()
    page.wait_for_url(re.compile(r"/ban-in/$"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page.content()
    assert "Một hai ba bốn năm" in page.locator(".print-page").first.inner_text()
    assert page.js_errors == []


def test_admin_pages_raise_no_console_error(live_server, page):
    world = build_world(sections=1)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/"))
    for path in (reverse("admin:index"), reverse("admin:reports_report_changelist")):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    assert page.js_errors == []


def test_the_toolbar_fits_a_phone_before_its_icon_font_arrives(live_server, page):
    """Until the icon font is loaded (a slow connection), each toolbar button shows its icon's name as a
    word ("format_list_bulleted"): the toolbar made the page wider than a 360 px phone."""
    world = build_world(sections=2)
    log_in(page, live_server, world.drafter_a)
    held = []
    page.route(re.compile(r"material-icons.*\.woff2"), lambda route: held.append(route))  # held to the end
    page.goto(
        live_server.url + reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"]),
        wait_until="domcontentloaded",
    )
    page.locator(".prose-menubar .prose-menubar__button").first.wait_for()
    assert held, "the icon font was not asked for"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for route in held:
        route.continue_()
    # Once it is there, no icon is cut.
    page.wait_for_function("() => document.fonts.check('24px \"Material Icons\"')")
    cut = page.locator(".prose-menubar__button.material-icons").evaluate_all(
        "bs => bs.filter(b => b.offsetParent && b.scrollWidth > b.clientWidth).map(b => b.title)"
    )
    assert cut == []
