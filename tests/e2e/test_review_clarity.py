"""Reviewing and resubmitting say what is wrong where the eye is (issue 14), in Chromium: a return sent
with a ticked section and no reason opens at the top with a summary, its first error focused, each link
leading to its field; the Nộp page lists the unanswered points before anything is pressed; the history
reads "Trạng thái" once and shows an answer as an answer; the appendix tells which rows add the years up
and, at 1366 px, its Ghi chú column can be reached."""

import re

import pytest
from django.urls import reverse

from reports import review
from reports.models import ReturnItem
from reports.services import report_submit
from tests.conftest import build_world
from tests.e2e.helpers import log_in
from tests.indicators.factories import make_catalogue
from tests.reports.test_review import write_all

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_returning_and_resubmitting_say_what_is_wrong_up_front(live_server, browser):
    world = build_world(sections=2)
    report = world.report_a
    write_all(world, report, world.drafter_a)
    report_submit(report=report, actor=world.drafter_a)

    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server, world.reviewer)
    page.goto(live_server.url + reverse("reports:report_return", args=[report.pk]))
    page.locator("input[type=checkbox]").nth(1).check()
    page.get_by_role("button", name="Trả lại", exact=True).click()
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible() and summary.bounding_box()["y"] < 400  # at the top, in view
    assert "Nêu rõ cần sửa gì ở mục này." in summary.inner_text()
    focused = page.evaluate("() => document.activeElement.closest('[data-error-summary]') !== null")
    assert focused, "the summary's first error has the focus"
    summary.get_by_role("link").filter(has_text="Nêu rõ").click()
    assert page.evaluate("() => document.activeElement.name") == "reason_p1.II.2"
    page.keyboard.type("Thêm số liệu")
    page.get_by_label(re.compile("Nhận xét chung")).fill("Bổ sung")
    page.get_by_role("button", name="Trả lại", exact=True).click()
    page.wait_for_url(re.compile(r"/doc/$"))
    context.clear_cookies()

    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:report_submit", args=[report.pk]))
    warning = page.get_by_role("alert").filter(has_text="chưa được trả lời")
    assert "Thêm số liệu" in warning.inner_text()
    assert page.get_by_role("button", name="Nộp báo cáo").count() == 0

    item = ReturnItem.objects.get(request__report=report)
    review.return_item_answer(item=item, answer="Đã bổ sung", done=True, actor=world.drafter_a)
    page.goto(live_server.url + reverse("reports:report_history", args=[report.pk]))
    text = page.locator("main").inner_text()
    assert "Trạng thái: Trạng thái" not in text
    assert "Lý do: Thêm số liệu" in text and "Trả lời: Đã bổ sung" in text
    assert page.locator("del", has_text="Thêm số liệu").count() == 0
    context.close()


def test_the_appendix_note_column_is_reachable_at_1366_px(live_server, browser):
    world = build_world(sections=2)
    make_catalogue(world.round.outline_version)
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:appendix_edit", args=[world.report_a.pk]))
    note = page.locator("td.note-cell input").first
    note.scroll_into_view_if_needed()
    box = note.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366, box
    # The note is saved by the page itself: wait for its answer, so that no save is still being written
    # when the test's database is emptied (a deadlock of the two, seen once in CI).
    with page.expect_response(lambda response: response.request.method == "POST"):
        note.fill("Số liệu đến 30/6")
    # Rows whose years add up say so under their name.
    assert page.get_by_text(re.compile("các năm được cộng dồn")).count() >= 1
    labels = page.locator("table.appendix-grid input[aria-label]").evaluate_all("els => els.map(e => e.ariaLabel)")
    assert labels and not [x for x in labels if re.search(r"— (target|start|prev)$", x)], labels[:5]
    context.close()
