"""What an export page may reach: a job's file, for this user (``reports.access`` for the reports
themselves)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.access import Action, can, check_oversees
from reports.models import Report

from .models import ExportJob


def _job(pk) -> ExportJob:
    job = ExportJob.objects.select_related("round", "unit").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _report_of(user, job: ExportJob) -> Report:
    """The report of a consolidated job's unit, if ``user`` may make that file now: they read it and may
    export it (with drafts, if the job has them). Otherwise 404, whoever started it: a file is not shown
    to someone who has since lost the right to make it."""
    report = Report.objects.visible_to(user).filter(round=job.round, unit=job.unit)
    report = report.select_related("round", "unit").first()
    if report is None or not can(user, report, Action.EXPORT):
        raise Http404
    if job.include_drafts and not can(user, report, Action.EXPORT_DRAFTS):
        raise Http404
    return report


def _check_dashboard_job(user, job: ExportJob) -> None:
    """The dashboard's workbook is its maker's only (its rows are the units they oversee, with their
    filter), while they still oversee units (reports.access.check_oversees). Otherwise 404."""
    if job.created_by_id != user.pk:
        raise Http404
    try:
        check_oversees(user)
    except PermissionDenied:
        raise Http404 from None


def access_job_and_report_by_id(user, pk) -> tuple[ExportJob, Report | None]:
    """The export job ``pk`` and, for a consolidated file, its unit's report (None for the dashboard's
    workbook), if ``user`` may have that file now; otherwise 404."""
    job = _job(pk)
    if job.is_dashboard:
        _check_dashboard_job(user, job)
        return job, None
    return job, _report_of(user, job)


def access_job_by_id(user, pk) -> ExportJob:
    """The export job ``pk`` for ``user``, as ``access_job_and_report_by_id`` allows it."""
    return access_job_and_report_by_id(user, pk)[0]
