from django.core.management.base import BaseCommand

from exports.services import export_jobs_expire


class Command(BaseCommand):
    help = "Delete the files of background exports past their expiry (run daily from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{export_jobs_expire()} expired export files deleted")
