from django_tasks import task

from . import services


@task()
def run_export(job_id: int):
    """Background task: make a consolidated export (`python manage.py db_worker` runs it)."""
    services.export_job_run(job_id=job_id)
