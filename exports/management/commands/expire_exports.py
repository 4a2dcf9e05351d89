from django.core.management.base import BaseCommand

from exports.services import export_jobs_expire, export_jobs_fail_stale


class Command(BaseCommand):
    help = (
        "Delete the files of background exports past their expiry, and fail the jobs whose worker died "
        "(run daily from cron)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{export_jobs_fail_stale()} export jobs without a worker failed")
        self.stdout.write(f"{export_jobs_expire()} expired export files deleted")
