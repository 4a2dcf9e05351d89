"""Lists a person opens that grow with the province (the reports, the notifications): a page at a time,
sorted, searched and counted by the database, so what a page renders and how many queries it takes stay
the same at any size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.text import vietnamese_sort_key
from reports.models import Notification
from reports.review_views import NOTIFICATIONS_PAGE_SIZE
from reports.services import round_open
from reports.views import REPORT_LIST_PAGE_SIZE
from tests.conftest import build_world
from tests.units.factories import UnitFactory

ROW = re.compile(r'<a class="list-group-item list-group-item-action')
pytestmark = pytest.mark.django_db

LETTERS = ["A", "Ă", "Â", "B", "D", "Đ", "E", "Ê", "O", "Ô", "Ơ", "U", "Ư"]


def _province(units: int):
    """The test world with ``units`` more CĐCS under the reviewer's union, each with its report."""
    world = build_world(sections=2)
    for n in range(units):
        UnitFactory(parent=world.superior, name=f"Công đoàn cơ sở {LETTERS[n % len(LETTERS)]}nh {n:04d}")
    round_open(round=world.round)
    return world


def _report_list(client, world, **params):
    client.force_login(world.reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:report_list"), params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_report_list_renders_one_page_whatever_the_size_of_the_province(client):
    """At 60 and at 160 units below the reviewer, the list shows the same 50 rows' worth of HTML in the
    same number of queries, and says how many there are in all."""
    seen = []
    for units in (60, 160):
        world = _province(units)
        html, queries = _report_list(client, world)
        rows = len(ROW.findall(html))
        total = units + 3  # units A and B of the world, and the reviewer's union's own report
        assert rows == REPORT_LIST_PAGE_SIZE
        assert f"Dòng 1–{REPORT_LIST_PAGE_SIZE} trên {total}" in html
        assert f"trang={-(-total // REPORT_LIST_PAGE_SIZE)}" in html
        # The count in the footer and the page links are all that differ, the units' names, the numbers
        # and the CSRF token aside (the first page holds other names; ids grow a digit).
        body = re.sub(r'<nav aria-label="Trang">.*?</p>', "", html, flags=re.S)
        body = re.sub(r'value="[^"]*"', "", re.sub(r"Công đoàn cơ sở [^<]*", "CĐCS", body))
        body = re.sub(r"\d+", "0", body)
        seen.append((rows, queries, len(body)))
    assert seen[0] == seen[1], seen


def test_the_report_list_pages_in_vietnamese_order_and_searches_without_accents(client):
    world = _province(REPORT_LIST_PAGE_SIZE + 5)
    shown = []
    for page in (1, 2):
        html, _queries = _report_list(client, world, trang=page)
        shown += re.findall(r"Công đoàn cơ sở \w+nh \d{4}", html)
    names = list(dict.fromkeys(shown))
    assert len(names) == REPORT_LIST_PAGE_SIZE + 5
    assert names == sorted(names, key=vietnamese_sort_key)
    # A search keeps the round and goes through the whole province, accents and capitals aside.
    html, _queries = _report_list(client, world, q="DNH 0005")
    assert "Công đoàn cơ sở Đnh 0005" in html
    assert len(ROW.findall(html)) == 1
    html, _queries = _report_list(client, world, q="không có đơn vị này")
    assert "Không có đơn vị phù hợp." in html and not ROW.findall(html)
    # A page number past the end shows the last page, not an error.
    html, _queries = _report_list(client, world, trang=99)
    assert len(ROW.findall(html)) == 8


def test_a_drafter_with_one_report_still_goes_straight_to_it(client, world):
    client.force_login(world.drafter_a)
    response = client.get(reverse("reports:report_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[world.report_a.pk])


def _notifications(client, user, count: int, **params):
    Notification.objects.bulk_create(
        Notification(user=user, kind="submitted", message=f"Thông báo số {n:04d}") for n in range(count)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:notification_list"), params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_notifications_come_a_page_at_a_time_newest_first(client, world):
    client.force_login(world.reviewer)
    seen = []
    for count in (NOTIFICATIONS_PAGE_SIZE + 1, 3 * NOTIFICATIONS_PAGE_SIZE):
        Notification.objects.all().delete()
        html, queries = _notifications(client, world.reviewer, count)
        messages = re.findall(r"Thông báo số \d{4}", html)
        assert len(messages) == NOTIFICATIONS_PAGE_SIZE
        assert messages[0] == f"Thông báo số {count - 1:04d}"  # the newest (created last) first
        assert f"trên {count}" in html
        seen.append(queries)
    assert seen[0] == seen[1], seen
    html = client.get(reverse("reports:notification_list"), {"trang": 3}).content.decode()
    assert re.findall(r"Thông báo số \d{4}", html)[-1] == "Thông báo số 0000"
