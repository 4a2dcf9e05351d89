"""What an export page may reach: a consolidated file's job, for this user (``reports.access`` for the
reports themselves)."""

from django.http import Http404

from reports.access import Action, can
from reports.models import Report

from .models import ExportJob


def access_job_and_report_by_id(user, pk) -> tuple[ExportJob, Report]:
    """The export job ``pk`` and its unit's report, if ``user`` may make that file now: they read the
    report of the job's unit in its round and may export it (with drafts, if the job has them). Otherwise
    404, whoever started it: a file is not shown to someone who has since lost the right to make it."""
    job = ExportJob.objects.select_related("round", "unit").filter(pk=pk).first()
    if job is None:
        raise Http404
    report = Report.objects.visible_to(user).filter(round=job.round, unit=job.unit)
    report = report.select_related("round", "unit").first()
    if report is None or not can(user, report, Action.EXPORT):
        raise Http404
    if job.include_drafts and not can(user, report, Action.EXPORT_DRAFTS):
        raise Http404
    return job, report


def access_job_by_id(user, pk) -> ExportJob:
    """The export job ``pk`` for ``user``, as ``access_job_and_report_by_id`` allows it."""
    return access_job_and_report_by_id(user, pk)[0]
