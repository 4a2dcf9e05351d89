"""What the units app runs in the background (`python manage.py db_worker`)."""

from django_tasks import task

from .invitations import invite_work
from .jobs import bulk_job_run


@task()
def run_invitations(job_id: int) -> str:
    """Background task: the invitations of an account-list action (units.invitations.invite_work)."""
    return bulk_job_run(job_id=job_id, work=invite_work).status
