"""What runs in the background (`python manage.py db_worker`): making the file of a queued export job.

Every job ends, done or failed with a reason its page shows (models.JobFailure):
- the file is written under a temporary name beside its place and renamed there once whole; what was
  written is removed when anything fails (a full disk leaves nothing behind);
- while the file is made, a thread of the worker marks the job alive every EXPORT_HEARTBEAT_SECONDS
  (`heartbeat_at`), and each step of progress does too; a running job without a sign of life for
  EXPORT_STALE_SECONDS lost its worker (kill -9, a restart, the machine down) and is failed by
  `export_jobs_fail_stale`, which the job's page calls when it is read, every job the worker starts
  calls first, and `expire_exports` calls daily: it goes back to the queue for another worker (up to
  EXPORT_ATTEMPTS tries in all), then is failed;
- a job running past EXPORT_MAX_SECONDS stops at its next step of progress, and the same check fails
  it if its worker is stuck.
The worker's task result (django-tasks) of a killed job stays "running"; nothing reads it."""

import datetime
import errno
import logging
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from core.jobs import Heartbeat
from reports.models import Report
from reports.selectors import dashboard
from reports.xlsx import build_dashboard_xlsx

from .docx import build_consolidated_docx
from .models import ExportJob, JobFailure, JobStatus
from .selectors import consolidated
from .xlsx import build_consolidated_xlsx

log = logging.getLogger(__name__)


class _Stop(Exception):
    """The job may not go on; ``failure`` says why (None: it was failed meanwhile, by the check)."""

    def __init__(self, failure):
        super().__init__(failure)
        self.failure = failure


def export_jobs_fail_stale(*, now=None, pk=None) -> int:
    """Deal with the running jobs that lost their worker (no sign of life for EXPORT_STALE_SECONDS):
    one that has not yet had EXPORT_ATTEMPTS tries goes back to the queue for another worker (a node or
    worker lost mid-job must not cost the user the file), one that has is failed with its reason; and
    fail those running past EXPORT_MAX_SECONDS. Only job ``pk`` when given. Returns how many changed."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    running = ExportJob.objects.filter(status=JobStatus.RUNNING)
    if pk is not None:
        running = running.filter(pk=pk)
    # Jobs left running before heartbeats were kept have none: their age tells.
    lost = running.filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale))
    again = []
    for job_id in lost.filter(attempts__lt=settings.EXPORT_ATTEMPTS).values_list("pk", flat=True):
        # The same conditions again in the update: two pages reading the job at once requeue it once.
        if lost.filter(pk=job_id, attempts__lt=settings.EXPORT_ATTEMPTS).update(
            status=JobStatus.WAITING, started_at=None, heartbeat_at=None, done=0
        ):
            again.append(job_id)
    for job_id in again:
        transaction.on_commit(lambda job_id=job_id: run_export.enqueue(job_id))
    dead = lost.update(
        status=JobStatus.FAILED,
        failure=JobFailure.WORKER,
        error=f"No sign of life from the worker for {settings.EXPORT_STALE_SECONDS} s.",
        finished_at=now,
    )
    late = running.filter(started_at__lt=now - datetime.timedelta(seconds=settings.EXPORT_MAX_SECONDS)).update(
        status=JobStatus.FAILED,
        failure=JobFailure.TIME,
        error=f"Still running after {settings.EXPORT_MAX_SECONDS} s.",
        finished_at=now,
    )
    if again:
        log.warning("export job(s) %s lost their worker and were queued again", again)
    if dead or late:
        log.warning("%s export job(s) failed: worker gone (%s), past the time limit (%s)", dead + late, dead, late)
    return len(again) + dead + late


def _remove(storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        log.exception("export: could not remove %s", name)


def _store(job: ExportJob, filename: str, data) -> str:
    """Write ``data`` (bytes, or a binary file read from its start) under a temporary name beside its
    place, then rename it there, so a file under a job's name is always whole; what was written is
    removed if writing fails. The name holds the job's id: two jobs never share one. Returns the
    stored name."""
    storage = job.file.storage
    name = job.file.field.generate_filename(job, f"{job.pk}-{filename}")
    content = ContentFile(data) if isinstance(data, bytes) else File(data)
    try:
        storage.path(name)
    except NotImplementedError:
        # An object store (S3 through django-storages) keeps an object whole or not at all.
        return storage.save(name, content)
    temp = f"{name}.{uuid.uuid4().hex}.part"
    try:
        temp = storage.save(temp, content)
        os.replace(storage.path(temp), storage.path(name))
    except BaseException:
        _remove(storage, temp)
        raise
    return name


def _failure(exc: BaseException):
    if isinstance(exc, _Stop):
        return exc.failure
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return JobFailure.DISK
    return JobFailure.ERROR


def export_job_run(*, job_id: int) -> ExportJob:
    """Make the file of a queued job, recording progress as it goes. It ends done or failed with
    its reason, whatever happens; a file is stored only whole."""
    export_jobs_fail_stale()
    job = ExportJob.objects.select_related("round", "unit", "created_by").get(pk=job_id)
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job.pk, status=JobStatus.WAITING).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    ):
        return job
    started = time.monotonic()

    def check_time():
        if time.monotonic() - started > settings.EXPORT_MAX_SECONDS:
            raise _Stop(JobFailure.TIME)

    def progress(done, total):
        check_time()
        running = ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        if not running.update(done=done, total=total, heartbeat_at=timezone.now()):
            raise _Stop(None)

    if job.is_dashboard:
        filename = f"theo-doi-{slugify(job.round.code)}.xlsx"
    else:
        prefix = {"full": "tong-hop", "report": "bao-cao-tong-hop", "annex": "tong-hop-noi-dung"}[job.part]
        drafts = "-kem-ban-nhap" if job.include_drafts else ""
        filename = f"{prefix}{drafts}-{slugify(job.unit.code)}-{slugify(job.round.code)}.{job.format}"
    stored = None
    try:
        running = ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        with Heartbeat(running, seconds=settings.EXPORT_HEARTBEAT_SECONDS, name=f"export-{job.pk}"):
            pages = []
            if job.is_dashboard:
                # As its maker sees the dashboard now: their units, with the filter they had.
                data = dashboard(job.created_by, job.round, **job.options)
            else:
                report = Report.objects.select_related("round", "unit", "unit__parent").get(
                    round=job.round, unit=job.unit
                )
                data = consolidated(
                    report, include_drafts=job.include_drafts, part=job.part, proposals=job.format == "docx"
                )
            # Made in a temporary file, then copied to its place in chunks: a country's file is never
            # held in memory (SpooledTemporaryFile would hold its first megabytes only).
            with tempfile.TemporaryFile() as made:
                if job.is_dashboard:
                    build_dashboard_xlsx(data, progress=progress, out=made)
                elif job.format == "docx":
                    build_consolidated_docx(data, part=job.part, progress=progress, pages=pages, out=made)
                else:
                    build_consolidated_xlsx(data, progress=progress, out=made)
                check_time()
                made.seek(0)
                stored = _store(job, filename, made)
            finished = timezone.now()
            if not ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                file=stored,
                filename=filename,
                pages=pages[0] if pages else None,
                status=JobStatus.DONE,
                finished_at=finished,
                expires_at=finished + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
            ):
                raise _Stop(None)
    except BaseException as exc:
        if stored:
            _remove(job.file.storage, stored)
        failure = _failure(exc)
        if failure is None:
            log.warning("export %s was failed meanwhile; its work is dropped", job.pk)
        else:
            log.exception("export %s failed (%s)", job.pk, failure)
            ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED,
                failure=failure,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
        if not isinstance(exc, Exception):
            raise  # the worker is being stopped: the job is recorded, let it stop
    return ExportJob.objects.get(pk=job.pk)


@task()
def run_export(job_id: int):
    """Background task: make a consolidated export."""
    export_job_run(job_id=job_id)
