"""The page of a background job (units.jobs): its progress while it runs, then what came of it, in
Vietnamese. Seen by whoever started it and by the administrators of its unit (a round's managers)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .access import access_job_by_id
from .jobs import bulk_jobs_fail_stale
from .models import BulkJobStatus
from .selectors import visible_jobs


def _current(job):
    """The job as its page shows it: a running one whose worker died is failed here (a service), so its
    page never shows it running for ever."""
    if job.status == BulkJobStatus.RUNNING and bulk_jobs_fail_stale(pk=job.pk):
        job.refresh_from_db()
    return job


JOB_LIST_SIZE = 50


@require_safe
def job_list(request):
    """Việc chạy nền: the latest jobs the user may follow (started by them, or of units they administer)."""
    jobs = list(visible_jobs(request.user).select_related("created_by")[:JOB_LIST_SIZE])
    return render(request, "units/job_list.html", {"jobs": jobs, "limit": JOB_LIST_SIZE})


@require_safe
def job_detail(request, pk):
    """Việc chạy nền: progress (the page reloads itself, with or without its script), then the result."""
    job = _current(access_job_by_id(request.user, pk))
    return render(request, "units/job_detail.html", {"job": job})


@require_safe
def job_status(request, pk):
    """The job's progress for the page's script."""
    job = _current(access_job_by_id(request.user, pk))
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
        }
    )
