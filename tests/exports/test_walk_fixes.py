"""Faults seen on a walk through the export pages and files, each with what the user now sees."""

import pytest
from django.test import Client
from django.urls import reverse

from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from exports.services import export_job_start
from reports.models import Report
from tests.exports.conftest import open_docx

pytestmark = pytest.mark.django_db


def test_the_export_job_page_links_back_to_the_report_and_the_rollup(world):
    own = Report.objects.get(round=world.round, unit=world.superior)
    job = export_job_start(report=own, format="docx", actor=world.reviewer)
    client = Client()
    client.force_login(world.reviewer)
    page = client.get(reverse("exports:job_detail", args=[job.pk])).content.decode()
    back = page.split("data-job-back")[1].split("</nav>")[0]
    assert reverse("reports:report_detail", args=[own.pk]) in back
    assert reverse("reports:rollup", args=[world.round.code, world.superior.code]) in back
    assert "Về báo cáo" in page


def test_a_grassroots_drafters_job_page_links_to_their_report_only(world):
    job = export_job_start(report=world.report_a, format="docx", actor=world.drafter_a)
    client = Client()
    client.force_login(world.drafter_a)
    page = client.get(reverse("exports:job_detail", args=[job.pk])).content.decode()
    assert reverse("reports:report_detail", args=[world.report_a.pk]) in page
    assert "/tong-hop/" not in page


def test_the_annex_says_in_one_line_that_no_report_is_counted_yet(world):
    own = Report.objects.get(round=world.round, unit=world.superior)
    calls = []
    annex = open_docx(
        build_consolidated_docx(consolidated(own), part="annex", progress=lambda d, t: calls.append((d, t)))
    )
    texts = [p.text for p in annex.paragraphs]
    assert any(t.startswith("Chưa có báo cáo nào được tính") for t in texts)
    assert "(Chưa có đơn vị nào viết mục này.)" not in texts
    assert calls[-1][0] == calls[-1][1]
    # Once a report is counted, the annex is by heading again.
    Report.objects.filter(pk=world.report_a.pk).update(status="submitted")
    texts = [p.text for p in open_docx(build_consolidated_docx(consolidated(own), part="annex")).paragraphs]
    assert not any(t.startswith("Chưa có báo cáo nào được tính") for t in texts)
    assert "(Chưa có đơn vị nào viết mục này.)" in texts


def test_a_unit_that_has_not_started_shows_no_last_change(client, world, tmp_path, settings):
    """The dashboard's "Thay đổi gần nhất" showed the round's opening time on "Chưa bắt đầu" rows, as
    if the unit had done something: a dash on the page, an empty cell in the workbook."""
    import io
    import re

    from openpyxl import load_workbook

    from reports.models import Report, ReportStatus
    from tests.exports.dashboard_files import dashboard_workbook

    settings.MEDIA_ROOT = tmp_path
    Report.objects.filter(pk=world.report_a.pk).update(status=ReportStatus.DRAFTING)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:dashboard", args=[world.round.code])).content.decode()
    cells = dict(
        re.findall(r">([^<]*Công ty[^<]*)</a>.*?data-label=\"Thay đổi gần nhất\">([^<]*)</td>", page, re.DOTALL)
    )
    assert cells[world.unit_b.name] == "—"
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", cells[world.unit_a.name])
    sheet = load_workbook(io.BytesIO(dashboard_workbook(client, world.round))).worksheets[0]
    changed = {row[1]: row[6] for row in sheet.iter_rows(values_only=True) if row[1] in cells}
    assert changed[world.unit_b.name] is None and changed[world.unit_a.name] is not None
