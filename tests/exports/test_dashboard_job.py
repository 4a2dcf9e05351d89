"""The dashboard's Excel file is an export job like the consolidated files: the button starts it and
leads to its page, which shows its progress; the file lists what the page shows, every page of it."""

import datetime
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportJob, JobKind, JobStatus
from exports.services import dashboard_job_start
from exports.tasks import export_job_run
from reports.models import Report, ReportStatus
from reports.review_views import DASHBOARD_PAGE_SIZE
from reports.services import round_open
from tests.exports.dashboard_files import dashboard_workbook
from tests.reports.test_review import submitted
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _page_rows(client, url, **query) -> list[tuple]:
    """The dashboard's table as a reader sees it, every page: unit, code, status, sections, figures,
    open comments, last change."""
    rows, page = [], 1
    while True:
        html = client.get(url, {**query, "trang": page}).content.decode()
        body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = [
                unescape(re.sub(r"<[^>]+>", " ", td)).split() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            ]
            if len(cells) < 6:
                continue  # "No unit matches."
            *name, code = cells[0]
            status = " ".join(w for w in cells[1] if w != "nộp lại") if cells[1] else ""
            rows.append((" ".join(name), code, status, cells[2][0], cells[3][0], int(cells[4][0]), " ".join(cells[5])))
        if f"trang={page + 1}" not in html:
            return rows
        page += 1


def _file_rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).active
    # "Thay đổi gần nhất" is a real date cell (local time): read as the page writes it.
    return [(r[1], r[0], r[2], r[3], r[4], int(r[5]), _as_page(r[6])) for r in list(sheet.values)[1:]]


def _as_page(value):
    assert value is None or isinstance(value, datetime.datetime), value
    # An empty cell where the page shows a dash: a unit that has not started has no last change.
    return value.strftime("%H:%M %d/%m/%Y") if value else "—"


def _more_units(world, n):
    for i in range(n):
        UnitFactory(parent=world.superior, name=f"Công đoàn cơ sở {'ĐDÁAB'[i % 5]}ông {i:03d}")
    round_open(round=world.round)


def test_the_button_makes_the_workbook_in_the_background_and_it_lists_what_the_page_shows(client, world):
    submitted(world)
    _more_units(world, DASHBOARD_PAGE_SIZE + 3)  # two pages
    Report.objects.filter(unit__name__endswith="007").update(status=ReportStatus.DRAFTING)
    client.force_login(world.reviewer)
    url = reverse("reports:dashboard", args=[world.round.code])
    html = client.get(url).content.decode()
    # The button posts the page's filter to the job; nothing is built inside the request.
    assert f'action="{reverse("exports:dashboard_start", args=[world.round.code])}"' in html
    assert "format=xlsx" not in html
    for query in ({}, {"status": "submitted"}, {"q": "dong", "sort": "status"}, {"sort": "updated"}):
        shown = _page_rows(client, url, **query)
        data = dashboard_workbook(client, world.round, **query)
        assert _file_rows(data) == shown, query
        assert shown  # each filter lists something
    job = ExportJob.objects.filter(kind=JobKind.DASHBOARD).latest("pk")
    assert (job.status, job.done, job.total, job.filename) == (
        JobStatus.DONE,
        job.total,
        job.total,
        f"theo-doi-{world.round.code.lower()}.xlsx",
    )
    page = client.get(reverse("exports:job_detail", args=[job.pk])).content.decode()
    assert "Theo dõi báo cáo của các đơn vị" in page and reverse("exports:job_download", args=[job.pk]) in page


def test_the_workbook_is_its_makers_alone_and_follows_their_units(client, world):
    submitted(world)
    client.force_login(world.reviewer_elsewhere)
    data = dashboard_workbook(client, world.round)
    # The reviewer elsewhere oversees no unit of this round (unit C is not in it): their file lists none,
    # and nothing of unit A's reaches them.
    assert _file_rows(data) == [] == _page_rows(client, reverse("reports:dashboard", args=[world.round.code]))
    assert world.unit_a.name not in str(load_workbook(io.BytesIO(data)).active["B2"].value)
    client.force_login(world.reviewer)
    assert [r[0] for r in _file_rows(dashboard_workbook(client, world.round))] == [world.unit_b.name, world.unit_a.name]
    job = ExportJob.objects.filter(kind=JobKind.DASHBOARD).earliest("pk")
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404


def _job_queries(world, units) -> int:
    _more_units(world, units)
    job = dashboard_job_start(round=world.round, actor=world.reviewer)
    with CaptureQueriesContext(connection) as ctx:
        assert export_job_run(job_id=job.pk).status == JobStatus.DONE
    return len(ctx)


def test_the_dashboard_jobs_queries_do_not_grow_with_the_units(world):
    few = _job_queries(world, 3)
    assert _job_queries(world, 40) == few
