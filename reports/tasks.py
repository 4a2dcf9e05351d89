"""What the reports app runs in the background (`python manage.py db_worker`, started by `make run`)."""

from django_tasks import task

from .notify import mail_notifications


@task()
def send_round_open_mails(report_ids: list[int]) -> int:
    """Background task: e-mail the drafters of these newly created reports that their round is open
    (their in-site notifications were written when the round was opened). Returns how many were sent."""
    return mail_notifications(kind="round_open", report_ids=report_ids)
