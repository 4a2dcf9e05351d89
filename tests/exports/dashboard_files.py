"""The dashboard's Excel button as a user meets it: the job it starts, made, then downloaded."""

from django.urls import reverse

from exports.models import ExportJob, JobKind, JobStatus
from exports.tasks import export_job_run


def dashboard_workbook(client, round_, *, status="", q="", sort="name") -> bytes:
    """Press the dashboard's "Xuất Excel" with this filter, let the worker make the file, download it."""
    response = client.post(
        reverse("exports:dashboard_start", args=[round_.code]), {"status": status, "q": q, "sort": sort}
    )
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.filter(kind=JobKind.DASHBOARD).latest("pk")
    assert response["Location"] == reverse("exports:job_detail", args=[job.pk])
    assert export_job_run(job_id=job.pk).status == JobStatus.DONE
    download = client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)
