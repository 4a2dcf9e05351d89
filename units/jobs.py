"""Background jobs on thousands of rows (``BulkJob``): starting one, running it, and failing one whose
worker died. The layer that owns the work (reports: opening a round, recalculating totals, a large
units import; units: invitations) writes a function ``work(job, step)`` and a django-tasks task that
hands it to ``bulk_job_run``.

Every job ends done or failed with a reason its page shows:
- the work runs in chunks, each committed with the job's progress (``step.advance``), so a worker
  that dies loses at most the chunk it was in, which its transaction rolls back; the work is written
  to be run again without doubling anything (what exists is skipped), so starting it again finishes it;
- while it runs, a thread marks the job alive every BULK_JOB_HEARTBEAT_SECONDS, and each chunk does
  too; a running job with no sign of life for BULK_JOB_STALE_SECONDS lost its worker (kill -9, a
  restart) and is failed by ``bulk_jobs_fail_stale``, which the job's page calls when it is read and
  every job calls when it starts;
- ``JobRefused`` ends it failed with words of its own (a file with errors now, a round gone)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from core.jobs import Heartbeat

from .models import BulkJob, BulkJobFailure, BulkJobStatus

log = logging.getLogger(__name__)


def heartbeat_seconds() -> int:
    return int(getattr(settings, "BULK_JOB_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> int:
    return int(getattr(settings, "BULK_JOB_STALE_SECONDS", 60))


class JobRefused(Exception):
    """The work cannot be done; ``reason`` says why, in the site's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Stopped(Exception):
    """The job is no longer running (failed meanwhile by the stale check): its work stops."""


def bulk_job_start(*, kind: str, actor, task, unit=None, title: str = "", params=None, again_url: str = ""):
    """Record a job and queue ``task`` (a django-tasks task taking ``job_id``) once the transaction
    commits. Returns the job; the request that started it answers at once with its page."""
    with transaction.atomic():
        job = BulkJob.objects.create(
            kind=kind,
            unit=unit,
            title=title[:300],
            params=params or {},
            again_url=again_url,
            created_by=actor,
        )
        # Robust: the job is recorded whatever happens to the queue; a failure to queue is logged and
        # the job stays waiting (its page says so).
        transaction.on_commit(lambda: task.enqueue(job_id=job.pk), robust=True)
    log.info("%s job %s started by %s", kind, job.pk, actor)
    return job


def bulk_jobs_fail_stale(*, now=None, pk=None) -> int:
    """Fail the running jobs that lost their worker (no sign of life for BULK_JOB_STALE_SECONDS); only
    job ``pk`` when given. Returns how many."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=stale_seconds())
    running = BulkJob.objects.filter(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
    if pk is not None:
        running = running.filter(pk=pk)
    dead = running.update(
        status=BulkJobStatus.FAILED,
        failure=BulkJobFailure.WORKER,
        error=f"No sign of life from the worker for {stale_seconds()} s.",
        finished_at=now,
    )
    if dead:
        log.warning("%s background job(s) failed: worker gone", dead)
    return dead


class Step:
    """What the work reports as it goes: ``advance`` commits a chunk's progress (and the state to go on
    from) with the chunk's own writes when called inside its transaction."""

    def __init__(self, job: BulkJob):
        self.job = job

    def advance(self, *, done: int, total: int | None = None, state: dict | None = None) -> None:
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        if state is not None:
            job.state = {**job.state, **state}
        updated = BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING).update(
            done=job.done, total=job.total, state=job.state, heartbeat_at=timezone.now()
        )
        if not updated:
            raise _Stopped


def bulk_job_run(*, job_id: int, work) -> BulkJob:
    """Run a queued job: ``work(job, step)`` does it, in chunks (``step.advance``), and returns its
    summary in words. The job ends done with that summary, or failed with its reason, whatever
    happens. A job that is not waiting (done, failed, or running elsewhere) is left alone: a task
    delivered twice does the work once."""
    bulk_jobs_fail_stale()
    now = timezone.now()
    if not BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.QUEUED).update(
        status=BulkJobStatus.RUNNING, started_at=now, heartbeat_at=now
    ):
        return BulkJob.objects.get(pk=job_id)
    job = BulkJob.objects.select_related("created_by", "unit").get(pk=job_id)
    try:
        running = BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING)
        with (
            Heartbeat(running, seconds=heartbeat_seconds(), name=f"job-{job.pk}"),
            translation.override(settings.LANGUAGE_CODE),
        ):
            summary = work(job, Step(job))
        if not BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING).update(
            status=BulkJobStatus.DONE, summary=summary, done=job.done, finished_at=timezone.now()
        ):
            raise _Stopped
        log.info("job %s (%s) done: %s", job.pk, job.kind, summary)
    except BaseException as exc:
        running = BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING)
        if isinstance(exc, _Stopped):
            log.warning("job %s was failed meanwhile; it stops", job.pk)
        elif isinstance(exc, JobRefused):
            log.info("job %s (%s) refused: %s", job.pk, job.kind, exc.reason)
            running.update(
                status=BulkJobStatus.FAILED,
                failure=BulkJobFailure.REFUSED,
                reason=exc.reason,
                finished_at=timezone.now(),
            )
        else:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            running.update(
                status=BulkJobStatus.FAILED,
                failure=BulkJobFailure.ERROR,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
        if not isinstance(exc, Exception):
            raise  # the worker is being stopped: the job is recorded, let it stop
    return BulkJob.objects.get(pk=job.pk)
