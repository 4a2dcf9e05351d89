"""Finding 6: what a user sees on bad input is Vietnamese and specific, and nothing typed is lost."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import Comment, ExtensionRequest, IndicatorNote, IndicatorValue, Report, ReturnItem, ReturnRequest
from tests.hardening.helpers import submit, writable_nodes
from tests.indicators.factories import make_catalogue

pytestmark = pytest.mark.django_db
NUL = "\x00"


def test_a_nul_in_a_return_reason_is_dropped_not_shown_in_english(client, world):
    submit(world.report_a, world.drafter_a)
    node = writable_nodes(world.report_a)[0]
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reports:report_return", args=[world.report_a.pk]),
        {"note": f"Bổ sung{NUL} số liệu", f"tick_{node.key}": "on", f"reason_{node.key}": f"Thiếu{NUL} số"},
    )
    assert "Null characters" not in response.content.decode()
    assert ReturnRequest.objects.get(report=world.report_a).note == "Bổ sung số liệu"
    assert ReturnItem.objects.get(request__report=world.report_a).reason == "Thiếu số"


def test_a_nul_in_an_answer_is_dropped(client, world):
    from reports import review

    submit(world.report_a, world.drafter_a)
    node = writable_nodes(world.report_a)[0]
    review.report_return(
        report=Report.objects.get(pk=world.report_a.pk),
        note="Sửa",
        items=[(node.key, "Thêm số liệu")],
        due=None,
        actor=world.reviewer,
    )
    item = ReturnItem.objects.get(request__report=world.report_a)
    client.force_login(world.drafter_a)
    response = client.post(
        reverse("reports:return_answer", args=[world.report_a.pk, item.pk]), {"answer": f"Đã{NUL} bổ sung"}, follow=True
    )
    assert "Null characters" not in response.content.decode()
    item.refresh_from_db()
    assert item.answer == "Đã bổ sung"


def test_a_nul_in_an_extension_request_is_dropped(client, world):
    client.force_login(world.drafter_a)
    response = client.post(
        reverse("reports:extension_request", args=[world.report_a.pk]), {"reason": f"Ốm{NUL} đau"}, follow=True
    )
    assert "Null characters" not in response.content.decode()
    assert ExtensionRequest.objects.get(report=world.report_a).reason == "Ốm đau"


def test_a_nul_in_a_comment_is_dropped_and_a_long_comment_is_told_so(client, world):
    submit(world.report_a, world.drafter_a)
    node = writable_nodes(world.report_a)[0]
    client.force_login(world.reviewer)
    url = reverse("reports:comment_post", args=[world.report_a.pk])
    client.post(url, {"body": f"Rõ{NUL} hơn", "anchor": f"section:{node.key}", "visibility": "unit"})
    assert Comment.objects.get(report=world.report_a).body == "Rõ hơn"
    response = client.post(url, {"body": "x" * 5001, "anchor": f"section:{node.key}"}, follow=True)
    page = response.content.decode()
    assert "empty or too long" not in page and "rỗng hoặc quá dài" not in page
    assert "5.000" in page  # the limit, said as a number the reader can act on
    assert Comment.objects.filter(report=world.report_a).count() == 1


def test_a_long_note_is_told_by_its_length_and_kept(client, world):
    cat = make_catalogue(world.round.outline_version)
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    indicator = cat["DV"]
    long_note = "Ghi chú rất dài. " * 150  # 2.550 characters
    data = {"version": 0, f"note-{indicator.pk}": long_note, f"v-{indicator.pk}-target": "1.200"}
    response = client.post(url, data, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200, response.content
    message = response.json()["errors"][f"note-{indicator.pk}"]
    assert "2.000" in message and "tải lại" not in message
    assert IndicatorValue.objects.filter(report=world.report_a, indicator=indicator).exists()
    assert not IndicatorNote.objects.filter(report=world.report_a).exists()
    data["version"] = response.json()["version"]
    page = client.post(url, data).content.decode()
    assert long_note.strip()[:200] in page  # the box still holds what was typed
    assert "2.000" in page


def test_the_csrf_failure_page_is_vietnamese(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Forbidden" not in page and "CSRF verification failed" not in page
    assert "tải lại trang" in page


def test_recipients_have_a_length_limit(client, world):
    client.force_login(world.drafter_a)
    response = client.post(
        reverse("reports:document_info", args=[world.report_a.pk]),
        {
            "doc_number": "1/BC",
            "place": "Bình An",
            "signer_name": "Lan",
            "signer_title": "Chủ tịch",
            "recipients": "x" * 10_000,
        },
    )
    assert response.status_code == 200
    assert "recipients" in response.context["form"].errors
    world.report_a.refresh_from_db()
    assert world.report_a.recipients == ""
    assert "x" * 5000 in response.content.decode()  # what was typed is still in the box
