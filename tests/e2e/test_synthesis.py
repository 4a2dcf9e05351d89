"""A superior union writes its own section from its units': finds a passage accent-free in the synthesis
panel, quotes it into the draft in one click, and the unit's name comes with it and is saved."""

import re

import pytest
from django.urls import reverse

from outline.models import OutlineNode
from reports.models import Report, ReportStatus, SectionText
from reports.services import passage_mark, section_save
from tests.conftest import build_world
from tests.e2e.helpers import log_in
from tests.units.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]
KEY = "p1.II.1"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_passage_is_quoted_into_the_draft_with_its_unit(live_server, browser, width):
    world = build_world(sections=2)
    node = OutlineNode.objects.get(version=world.round.outline_version, key=KEY)
    for report, user, html in (
        (world.report_a, world.drafter_a, "<p>Đoạn mở đầu.</p><p>Mô hình “Bữa cơm công đoàn” được nhân rộng.</p>"),
        (world.report_b, world.drafter_b, "<p>Thương lượng tập thể được ký lại.</p>"),
    ):
        section_save(report=report, node=node, content=html, base_version=0, is_done=True, actor=user)
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    passage_mark(report=world.report_a, node_key=KEY, paragraph=2, kind="typical", actor=world.reviewer)
    own = Report.objects.get(round=world.round, unit=world.superior)
    writer = MembershipFactory(unit=world.superior, role="drafter").user

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, live_server, writer)
        page.goto(live_server.url + reverse("reports:section_edit", args=[own.pk, KEY]))
        page.locator(".ProseMirror").wait_for()
        panel = page.locator("#unit-texts")
        if width < 992:
            # On a phone the panel waits, closed, above the editor.
            assert panel.get_attribute("open") is None
            panel.locator("summary").click()
        assert panel.get_attribute("open") is not None
        # The marked passage comes first, with its mark and who made it.
        first = panel.locator("article.synthesis-text").first
        assert "Công đoàn cơ sở Công ty May Á" in first.inner_text()
        assert "Điển hình" in first.inner_text()

        # Accent-free search, without reloading the page (what is typed in the editor stays).
        page.get_by_label("Tìm trong bài của các đơn vị").fill("bua com cong doan")
        panel.get_by_role("button", name="Tìm").click()
        panel.locator("p", has_text="1 bài của đơn vị").wait_for()
        assert "Thương lượng tập thể" not in panel.inner_text()

        editor = page.locator(".ProseMirror")
        editor.click()
        editor.press_sequentially("Đánh giá chung.")
        # The marked paragraph's own button.
        panel.locator(".passage-marked").get_by_role("button", name="Trích dẫn vào bài").click()
        quoted = "“Mô hình “Bữa cơm công đoàn” được nhân rộng.” (CĐCS Công ty May Á)"
        assert quoted in editor.inner_text()
        assert editor.locator("em", has_text="(CĐCS Công ty May Á)").count() == 1
        page.locator("#autosave-status").filter(has_text="Đã lưu lúc").wait_for()
        stored = SectionText.objects.get(report=own, node=node).content
        assert "<em>(CĐCS Công ty May Á)</em>" in stored and "Đánh giá chung." in stored
        # The count sentences are there to insert as well.
        assert page.locator("#unit-counts").get_by_text("CĐCS trực thuộc đã nộp báo cáo").count() == 1
        page.reload()
        assert re.search(r"\(CĐCS Công ty May Á\)", page.locator(".ProseMirror").inner_text())
        assert errors == []
    finally:
        context.close()
