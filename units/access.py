"""What a units page may reach: a background job, for this user (``reports.access`` for the reports)."""

from django.http import Http404

from .selectors import visible_jobs


def access_job_by_id(user, pk):
    """The background job ``pk`` if ``user`` may follow it (``units.selectors.visible_jobs``: who started it,
    the administrators of its unit, superusers), else 404: whether it exists is not told."""
    job = visible_jobs(user).select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
