import datetime
import errno
import io
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from exports.docx import build_consolidated_docx, build_report_docx
from exports.models import ExportJob, JobStatus
from exports.selectors import consolidated, report_document
from exports.services import export_jobs_expire
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from reports.models import IndicatorValue, Report, ReportStatus, SectionText
from reports.services import round_open
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.reports.test_views import ROLES, login
from tests.units.factories import UnitFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_consolidated_export_in_the_background(client, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(sections=2)
    make_catalogue(world.round.outline_version)
    own = Report.objects.get(round=world.round, unit=world.superior)
    login(client, world, role)
    # The report with the annex in one file (the print file, the default, has no annex).
    response = client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx", "part": "full"})
    allowed = role in ("reviewer", "admin")
    expected = 302 if allowed or role == "anonymous" else 404
    assert response.status_code == expected
    if not allowed:
        assert not ExportJob.objects.exists()
        return
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:job_detail", args=[job.pk])
    assert client.get(reverse("exports:job_status", args=[job.pk])).json()["status"] == "waiting"
    # The database worker picks the task up, as `make run` and production run it.
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    data = client.get(reverse("exports:job_status", args=[job.pk])).json()
    pages = data.pop("pages")
    assert data == {"status": "done", "label": "Đã xong", "percent": 100, "error": ""}
    assert pages == f"Khoảng {job.pages} trang A4"
    download = client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any(p.text == "PHỤ LỤC: TỔNG HỢP NỘI DUNG BÁO CÁO CỦA CÁC ĐƠN VỊ" for p in doc.paragraphs)
    # Others may not download it; after it expires nobody can.
    client.force_login(world.drafter_b)
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404
    client.force_login(world.reviewer_elsewhere)
    assert client.get(reverse("exports:job_detail", args=[job.pk])).status_code == 404
    assert export_jobs_expire(now=timezone.now() + datetime.timedelta(days=30)) == 1
    login(client, world, role)
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_per_report_downloads_follow_report_access(client, world, role):
    login(client, world, role)
    expected = {"anonymous": 302, "drafter_b": 404, "reviewer_elsewhere": 404}.get(role, 200)
    for name in ("report_docx", "report_xlsx", "outline_docx"):
        response = client.get(reverse(f"exports:{name}", args=[world.report_a.pk]))
        assert response.status_code == expected, name
        if expected == 200:
            assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_command_line_exports(world, tmp_path):
    make_catalogue(world.round.outline_version)
    out = io.StringIO()
    call_command(
        "export_report",
        world.round.code,
        world.unit_a.code,
        "--format",
        "docx",
        "--output",
        str(tmp_path / "a.docx"),
        stdout=out,
    )
    assert Document(str(tmp_path / "a.docx")).paragraphs
    call_command(
        "export_consolidated",
        world.round.code,
        world.superior.code,
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "b.xlsx"),
        stdout=out,
    )
    assert (tmp_path / "b.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="Không có báo cáo"):
        call_command(
            "export_report",
            "KHONG-CO",
            world.unit_a.code,
            "--format",
            "docx",
            "--output",
            str(tmp_path / "c.docx"),
        )
    with pytest.raises(CommandError, match="Định dạng không hợp lệ"):
        call_command(
            "export_report",
            world.round.code,
            world.unit_a.code,
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "c.pdf"),
        )


def _export_queries(n_units, builder):
    world = build_world(sections=3)
    cat = make_catalogue(world.round.outline_version)
    for _ in range(n_units):
        UnitFactory(parent=world.superior)
    round_open(round=world.round)
    reports = list(Report.objects.filter(round=world.round, unit__is_grassroots=True))
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(status=ReportStatus.SUBMITTED)
    node = world.round.outline_version.nodes.filter(is_writable=True).first()
    SectionText.objects.bulk_create(SectionText(report=r, node=node, content="<p>Nội dung</p>") for r in reports)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=cat["DV"], column="2020", value=5) for r in reports
    )
    own = Report.objects.select_related("round", "unit", "unit__parent").get(round=world.round, unit=world.superior)
    with CaptureQueriesContext(connection) as ctx:
        builder(own)
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "builder",
    [
        lambda report: build_consolidated_docx(consolidated(report)),
        lambda report: build_consolidated_xlsx(consolidated(report)),
        lambda report: build_report_docx(report_document(report)),
        lambda report: build_report_xlsx(report_document(report)),
    ],
    ids=["consolidated_docx", "consolidated_xlsx", "report_docx", "report_xlsx"],
)
def test_export_query_count_is_the_same_at_10_and_200_units(builder):
    assert _export_queries(10, builder) == _export_queries(200, builder)


@pytest.mark.django_db
def test_downloads_are_kept_per_revision_and_follow_every_change(client, world):
    """A second download of an unchanged report comes from the cache; a saved change shows at once."""
    from outline.models import OutlineNode
    from reports.services import section_save

    make_catalogue(world.round.outline_version)
    client.force_login(world.drafter_a)
    url = reverse("exports:report_docx", args=[world.report_a.pk])
    with CaptureQueriesContext(connection) as first:
        before = Document(io.BytesIO(client.get(url).content))
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    assert len(again) < len(first)
    assert not any("Đoạn mới viết" in p.text for p in before.paragraphs)
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")[0]
    section_save(
        report=world.report_a,
        node=node,
        base_version=0,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Đoạn mới viết</p>",
    )
    after = Document(io.BytesIO(client.get(url).content))
    assert any(p.text == "Đoạn mới viết" for p in after.paragraphs)
    # Document details (signer) are a change too; the signature block is a table.
    response = client.post(
        reverse("reports:document_info", args=[world.report_a.pk]),
        {
            "doc_number": "7/BC",
            "place": "Bình An",
            "signer_name": "Phạm Thị Hoa",
            "signer_title": "CHỦ TỊCH",
            "recipients": "LĐLĐ",
        },
    )
    assert response.status_code == 302
    assert "Phạm Thị Hoa" in Document(io.BytesIO(client.get(url).content)).element.xml


@pytest.mark.django_db(transaction=True)
def test_the_annex_alone_with_drafts_from_the_page_and_the_command_line(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(sections=2)
    own = Report.objects.get(round=world.round, unit=world.superior)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert 'name="include_drafts"' in page and 'value="annex"' in page
    client.post(
        reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx", "part": "annex", "include_drafts": "1"}
    )
    job = ExportJob.objects.get()
    assert (job.part, job.include_drafts) == ("annex", True)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.filename.startswith("tong-hop-noi-dung-kem-ban-nhap-")
    texts = [p.text for p in Document(job.file.path).paragraphs]
    assert any("BẢN NHÁP" in t for t in texts)
    call_command(
        "export_consolidated",
        world.round.code,
        world.superior.code,
        "--format",
        "docx",
        "--part",
        "report",
        "--output",
        str(tmp_path / "r.docx"),
        stdout=io.StringIO(),
    )
    texts = [p.text for p in Document(str(tmp_path / "r.docx")).paragraphs]
    assert "TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ" in texts
    assert "PHỤ LỤC: TỔNG HỢP NỘI DUNG BÁO CÁO CỦA CÁC ĐƠN VỊ" not in texts


@pytest.mark.django_db
def test_only_reviewers_may_put_drafts_in_a_consolidated_file(client, world):
    from tests.units.factories import MembershipFactory

    own = Report.objects.get(round=world.round, unit=world.superior)
    writer = MembershipFactory(unit=world.superior, role="drafter").user  # writes the superior's own report
    client.force_login(writer)
    page = client.get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert 'name="format"' in page and 'name="include_drafts"' not in page
    url = reverse("exports:consolidated_start", args=[own.pk])
    assert client.post(url, {"format": "docx", "include_drafts": "1"}).status_code == 403
    assert not ExportJob.objects.exists()
    client.force_login(world.reviewer)
    client.post(url, {"format": "docx", "include_drafts": "1"})
    job = ExportJob.objects.get()
    client.force_login(writer)
    assert client.get(reverse("exports:job_detail", args=[job.pk])).status_code == 404


# --- Jobs that cannot finish: a dead worker, a full disk, a time limit -----------------------------


def big_world(units: int):
    """A superior union with ``units`` grassroots unions below, every one having written 30
    sections of some length and submitted: its consolidated Word file takes a few seconds."""
    world = build_world(sections=30)
    for _ in range(units):
        UnitFactory(parent=world.superior)
    round_open(round=world.round)
    reports = list(Report.objects.filter(round=world.round, unit__is_grassroots=True))
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(status=ReportStatus.SUBMITTED)
    nodes = list(world.round.outline_version.nodes.filter(is_writable=True))
    text = ("<p>" + "Nội dung báo cáo của đơn vị. " * 10 + "</p>") * 20
    SectionText.objects.bulk_create(SectionText(report=r, node=n, content=text) for r in reports for n in nodes)
    return world


def database_url() -> str:
    """The test database, for a worker started as a process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(media, log):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reportsite.settings.test",
        "DATABASE_URL": database_url(),
        "DJANGO_MEDIA_ROOT": str(media),
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def until(read, seconds):
    """Call ``read`` until it returns something true, at most ``seconds``; its last value."""
    deadline = time.monotonic() + seconds
    while not (value := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def files_in(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def kill_mid_export(job, media, tmp_path, name):
    """Start a worker on the queue, let it write part of ``job``'s file, then kill it (SIGKILL)."""
    with open(tmp_path / f"{name}.log", "wb") as log:
        worker = start_worker(media, log)
        try:
            assert until(lambda: ExportJob.objects.filter(pk=job.pk, done__gt=0).exists(), 20)
            with transaction.atomic():
                ExportJob.objects.select_for_update().get(pk=job.pk)
                worker.kill()
                worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_is_finished_by_another_worker(client, settings, tmp_path):
    """A node lost mid-export (two workers, one killed): the job goes back to the queue by itself and
    the surviving worker makes the file; the user never sees a failure. Lost on its last try, it ends
    failed with its reason and the user tries again. (One test: the world takes seconds to build.)"""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.EXPORT_STALE_SECONDS = 2
    world = big_world(units=120)
    own = Report.objects.get(round=world.round, unit=world.superior)
    client.force_login(world.reviewer)
    client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx", "part": "annex"})
    job = ExportJob.objects.get()
    kill_mid_export(job, media, tmp_path, "first")
    status_url = reverse("exports:job_status", args=[job.pk])
    # The page the user watches notices the silence and puts the job back in the queue.
    status = until(lambda: (s := client.get(status_url).json())["status"] == "waiting" and s, 8)
    assert status and status["error"] in ("", None), client.get(status_url).json()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert (job.status, job.attempts, job.failure) == (JobStatus.DONE, 2, "")
    assert files_in(media) == [job.file.name]
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 200

    # Lost on its last try: not queued again; failed with its reason, and "Thử lại" offered.
    client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx", "part": "annex"})
    second = ExportJob.objects.exclude(pk=job.pk).get()
    ExportJob.objects.filter(pk=second.pk).update(attempts=settings.EXPORT_ATTEMPTS - 1)
    kill_mid_export(second, media, tmp_path, "second")
    second.refresh_from_db()
    assert second.status == JobStatus.RUNNING and 0 < second.percent < 100
    # The job's page notices that nothing has moved for longer than the limit, and says so.
    status_url = reverse("exports:job_status", args=[second.pk])
    status = until(lambda: (s := client.get(status_url).json())["status"] == "failed" and s, 8)
    assert status, client.get(status_url).json()
    assert status["label"] == "Bị lỗi" and "dừng giữa chừng" in status["error"]
    page = client.get(reverse("exports:job_detail", args=[second.pk])).content.decode()
    assert "dừng giữa chừng" in page and "Thử lại" in page
    # Trying again queues the same export; a worker started again makes it, and nothing is left over.
    response = client.post(reverse("exports:job_retry", args=[second.pk]))
    again = ExportJob.objects.exclude(pk__in=[job.pk, second.pk]).get()
    assert response["Location"] == reverse("exports:job_detail", args=[again.pk])
    assert (again.format, again.part, again.include_drafts) == ("docx", "annex", False)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    again.refresh_from_db()
    second.refresh_from_db()
    assert (again.status, second.status) == (JobStatus.DONE, JobStatus.FAILED)
    assert files_in(media) == sorted([job.file.name, again.file.name])


class FullDiskStorage(FileSystemStorage):
    """A disk that fills up while a file is written: the first 24 KB land, then ENOSPC, as a full
    media disk does (a small tmpfs is not to be had here)."""

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(content.read(24 * 1024))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_fails_the_job_with_its_reason_and_leaves_no_partial_file(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.exports.test_jobs.FullDiskStorage"}}
    world = build_world(sections=2)
    own = Report.objects.get(round=world.round, unit=world.superior)
    client.force_login(world.reviewer)
    client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "docx"})
    job = ExportJob.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    status = client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and "hết chỗ" in status["error"]
    assert files_in(tmp_path) == []


@pytest.mark.django_db(transaction=True)
def test_a_job_past_its_time_limit_is_failed_with_its_reason(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_MAX_SECONDS = 0
    world = build_world(sections=2)
    own = Report.objects.get(round=world.round, unit=world.superior)
    client.force_login(world.reviewer)
    client.post(reverse("exports:consolidated_start", args=[own.pk]), {"format": "xlsx"})
    job = ExportJob.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    status = client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert "quá thời gian" in status["error"]
    assert files_in(tmp_path) == []
