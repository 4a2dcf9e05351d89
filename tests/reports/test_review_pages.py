"""Reviewing pages say what is wrong where it is seen (issue 14): a return sent back with errors opens
with a summary at the top linking to each field; the Nộp page lists the unanswered points of a return
before anything is pressed."""

import pytest
from django.urls import reverse

from reports import review
from tests.reports.test_review import submitted
from tests.reports.test_services import writable

pytestmark = pytest.mark.django_db


def test_a_return_with_errors_opens_with_a_summary_linking_to_each_field(client, world):
    report = submitted(world)
    node = writable(report)[1]
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {"note": "", f"tick_{node.key}": "on", f"reason_{node.key}": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))]
    assert html.index("data-error-summary") < html.index("return-item")  # above the fields
    assert f'href="#id_reason_{node.key}"' in summary
    assert f"II.{node.number}. {node.text}: Nêu rõ cần sửa gì" in summary
    assert 'href="#id_note"' in summary and "Hãy viết nhận xét chung gửi đơn vị" in summary


def test_the_submit_page_lists_unanswered_points_before_the_click(client, world):
    report = submitted(world)
    node = writable(report)[0]
    review.report_return(report=report, note="Sửa", items=[(node.key, "Thêm số liệu")], due=None, actor=world.reviewer)
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:report_submit", args=[report.pk])).content.decode()
    assert "Còn nội dung cấp trên yêu cầu sửa chưa được trả lời" in html
    assert f"II.{node.number}. {node.text}</a>: Thêm số liệu" in html
    assert 'type="submit"' not in html.split("<h1", 1)[1]  # no button to press yet
