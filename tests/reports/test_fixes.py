"""What a first user test found: false conflicts after a reload, dropped return reasons, history
showing codes, the editor's own words in English."""

import json

import pytest
from django.urls import reverse

from outline.models import OutlineNode
from reports import review
from reports.forms import cell_name
from reports.models import Appendix, AuditEntry, ReturnItem, SectionText
from reports.services import appendix_save, section_save
from tests.indicators.factories import make_catalogue
from tests.reports.test_review import submitted

pytestmark = pytest.mark.django_db


def test_text_put_back_after_reload_is_no_conflict(client, world):
    """The page closed with unsaved text; it was saved on the way out (version 1) while the reload
    still showed version 0 and put the kept text back. Saving on must not be called a conflict."""
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1")
    kept = "<p>Đoạn gõ trước khi tải lại</p>"
    section_save(report=world.report_a, node=node, base_version=0, is_done=False, actor=world.drafter_a, content=kept)
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    response = client.post(
        url, {"content": kept + "<p>và gõ tiếp</p>", "version": 0, "base_content": kept}, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert SectionText.objects.get(report=world.report_a, node=node).content.endswith("<p>và gõ tiếp</p>")
    # Someone else's text in between is still a conflict.
    section_save(
        report=world.report_a,
        node=node,
        base_version=2,
        is_done=False,
        actor=world.drafter_b,
        content="<p>Bản của người khác</p>",
    )
    response = client.post(
        url, {"content": "<p>Của tôi</p>", "version": 2, "base_content": kept}, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 409
    assert SectionText.objects.get(report=world.report_a, node=node).content == "<p>Bản của người khác</p>"


def test_an_appendix_save_that_changes_nothing_keeps_the_version(client, world):
    cat = make_catalogue(world.round.outline_version)
    appendix_save(
        report=world.report_a, cells={(cat["DV"].pk, "2020"): "100"}, notes={}, base_version=0, actor=world.drafter_a
    )
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    response = client.post(url, {"version": 1, cell_name(cat["DV"].pk, "2020"): "100"}, headers={"X-Autosave": "1"})
    assert response.json()["version"] == 1
    assert Appendix.objects.get(report=world.report_a).version == 1
    response = client.post(url, {"version": 1, cell_name(cat["DV"].pk, "2020"): "1.100"}, headers={"X-Autosave": "1"})
    assert response.json()["version"] == 2


def test_a_reason_typed_without_the_tick_is_kept(client, world):
    report = submitted(world)
    client.force_login(world.reviewer)
    client.post(
        reverse("reports:report_return", args=[report.pk]),
        {
            "note": "Cần bổ sung",
            "reason_p1.II.4": "Thiếu số liệu đoàn viên mới",
        },
    )
    assert list(ReturnItem.objects.values_list("node_key", "reason")) == [("p1.II.4", "Thiếu số liệu đoàn viên mới")]


def test_history_names_what_changed(client, world):
    cat = make_catalogue(world.round.outline_version)
    appendix_save(
        report=world.report_a, cells={(cat["DV"].pk, "prev"): "80"}, notes={}, base_version=0, actor=world.drafter_a
    )
    report = submitted(world)
    review.comment_add(
        report=report, anchor="indicator:DV", body="Kiểm tra lại", visibility="unit", actor=world.reviewer
    )
    assert AuditEntry.objects.filter(target="DV:prev").exists()
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_history", args=[report.pk])).content.decode()
    assert "Tổng số đoàn viên công đoàn (Cùng kỳ nhiệm kỳ trước)" in html
    assert "DV:prev" not in html and "indicator:DV" not in html and ": status<" not in html
    assert "Trạng thái" in html


def test_the_editor_speaks_vietnamese(client, world):
    client.force_login(world.drafter_a)
    script = client.get(reverse("javascript-catalog")).content.decode()
    catalog = json.loads(script.split("const newcatalog = ")[1].split(";\n")[0])
    assert catalog["Insert Table"] == "Chèn bảng" and catalog["Cancel"] == "Hủy"
    html = client.get(reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])).content.decode()
    assert html.index(reverse("javascript-catalog")) < html.index("django_prose_editor/editor.js")


def test_lists_name_items_with_their_section_numeral(client, world):
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:report_submit", args=[world.report_a.pk])).content.decode()
    assert "II.1. Nội dung số 1" in html and "II.5. Nội dung số 5" in html
