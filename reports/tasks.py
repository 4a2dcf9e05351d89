"""What the reports app runs in the background (`python manage.py db_worker`, started by `make run`)."""

from django_tasks import task

from units.jobs import bulk_job_run

from . import jobs, totals
from .models import Report, Round
from .notify import invite_the_uninvited, mail_notifications
from .proposals import group_now


@task()
def send_round_open_mails(report_ids: list[int]) -> int:
    """Background task: e-mail the drafters of these newly created reports that their round is open
    (their in-site notifications were written when the round was opened), first inviting those whose
    accounts were imported to be invited then. Returns how many round e-mails were sent."""
    invite_the_uninvited(report_ids=report_ids)
    return mail_notifications(kind="round_open", report_ids=report_ids)


@task()
def rebuild_totals(round_id: int) -> bool:
    """Background task, queued by a roll-up that found the round's stored totals out of step with its
    reports (a report deleted, a unit moved behind the services' back): make them again, unless they
    are in step by now (``totals.rebuild_if_stale``). Returns whether they were made again."""
    round_ = Round.objects.filter(pk=round_id).first()
    return round_ is not None and totals.rebuild_if_stale(round_)


@task()
def run_round_open(job_id: int) -> str:
    """Background task: open a round on its whole tree (reports.jobs.round_open_work)."""
    return bulk_job_run(job_id=job_id, work=jobs.round_open_work).status


@task()
def run_rebuild_totals(job_id: int) -> str:
    """Background task: a round's totals recalculated because a person asked (reports.jobs.rebuild_totals_work)."""
    return bulk_job_run(job_id=job_id, work=jobs.rebuild_totals_work).status


@task()
def run_units_import(job_id: int) -> str:
    """Background task: a large units import, its totals and invitations (reports.jobs.units_import_work)."""
    return bulk_job_run(job_id=job_id, work=jobs.units_import_work).status


@task()
def group_unit_proposals(report_id: int) -> int:
    """Background task, queued by the proposals page of a large round: group the units' proposals of a
    superior union's report and keep the groups in the cache (reports.selectors.proposals). Returns
    how many groups."""
    report = Report.objects.select_related("round", "unit").filter(pk=report_id).first()
    return group_now(report) if report is not None else 0


@task()
def count_synthesis(report_id: int, node_id: int, key: str, latest: str, language: str) -> int:
    """Background task, queued by a large subtree's section page: count the units' figures of a section as
    sentences (reports.selectors.synthesis_counts) and keep them under ``key`` (this revision) and
    ``latest`` (what the page shows while newer counts are made). Returns how many units were counted."""
    from django.core.cache import cache
    from django.utils import translation

    from outline.models import OutlineNode

    from .selectors import synthesis_counts

    report = Report.objects.select_related("round", "unit").filter(pk=report_id).first()
    node = OutlineNode.objects.filter(pk=node_id).first()
    if report is None or node is None:
        return 0
    with translation.override(language or None):
        counts = synthesis_counts(report, node)
    cache.set(key, counts, 600)
    cache.set(latest, counts, None)
    cache.delete(f"{key}:queued")
    return counts.counted
