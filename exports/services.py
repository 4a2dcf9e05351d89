"""Export jobs: consolidated files queued here, made in the background (tasks.py), kept for a while,
then expired; a job whose worker died or that ran past its limit is failed (tasks.export_jobs_fail_stale)
and can be queued again."""

import logging

from django.db import transaction
from django.utils import timezone

from reports.models import Report

from .models import ExportJob, JobKind, JobStatus
from .tasks import export_jobs_fail_stale, run_export

log = logging.getLogger(__name__)
FORMATS = ("docx", "xlsx")
__all__ = [
    "dashboard_job_start",
    "export_job_retry",
    "export_job_start",
    "export_jobs_expire",
    "export_jobs_fail_stale",
]
# The dashboard's filter as its page reads it (reports.review_views.dashboard): what a job keeps of it.
DASHBOARD_OPTIONS = ("status", "query", "sort")


def export_job_start(
    *, report: Report, format: str, actor, include_drafts: bool = False, part: str = "full"
) -> ExportJob:
    """Queue the consolidated export of ``report``'s unit (its own report and everything below):
    Word (``part``: the report with the annex, the report alone, or the annex alone) or Excel;
    submitted and approved reports only unless ``include_drafts``."""
    if format not in FORMATS:
        raise ValueError(format)
    job = ExportJob(
        round=report.round,
        unit=report.unit,
        format=format,
        include_drafts=include_drafts,
        part=part if format == "docx" else "full",
        created_by=actor,
    )
    job.full_clean(exclude=["file"])
    job.save()
    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    log.info("export %s queued by %s", job.pk, actor)
    return job


def dashboard_job_start(*, round, actor, status: str = "", query: str = "", sort: str = "name") -> ExportJob:
    """Queue the dashboard's workbook of ``round``: every unit ``actor`` oversees, with the dashboard's
    filter (``status``), search (``query``) and order (``sort``), one row each, as the page lists them
    (reports.selectors.dashboard). The view checked that ``actor`` oversees units."""
    job = ExportJob(
        kind=JobKind.DASHBOARD,
        round=round,
        unit=None,
        format="xlsx",
        options={"status": status, "query": query[:100], "sort": sort},
        created_by=actor,
    )
    job.full_clean(exclude=["file"])
    job.save()
    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    log.info("dashboard export %s queued by %s", job.pk, actor)
    return job


def export_job_retry(*, job: ExportJob, report: Report | None, actor) -> ExportJob:
    """Queue again a job that failed: the same unit, round, format and part (the dashboard's: the same
    round and filter), for ``actor`` (who may see ``report``, the job's unit's report, or made the
    dashboard's job, as the view checked)."""
    if job.status != JobStatus.FAILED:
        raise ValueError(job.status)
    if job.is_dashboard:
        options = {key: job.options.get(key, "") for key in DASHBOARD_OPTIONS}
        return dashboard_job_start(round=job.round, actor=actor, **{**options, "sort": options["sort"] or "name"})
    return export_job_start(
        report=report, format=job.format, actor=actor, include_drafts=job.include_drafts, part=job.part
    )


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of jobs past their expiry; the job rows stay as a record. Returns how many."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        job.file.delete(save=False)
        job.file = ""
        job.save(update_fields=["file"])
        expired += 1
    return expired
