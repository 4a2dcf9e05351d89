"""The consolidated Word file to print ends with "Tổng hợp kiến nghị của các CĐCS"; the units' texts are
a file of their own; each job's page says how many pages its file prints."""

import subprocess

import docx
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports.docx import build_consolidated_docx
from exports.models import ExportJob
from exports.selectors import consolidated
from exports.tasks import export_job_run
from reports.selectors import unit_proposals
from tests.reports.test_proposals import proposals_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _proposals_table(document):
    tables = [
        t for t in document.tables if [c.text for c in t.rows[0].cells] == ["TT", "Kiến nghị", "Số CĐCS", "Các CĐCS"]
    ]
    return tables[0] if tables else None


def test_the_print_file_has_the_proposals_table_and_no_annex(tmp_path):
    own, _node, _data, _users = proposals_round(24)
    groups = unit_proposals(own).groups
    pages = []
    data = build_consolidated_docx(consolidated(own, part="report"), part="report", pages=pages)
    path = tmp_path / "in.docx"
    path.write_bytes(data)
    document = docx.Document(path)
    table = _proposals_table(document)
    assert table is not None
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows == [[str(g.number), g.text, str(g.count), ", ".join(g.units)] for g in groups]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "TỔNG HỢP KIẾN NGHỊ CỦA CÁC CĐCS" in text
    # No unit's own text is printed: that is the annex's.
    assert not any("Công đoàn cơ sở Công ty 0000 (" in p.text for p in document.paragraphs)
    # Pandoc reads the table too.
    read = subprocess.run(
        ["pandoc", "-f", "docx", "-t", "html", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "Số CĐCS" in read and "Các CĐCS" in read
    assert f"<td>{groups[0].count}</td>" in read and groups[0].units[0] in read
    assert pages and 1 <= pages[0] < 20


def test_the_annex_is_a_file_of_its_own_much_longer_than_the_print_file(tmp_path):
    own, _node, _data, _users = proposals_round(24)
    report_pages, annex_pages = [], []
    build_consolidated_docx(consolidated(own, part="report"), part="report", pages=report_pages)
    annex = build_consolidated_docx(consolidated(own, part="annex"), part="annex", pages=annex_pages)
    path = tmp_path / "annex.docx"
    path.write_bytes(annex)
    document = docx.Document(path)
    assert _proposals_table(document) is None
    assert any(p.text.startswith("Công đoàn cơ sở Công ty 0000 (") for p in document.paragraphs)
    assert annex_pages[0] >= 1


def test_each_jobs_page_shows_its_pages_and_offers_the_other_file(django_capture_on_commit_callbacks):
    own, _node, _data, users = proposals_round(10)
    client = Client()
    client.force_login(users["reviewer"])
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx"})
    job = ExportJob.objects.get()
    assert job.part == "report"  # the print file unless the annex is asked for
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.pages >= 1
    page = client.get(response["Location"]).content.decode()
    assert f"Khoảng {job.pages} trang A4" in page
    assert "Tạo file nội dung các đơn vị (phụ lục riêng)" in page
    assert client.get(reverse("exports:job_status", args=[job.pk])).json()["pages"] == f"Khoảng {job.pages} trang A4"
    with django_capture_on_commit_callbacks():
        client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx", "part": "annex"})
    annex = ExportJob.objects.exclude(pk=job.pk).get()
    export_job_run(job_id=annex.pk)
    annex.refresh_from_db()
    assert annex.part == "annex" and annex.pages >= 1
    assert annex.filename.startswith("tong-hop-noi-dung-")
    page = client.get(reverse("exports:job_detail", args=[annex.pk])).content.decode()
    assert f"Khoảng {annex.pages} trang A4" in page
    assert "Tạo file tổng hợp để in" in page


def test_the_print_file_costs_the_same_queries_at_any_size():
    counts = []
    for units in (5, 25):
        own, _node, _data, _users = proposals_round(units)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            build_consolidated_docx(consolidated(own, part="report"), part="report")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_large_group_prints_twenty_names_and_counts_the_rest():
    from exports.docx import _printed_units
    from exports.selectors import ProposalRow

    row = ProposalRow(number=1, text="Tăng lương", count=25, units=[f"CĐCS {n:02d}" for n in range(25)])
    assert _printed_units(row) == ", ".join(f"CĐCS {n:02d}" for n in range(20)) + " và 5 CĐCS khác"
