"""Faults seen on a walk through the drafting and review pages, each with what the user now sees."""

import re

import pytest
from django.urls import reverse

from reports.models import ReturnRequest
from tests.reports.test_review import submitted
from tests.reports.test_services import writable

pytestmark = pytest.mark.django_db


def test_every_detail_needed_to_submit_carries_the_star(client, world):
    client.force_login(world.drafter_a)
    page = client.get(reverse("reports:document_info", args=[world.report_a.pk])).content.decode()
    starred = {
        name
        for name in ("doc_number", "place", "signer_name", "signer_title", "signing_authority", "recipients")
        if re.search(rf'<label\s+for="id_{name}"[^>]*>\s*[^<]*<span class="asteriskField">\*</span>', page)
    }
    assert starred == {"doc_number", "place", "signer_name", "signer_title"}
    assert "Các ô có dấu * cần điền trước khi nộp báo cáo" in page
    # The star says "needed to submit": the details still save while the number is awaited.
    response = client.post(
        reverse("reports:document_info", args=[world.report_a.pk]),
        {"doc_number": "", "place": "Bình An", "signer_name": "", "signer_title": "CHỦ TỊCH"},
    )
    assert response.status_code == 302


def test_a_return_without_its_note_says_what_to_write_and_keeps_what_was_typed(client, world):
    report = submitted(world)
    node = writable(report)[0]
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {"note": "  ", f"tick_{node.key}": "on", f"reason_{node.key}": "Thiếu số liệu năm 2024", "due": "31/02/2026"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not ReturnRequest.objects.exists()
    assert (
        "Hãy viết nhận xét chung gửi đơn vị: đơn vị đọc nhận xét này đầu tiên, cùng các mục cần sửa, trước khi "
        "nộp lại." in page
    )
    assert "Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 15/08/2026, hoặc để trống." in page
    assert "Thiếu số liệu năm 2024" in page and f'id="id_tick_{node.key}" checked' in page
    assert 'value="31/02/2026"' in page
    assert "Trường này là bắt buộc" not in page


def test_a_required_field_is_marked_once_by_its_star(client, world):
    """The return and withdraw-approval forms said "(bắt buộc)" and put the star after it as well."""
    from reports import review

    report = submitted(world)
    client.force_login(world.reviewer)
    returning = client.get(reverse("reports:report_return", args=[report.pk])).content.decode()
    assert re.search(r"Nhận xét chung gửi đơn vị\s*<span class=\"asteriskField\">\*</span>", returning)
    review.report_approve(report=report, actor=world.reviewer)
    reading = client.get(reverse("reports:report_unapprove", args=[report.pk])).content.decode()
    assert re.search(r"Lý do\s*<span class=\"asteriskField\">\*</span>", reading)
    assert "(bắt buộc)" not in returning + reading
