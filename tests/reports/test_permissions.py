"""Every review endpoint for every role: anonymous, the unit's drafter, another unit's drafter,
a reviewer above, a reviewer elsewhere, the admin. Nothing crosses units."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import review
from reports.models import Comment, ExtensionRequest, Notification, Report, ReportStatus, ReturnItem, Round
from reports.models import Visibility as V
from tests.reports.test_review import submitted
from tests.reports.test_views import ROLES, login

pytestmark = pytest.mark.django_db
NOT_FOUND_OUTSIDE = {"anonymous": 302, "drafter_b": 404, "reviewer_elsewhere": 404}


@pytest.mark.parametrize("role", ROLES)
def test_comment_endpoints(client, world, role):
    report = submitted(world)
    thread = review.comment_add(
        report=report, anchor="section:p1.II.1", body="Góp ý", visibility=V.UNIT, actor=world.reviewer
    )
    login(client, world, role)
    url = reverse("reports:comment_post", args=[report.pk])
    new = client.post(url, {"anchor": "section:p1.II.1", "body": "Mới", "visibility": "internal"})
    assert new.status_code == {**NOT_FOUND_OUTSIDE, "drafter_a": 403}.get(role, 302)
    assert Comment.objects.filter(body="Mới").exists() == (role in ("reviewer", "admin"))
    reply = client.post(url, {"anchor": "x", "body": "Trả lời", "parent": thread.pk})
    assert reply.status_code == NOT_FOUND_OUTSIDE.get(role, 302)
    assert Comment.objects.filter(body="Trả lời", parent=thread).exists() == (
        role in ("drafter_a", "reviewer", "admin")
    )
    resolve = client.post(reverse("reports:comment_resolve", args=[report.pk, thread.pk]), {"resolved": "1"})
    assert resolve.status_code == NOT_FOUND_OUTSIDE.get(role, 302)
    thread.refresh_from_db()
    assert (thread.resolved_at is not None) == (role in ("drafter_a", "reviewer", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_return_answer_and_unapprove_endpoints(client, world, role):
    report = submitted(world)
    review.report_return(report=report, note="Sửa", items=[("p1.II.1", "Thêm số liệu")], due=None, actor=world.reviewer)
    item = ReturnItem.objects.get()
    login(client, world, role)
    response = client.post(reverse("reports:return_answer", args=[report.pk, item.pk]), {"answer": "Đã sửa"})
    assert response.status_code == {**NOT_FOUND_OUTSIDE, "reviewer": 403, "admin": 403}.get(role, 302)
    item.refresh_from_db()
    assert (item.answer == "Đã sửa") == (role == "drafter_a")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.APPROVED)
    page = client.get(reverse("reports:report_unapprove", args=[report.pk]))
    assert page.status_code == {**NOT_FOUND_OUTSIDE, "drafter_a": 403}.get(role, 200)
    response = client.post(reverse("reports:report_unapprove", args=[report.pk]), {"reason": "Nhầm"})
    assert response.status_code == {**NOT_FOUND_OUTSIDE, "drafter_a": 403}.get(role, 302)
    assert Report.objects.get(pk=report.pk).status == (
        ReportStatus.SUBMITTED if role in ("reviewer", "admin") else ReportStatus.APPROVED
    )


@pytest.mark.parametrize("role", ROLES)
def test_extension_endpoints(client, world, role):
    Round.objects.filter(pk=world.round.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    report = Report.objects.get(pk=world.report_a.pk)
    login(client, world, role)
    page = client.get(reverse("reports:extension_request", args=[report.pk]))
    assert page.status_code == {**NOT_FOUND_OUTSIDE, "reviewer": 403, "admin": 403}.get(role, 200)
    client.post(reverse("reports:extension_request", args=[report.pk]), {"reason": "Ốm"})
    assert ExtensionRequest.objects.filter(report=report).exists() == (role == "drafter_a")
    pending = (
        review.extension_request(report=report, reason="Bận", actor=world.drafter_a)
        if (role != "drafter_a")
        else ExtensionRequest.objects.get(report=report)
    )
    until = (timezone.localdate() + datetime.timedelta(days=5)).strftime("%d/%m/%Y")
    response = client.post(
        reverse("reports:extension_decide", args=[report.pk]),
        {"request": pending.pk, "decision": "grant", "until": until},
    )
    assert response.status_code == {**NOT_FOUND_OUTSIDE, "drafter_a": 403}.get(role, 302)
    pending.refresh_from_db()
    assert (pending.status == "granted") == (role in ("reviewer", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_and_notifications(client, world, role):
    from reports.notify import notify

    submitted(world)
    notify([world.drafter_b], report=world.report_b, kind="deadline", message="Riêng cho đơn vị B")
    login(client, world, role)
    dashboard = client.get(reverse("reports:dashboard", args=[world.round.code]))
    assert dashboard.status_code == {"anonymous": 302, "drafter_a": 403, "drafter_b": 403}.get(role, 200)
    if role == "reviewer_elsewhere":
        assert world.unit_a.name not in dashboard.content.decode()
    notifications = client.get(reverse("reports:notification_list"))
    assert notifications.status_code == (302 if role == "anonymous" else 200)
    if role != "anonymous":
        user = world.users()[role]
        html = notifications.content.decode()
        mine = set(Notification.objects.filter(user=user).values_list("message", flat=True))
        theirs = set(Notification.objects.exclude(user=user).values_list("message", flat=True)) - mine
        assert theirs, "someone else has a notification this user must not see"
        assert all(message in html for message in mine)
        assert not any(message in html for message in theirs)
        client.post(reverse("reports:notification_read"))
        assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
