"""Finding 3: what a submitted or approved report prints is locked with the rest of it."""

import pytest
from django.urls import reverse

from reports import review
from reports.models import Report
from reports.services import ReportLocked, report_update_document_info
from tests.hardening.helpers import submit

pytestmark = pytest.mark.django_db

NEW = {
    "doc_number": "99/BC-GIA",
    "place": "Hà Nội",
    "signer_name": "Người Khác",
    "signer_title": "Phó Chủ tịch",
    "recipients": "Ai đó",
}


def details(report):
    report.refresh_from_db()
    return {field: getattr(report, field) for field in NEW}


@pytest.mark.parametrize("approved", [False, True], ids=["submitted", "approved"])
def test_the_drafter_cannot_change_document_details_after_submission(client, world, approved):
    report = world.report_a
    Report.objects.filter(pk=report.pk).update(doc_number="15/BC-CĐCS", signer_name="Nguyễn Thị Lan")
    submit(report, world.drafter_a)
    if approved:
        review.report_approve(report=Report.objects.get(pk=report.pk), actor=world.reviewer)
    before = details(report)
    client.force_login(world.drafter_a)
    response = client.post(reverse("reports:document_info", args=[report.pk]), NEW)
    assert details(report) == before
    page = response.content.decode() if response.status_code == 200 else client.get(response.url).content.decode()
    assert "không thể sửa" in page or "đã được duyệt" in page or "đã nộp" in page
    with pytest.raises(ReportLocked):
        report_update_document_info(report=report, data=NEW, actor=world.drafter_a)
    assert details(report) == before


def test_the_page_shows_the_details_read_only_once_submitted(client, world):
    submit(world.report_a, world.drafter_a)
    client.force_login(world.drafter_a)
    page = client.get(reverse("reports:document_info", args=[world.report_a.pk])).content.decode()
    assert 'name="doc_number"' not in page
