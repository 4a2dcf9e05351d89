"""The history and the changes between submissions say what happened in plain words (issue 14): a status
row reads "Trạng thái" once, an answer to a return is not shown struck through as if deleted, sections
carry their section's numeral, and paragraphs stay apart in a diff."""

import pytest
from django.urls import reverse

from reports import review
from reports.diff import word_diff
from reports.models import ReturnItem
from reports.services import report_submit, section_save
from tests.reports.test_review import submitted
from tests.reports.test_services import writable

pytestmark = pytest.mark.django_db


def test_a_diff_keeps_paragraphs_apart():
    diff = word_diff(
        "<p>Một hai</p><p>Ba bốn</p><ul><li>năm</li></ul>", "<p>Một hai</p><p>Ba sáu</p><ul><li>năm</li></ul>"
    )
    assert diff.html == "Một hai\nBa <del>bốn</del><ins>sáu</ins>\nnăm"
    assert (diff.added, diff.removed) == (1, 1)


def test_history_reads_in_plain_words(client, world):
    report = submitted(world)
    node = writable(report)[1]
    review.report_return(
        report=report, note="Bổ sung", items=[(node.key, "Thêm số liệu đoàn viên")], due=None, actor=world.reviewer
    )
    item = ReturnItem.objects.get(request__report=report)
    review.return_item_answer(item=item, answer="Đã thêm số liệu", done=True, actor=world.drafter_a)
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:report_history", args=[report.pk])).content.decode()
    assert "Trạng thái: Trạng thái" not in html
    assert "Trạng thái</td>" in html
    assert f"Trả lời yêu cầu sửa: II.{node.number}. {node.text}" in html
    assert "Lý do: Thêm số liệu đoàn viên" in html and "Trả lời: Đã thêm số liệu ✓" in html
    assert "<del>Thêm số liệu đoàn viên</del>" not in html


def test_the_changes_page_numbers_sections_with_their_section(client, world):
    report = submitted(world)
    node = writable(report)[0]
    review.report_return(report=report, note="Sửa", items=[], due=None, actor=world.reviewer)
    section_save(
        report=report, node=node, base_version=1, is_done=True, actor=world.drafter_a, content="<p>Mới</p><p>Hai</p>"
    )
    report_submit(report=report, actor=world.drafter_a)
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_diff", args=[report.pk])).content.decode()
    assert f"II.{node.number}. {node.text}" in html
    assert "<ins>Mới<br>Hai</ins>" in html  # two paragraphs, two lines
