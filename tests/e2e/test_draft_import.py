"""The draft brought in from Word, in Chromium: the upload, the preview, placing what has no section,
confirming; and pasting Word's lists (or typed bullets) into the editor makes real list items."""

import pytest
from django.urls import reverse

from reports.models import SectionText
from tests.conftest import build_world
from tests.e2e.helpers import log_in
from tests.e2e.test_accessibility import axe_source, serious
from tests.reports.draft_files import Writer

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]

# What Word puts on the clipboard for a bulleted list (trimmed): the bullet in a span it marks
# "mso-list:Ignore", the level in the paragraph's style.
WORD_CLIPBOARD = (
    "<html><body><!--StartFragment-->"
    "<p class=MsoListParagraphCxSpFirst style='text-indent:-18pt;mso-list:l0 level1 lfo1'>"
    "<![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span>&nbsp;&nbsp;&nbsp;</span></span>"
    "<![endif]><b>Đoàn viên</b> tăng</p>"
    "<p class=MsoListParagraphCxSpLast style='text-indent:-18pt;mso-list:l0 level2 lfo1'>"
    "<![if !supportLists]><span style='font-family:\"Courier New\";mso-list:Ignore'>o<span>&nbsp;&nbsp;</span></span>"
    "<![endif]>Nữ chiếm 78%</p>"
    "<!--EndFragment--></body></html>"
)


def _paste(page, *, html=None, text=None):
    page.evaluate(
        """([html, text]) => {
            const data = new DataTransfer();
            if (html) data.setData("text/html", html);
            if (text) data.setData("text/plain", text);
            document.querySelector(".ProseMirror").dispatchEvent(
                new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        [html, text],
    )


def test_pasting_word_lists_and_typed_bullets_makes_list_items(live_server, page):
    world = build_world(sections=2)
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"]))
    editor = page.locator(".ProseMirror")
    editor.wait_for()
    editor.click()
    _paste(page, html=WORD_CLIPBOARD)
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state("load")
    content = SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content
    assert content == "<ul><li><p><strong>Đoàn viên</strong> tăng</p><ul><li><p>Nữ chiếm 78%</p></li></ul></li></ul>"
    # Plain text with typed bullets, in the next section.
    page.goto(live_server.url + reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.2"]))
    editor.wait_for()
    editor.click()
    _paste(page, text="Khó khăn:\n- việc làm\n+ thiếu đơn hàng\n• thu nhập")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state("load")
    content = SectionText.objects.get(report=world.report_a, node__key="p1.II.2").content
    assert content == (
        "<p>Khó khăn:</p><ul><li><p>việc làm</p><ul><li><p>thiếu đơn hàng</p></li></ul></li>"
        "<li><p>thu nhập</p></li></ul>"
    ), content
    assert page.js_errors == []


def test_a_word_file_is_previewed_placed_and_saved(live_server, page, tmp_path):
    world = build_world(sections=3)
    writer = Writer()
    writer.body("", "Kính gửi: Công đoàn cấp trên")
    writer.heading("1. Nội dung số 1", 2)
    writer.body("p1.II.1", "Đoàn viên tăng", bold_word=True)
    writer.heading("3. Noi dung so 3", 2)
    writer.body("p1.II.3")
    path = tmp_path / "ban-thao.docx"
    path.write_bytes(writer.build().data)
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:report_detail", args=[world.report_a.pk]))
    page.get_by_role("link", name="Nhập từ tệp Word").click()
    page.get_by_label("Tệp Word (.docx) bản thảo báo cáo").set_input_files(str(path))
    page.get_by_role("button", name="Đọc tệp").click()
    page.get_by_role("heading", name="Chưa xếp mục").wait_for()
    assert "Kính gửi: Công đoàn cấp trên" in page.content()
    assert serious(page, axe_source()) == []
    assert not SectionText.objects.filter(report=world.report_a).exists()
    # The greeting goes nowhere: left out, explicitly.
    page.get_by_label("Phần này vào mục").first.select_option(label="Bỏ phần này")
    page.get_by_role("button", name="Xác nhận và lưu").click()
    page.wait_for_url(live_server.url + reverse("reports:report_detail", args=[world.report_a.pk]))
    texts = dict(SectionText.objects.filter(report=world.report_a).values_list("node__key", "content"))
    assert set(texts) == {"p1.II.1", "p1.II.3"}
    assert "<strong> tăng mạnh</strong>" in texts["p1.II.1"] and "Kính gửi" not in "".join(texts.values())
    assert page.js_errors == []
