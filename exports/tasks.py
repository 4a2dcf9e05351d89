"""What runs in the background (`python manage.py db_worker`): making the file of a queued export job."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from reports.models import Report

from .docx import build_consolidated_docx
from .models import ExportJob, JobStatus
from .selectors import consolidated
from .xlsx import build_consolidated_xlsx

log = logging.getLogger(__name__)


def export_job_run(*, job_id: int) -> ExportJob:
    """Make the file of a queued job, recording progress as it goes; failures are recorded too."""
    job = ExportJob.objects.select_related("round", "unit").get(pk=job_id)
    if job.status not in (JobStatus.WAITING, JobStatus.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    def progress(done, total):
        ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        report = Report.objects.select_related("round", "unit", "unit__parent").get(round=job.round, unit=job.unit)
        data = consolidated(report, include_drafts=job.include_drafts, part=job.part)
        if job.format == "docx":
            data = build_consolidated_docx(data, part=job.part, progress=progress)
        else:
            data = build_consolidated_xlsx(data, progress=progress)
    except Exception as exc:
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return ExportJob.objects.get(pk=job.pk)
    prefix = {"full": "tong-hop", "report": "bao-cao-tong-hop", "annex": "tong-hop-noi-dung"}[job.part]
    drafts = "-kem-ban-nhap" if job.include_drafts else ""
    name = f"{prefix}{drafts}-{slugify(job.unit.code)}-{slugify(job.round.code)}.{job.format}"
    job.refresh_from_db()
    job.file.save(name, ContentFile(data), save=False)
    job.filename = name
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    job.save(update_fields=["file", "filename", "status", "finished_at", "expires_at"])
    return job


@task()
def run_export(job_id: int):
    """Background task: make a consolidated export."""
    export_job_run(job_id=job_id)
