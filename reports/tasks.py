"""What the reports app runs in the background (`python manage.py db_worker`, started by `make run`)."""

from django_tasks import task

from .notify import invite_the_uninvited, mail_notifications


@task()
def send_round_open_mails(report_ids: list[int]) -> int:
    """Background task: e-mail the drafters of these newly created reports that their round is open
    (their in-site notifications were written when the round was opened), first inviting those whose
    accounts were imported to be invited then. Returns how many round e-mails were sent."""
    invite_the_uninvited(report_ids=report_ids)
    return mail_notifications(kind="round_open", report_ids=report_ids)
